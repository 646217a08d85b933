"""Fixtures shared across the suite: loopback demo sites and crawls run in a child process.

Scrapy's Twisted reactor can run once per process, so every crawl a test needs runs in its own child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scout.demo_site import DemoSites

REPO_ROOT = Path(__file__).resolve().parents[1]
# The evaluation set and real websites live beside the repo in CI and on developers' machines, not in a clone.
SHARED_DIR_VARIABLE = "SCOUT_SHARED_DIR"

FAST_CRAWL_ENV = {"SCOUT_DOWNLOAD_DELAY": "0", "SCOUT_AUTOTHROTTLE": "false"}

CRAWL_SCRIPT = """
import json, sys
from scout.cli import demo_organisations
from scout.pipeline import crawl
from scout.settings import load_settings
records = json.load(open(sys.argv[2]))
run = crawl(load_settings(sys.argv[1]), demo_organisations(records))
print(json.dumps(run))
"""


def shared_dir() -> Path:
    """The shared folder: $SCOUT_SHARED_DIR, else ../shared beside the repo."""
    return Path(os.environ.get(SHARED_DIR_VARIABLE) or REPO_ROOT.parent / "shared")


def _absent_reason(path: Path) -> str:
    return (f"{path} is absent: the shared folder (${SHARED_DIR_VARIABLE}, default ../shared) is only beside "
            "the repo in CI and on developers' machines")


def shared_path(*parts: str) -> Path:
    """A path under the shared folder, or a skip of the calling test where it is absent."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(_absent_reason(path))
    return path


def requires_shared(*parts: str) -> pytest.MarkDecorator:
    """Skips a test before its fixtures load (a model, say) where this path of the shared folder is absent."""
    path = shared_dir().joinpath(*parts)
    return pytest.mark.skipif(not path.exists(), reason=_absent_reason(path))


def shared_folder_params(*parts: str) -> list:
    """The sub-folders of a shared folder as parameters, for use while collecting (where skipping is an error).

    Where the folder is absent, one parameter stands in for them, skipped with the reason.
    """
    path = shared_dir().joinpath(*parts)
    if not path.is_dir():
        return [pytest.param(None, id="shared-folder-absent", marks=pytest.mark.skip(reason=_absent_reason(path)))]
    return [pytest.param(folder, id=folder.name) for folder in sorted(path.iterdir()) if folder.is_dir()]


def scout_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **FAST_CRAWL_ENV, **extra}
    env.pop("SCOUT_SETTINGS", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_scout(*args: str, input: str | None = None, env: dict[str, str] | None = None,
              check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [sys.executable, "-m", "scout.cli", *args], input=input, capture_output=True, text=True,
        env=env or scout_env(), timeout=timeout, cwd=REPO_ROOT,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"scout {' '.join(args)} failed ({completed.returncode}):\n{completed.stderr}")
    return completed


def crawl_records(data_dir: Path, records: list[dict], env: dict[str, str] | None = None) -> dict:
    """Crawl organisations given as registry-like dicts (with website/start_urls) in a child process."""
    records_file = data_dir / "targets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    records_file.write_text(json.dumps(records))
    completed = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, str(data_dir), str(records_file)],
        capture_output=True, text=True, env=env or scout_env(), timeout=300, cwd=REPO_ROOT,
    )
    if completed.returncode != 0:
        raise AssertionError(f"crawl failed ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def demo_sites():
    with DemoSites() as sites:
        yield sites
