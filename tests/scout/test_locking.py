"""One scout job per data directory: a second job is refused with the holder's pid, a dead holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from scout.locking import LockedError, data_dir_lock
from scout.settings import load_settings
from tests.conftest import REPO_ROOT, run_scout, scout_env

HOLD_LOCK_SCRIPT = """
import sys, time
from scout.locking import data_dir_lock
from scout.settings import load_settings
with data_dir_lock(load_settings(sys.argv[1], environ={})):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def lock_holder(settings):
    """A child process holding the data directory's lock until the test kills it."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK_SCRIPT, str(settings.data_dir)], stdout=subprocess.PIPE, text=True,
        env=scout_env(), cwd=REPO_ROOT,
    )
    try:
        assert child.stdout.readline().strip() == "locked"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        child.stdout.close()


def test_lock_writes_the_holder_pid_and_empties_the_file_on_release(settings):
    with data_dir_lock(settings):
        assert settings.lock_path.read_text().strip() == str(os.getpid())
    assert settings.lock_path.read_text() == ""


def test_lock_can_be_taken_again_after_release(settings):
    with data_dir_lock(settings):
        pass
    with data_dir_lock(settings):
        pass


def test_second_holder_is_refused_naming_the_pid_and_data_dir(settings, lock_holder):
    with pytest.raises(LockedError) as refused:
        with data_dir_lock(settings):
            pass
    message = str(refused.value)
    assert f"another scout job (pid {lock_holder.pid}) is using {settings.data_dir}" in message
    assert "try again when it finishes" in message


def test_lock_is_released_when_the_holder_is_killed(settings, lock_holder):
    os.kill(lock_holder.pid, signal.SIGKILL)  # no chance to clean up: the kernel drops the flock
    lock_holder.wait(timeout=10)
    with data_dir_lock(settings):
        assert settings.lock_path.read_text().strip() == str(os.getpid())


def test_overlapping_scout_process_fails_with_the_lock_message(settings, lock_holder):
    completed = run_scout("process", "--data-dir", str(settings.data_dir), check=False)
    assert completed.returncode == 1
    assert f"another scout job (pid {lock_holder.pid}) is using {settings.data_dir}" in completed.stderr
    assert not settings.database_path.exists()  # refused before touching the store


@pytest.mark.parametrize("command", [("crawl", "--all"), ("index",), ("demo", "--no-serve")])
def test_every_writing_command_takes_the_lock(tmp_path, command):
    data_dir = tmp_path / "data"
    # demo works in <data-dir>/demo, so that is the directory its lock protects.
    locked_dir = data_dir / "demo" if command[0] == "demo" else data_dir
    child = subprocess.Popen([sys.executable, "-c", HOLD_LOCK_SCRIPT, str(locked_dir)], stdout=subprocess.PIPE,
                             text=True, env=scout_env(), cwd=REPO_ROOT)
    try:
        assert child.stdout.readline().strip() == "locked"
        completed = run_scout(*command, "--data-dir", str(data_dir), check=False)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert completed.returncode == 1
    assert f"another scout job (pid {child.pid})" in completed.stderr
