"""`scout demo` in a child process and Debian's chromium driven by Playwright, for the browser test and
docs/screenshots.py alike.

Playwright's own browser builds cannot be downloaded here, so it drives the system's chromium through its
executable path ($SCOUT_CHROMIUM, else `chromium` on the PATH); `make test` installs it with apt-get.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_VARIABLE = "SCOUT_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# The demo crawls, processes (loading MiniLM) and indexes before it serves.
DEMO_START_TIMEOUT = 600
DEMO_STOP_TIMEOUT = 30
LOGIN_LINE = re.compile(r"log in at (?P<url>\S+) as (?P<name>\S+) / (?P<password>\S+)")


def chromium_path() -> str | None:
    configured = os.environ.get(CHROMIUM_VARIABLE)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def missing_browser_reason() -> str | None:
    """Why no browser test can run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return (f"no chromium executable (${CHROMIUM_VARIABLE}, or chromium on the PATH): `make test` installs "
                "Debian's chromium with apt-get where apt is available")
    return None


@dataclass(frozen=True)
class Demo:
    base_url: str  # http://127.0.0.1:PORT, no trailing slash
    name: str
    password: str
    data_dir: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_demo(data_dir: Path) -> Iterator[Demo]:
    """`scout demo` serving on a free loopback port until the block ends, then stopped with SIGINT (Ctrl+C)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("SCOUT_SETTINGS", None)
    log_path = data_dir / "demo.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "scout.cli", "demo", "--port", str(free_port()), "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=REPO_ROOT, preexec_fn=_default_sigint)
        try:
            login = _wait_for_login(process, log_path)
            yield Demo(login["url"].removesuffix("/login"), login["name"], login["password"], data_dir / "demo")
        finally:
            _stop(process)


def _default_sigint() -> None:
    """A job started in the background inherits SIGINT ignored, and Python then never turns it into
    KeyboardInterrupt: give the demo Ctrl+C back, so that SIGINT stops it as it would in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_login(process: subprocess.Popen, log_path: Path) -> dict[str, str]:
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:  # a thread, so that the wait below can time out
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + DEMO_START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        found = LOGIN_LINE.search(line)
        if found:
            return found.groupdict()
    raise RuntimeError(f"scout demo printed no login line (exit status {process.poll()}):\n{''.join(seen)}"
                       f"{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Ctrl+C, as a person would; a demo that ignores it is killed, and that is an error."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(DEMO_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise RuntimeError(f"scout demo did not stop within {DEMO_STOP_TIMEOUT}s of SIGINT") from None


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator:
    """A Playwright page in headless chromium, accepting downloads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
            yield context.new_page()
        finally:
            browser.close()


def log_in(page, demo: Demo) -> None:
    page.goto(f"{demo.base_url}/login")
    page.get_by_label("User name").fill(demo.name)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{demo.base_url}/")
