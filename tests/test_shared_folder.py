"""The suite runs where the shared folder is absent (a user's clone): the tests that need it skip, with why."""

import subprocess
import sys

from tests.conftest import REPO_ROOT, scout_env

TESTS_READING_SHARED = ["tests/crawlers/test_shared_sites.py",
                        "tests/indexer/analysis/test_evaluation.py::test_shared_dev_set_regression_gate"]


def test_tests_needing_the_shared_folder_skip_where_it_is_absent(tmp_path):
    absent = tmp_path / "no-shared-folder"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *TESTS_READING_SHARED],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
        env=scout_env(SCOUT_SHARED_DIR=str(absent)),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "error" not in completed.stdout.lower()
    assert completed.stdout.count(f"{absent}/") >= 2, "each test reading the shared folder skips, naming it"
