"""A crawl killed with SIGKILL and started again continues where it stopped, losing and repeating nothing."""

import signal
import sqlite3
import subprocess
import sys
import time

from scout.generated_site import GeneratedSite
from tests.conftest import REPO_ROOT, run_scout, scout_env

PAGES = 60


def stored_pages(database) -> dict[str, str]:
    try:
        with sqlite3.connect(database) as connection:
            return dict(connection.execute("SELECT url, first_seen_at FROM pages"))
    except sqlite3.OperationalError:  # not created yet
        return {}


def test_sigkilled_crawl_resumes_without_losing_or_duplicating_pages(tmp_path):
    database = tmp_path / "scout.sqlite3"
    env = scout_env(SCOUT_CONCURRENT_REQUESTS_PER_DOMAIN="1", SCOUT_MAX_DEPTH="100")
    with GeneratedSite(pages=PAGES, delay=0.05) as site:
        crawl = subprocess.Popen([sys.executable, "-m", "scout.cli", "crawl", "--url", site.url,
                                  "--data-dir", str(tmp_path)], env=env, cwd=REPO_ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(stored_pages(database)) < PAGES // 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        before = stored_pages(database)
        assert PAGES // 3 <= len(before) < PAGES, "the crawl must be killed part-way"
        requests_before_resume = site.requests

        run_scout("crawl", "--url", site.url, "--data-dir", str(tmp_path), env=env)
        requests_of_resume = site.requests - requests_before_resume

    after = stored_pages(database)
    assert len(after) == PAGES + 1  # every page once, plus "/" which serves page 0 under its own URL
    assert all(after[url] == first_seen for url, first_seen in before.items()), "stored pages were replaced"
    assert requests_of_resume < PAGES + 1 - len(before) + 5, "the resumed crawl started over"
    with sqlite3.connect(database) as connection:
        runs = connection.execute("SELECT id, status FROM crawl_runs").fetchall()
        frontier_left = connection.execute("SELECT COUNT(*) FROM crawl_frontier").fetchone()[0]
    assert runs == [(1, "finished")], "the killed run is resumed, not replaced by a new one"
    assert frontier_left == 0
