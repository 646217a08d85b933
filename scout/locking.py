"""One scout job per data directory at a time.

Two jobs writing the same store and index at once (a weekly timer firing during a manual crawl, say)
would interleave crawl runs and race on the Whoosh index. ``data_dir_lock`` takes an exclusive
``flock`` on ``<data-dir>/scout.lock``. The kernel drops a flock when its holder dies, however it
dies, so a crashed or killed job never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from contextlib import contextmanager
from typing import Iterator

from scout.settings import Settings

log = logging.getLogger(__name__)


class LockedError(RuntimeError):
    """Another scout job holds the data directory's lock."""


@contextmanager
def data_dir_lock(settings: Settings) -> Iterator[None]:
    """Hold the data directory's lock for the ``with`` block; raises LockedError if another job has it."""
    path = settings.lock_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file is never deleted: unlinking a lock file lets a third job lock a fresh inode while
    # the second still holds the old one.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, settings)
        _write_holder_pid(descriptor)
        log.debug("locked %s", path)
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)  # an empty file says nobody holds it
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            log.debug("unlocked %s", path)
    finally:
        os.close(descriptor)


def _acquire(descriptor: int, settings: Settings) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        holder = _read_holder_pid(descriptor)
        raise LockedError(
            f"another scout job (pid {holder or 'unknown'}) is using {settings.data_dir}; "
            "try again when it finishes"
        ) from None


def _write_holder_pid(descriptor: int) -> None:
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)


def _read_holder_pid(descriptor: int) -> int | None:
    """The holder's pid, or None in the instant between its flock and its write."""
    text = os.pread(descriptor, 32, 0).decode("ascii", errors="replace").strip()
    return int(text) if text.isdigit() else None
