"""Crawl throughput and the cost of an unchanged re-crawl, against `scrapy bench` in the same run.

Serves 10,000 generated pages spread over 20 loopback sites (one port each, in a separate process so the
server does not compete with the crawler for the GIL), crawls them with `scout crawl` and politeness
disabled, then crawls them again unchanged. Prints pages/s, the ratio to `scrapy bench`'s pages/s, and the
re-crawl time as a share of the first crawl's: once for sites without sitemaps (every page is asked again
with a conditional request) and once for sites whose sitemap dates each page with <lastmod>.

Both sides are measured the same way: the wall-clock time of the whole process, from spawning it to its
exit, so interpreter start, imports and shutdown are included on both (`scrapy bench` also starts its own
mock server, and crawls for a fixed 10 s; `scout crawl` also opens and writes the store). Pages are those
each process reports: `scrapy bench`'s response_received_count, `scout crawl`'s fetched count.

    .venv/bin/python benchmarks/crawl.py [--sites 20] [--pages-per-site 500]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scout.generated_site import GeneratedSite  # noqa: E402


def serve_sites(sites: int, pages_per_site: int, sitemap_lastmod: str | None, ports: multiprocessing.Queue) -> None:
    servers = [GeneratedSite(number, pages_per_site, sitemap_lastmod=sitemap_lastmod).start()
               for number in range(sites)]
    ports.put([server.url for server in servers])
    while True:
        time.sleep(3600)


def timed_process(args: list[str], **options) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds from spawning a process to its exit: how both sides of the ratio are timed."""
    started = time.perf_counter()
    completed = subprocess.run(args, check=True, capture_output=True, text=True, **options)
    return time.perf_counter() - started, completed


def scrapy_bench() -> tuple[int, float]:
    """(pages, seconds) of a `scrapy bench` process."""
    elapsed, completed = timed_process([sys.executable, "-m", "scrapy", "bench"], timeout=120,
                                       cwd=tempfile.gettempdir())
    pages = int(re.search(r"'response_received_count': (\d+)", completed.stderr).group(1))
    return pages, elapsed


def timed_crawl(urls: list[str], data_dir: Path) -> tuple[float, dict]:
    env = {**os.environ, "SCOUT_DOWNLOAD_DELAY": "0", "SCOUT_AUTOTHROTTLE": "false",
           "SCOUT_CONCURRENT_REQUESTS_PER_DOMAIN": "16", "SCOUT_OBEY_ROBOTS_TXT": "false",
           "SCOUT_MAX_DEPTH": "1000", "SCOUT_MAX_PAGES_PER_ORGANISATION": "100000"}
    args = [sys.executable, "-m", "scout.cli", "crawl", "--data-dir", str(data_dir)]
    for url in urls:
        args += ["--url", url]
    elapsed, _ = timed_process(args, env=env, cwd=REPO_ROOT)
    stats = subprocess.run([sys.executable, "-m", "scout.cli", "stats", "--json", "--data-dir", str(data_dir)],
                           check=True, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    return elapsed, json.loads(stats.stdout)["last_crawl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages-per-site", type=int, default=500)
    args = parser.parse_args()

    print("timed on both sides: a whole process, spawn to exit (interpreter start, imports, shutdown included)")
    pages, seconds = scrapy_bench()
    bench = pages / seconds
    print(f"scrapy bench: {pages} pages in {seconds:.1f} s = {bench:.1f} pages/s "
          "(includes starting its mock server; crawls for 10 s)")

    for label, sitemap_lastmod in (("sites without sitemaps", None), ("sites with sitemap <lastmod>", "2026-01-01")):
        print(f"-- {label}")
        measure(args, bench, sitemap_lastmod)


def measure(args: argparse.Namespace, bench: float, sitemap_lastmod: str | None) -> None:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve_sites, daemon=True,
                                     args=(args.sites, args.pages_per_site, sitemap_lastmod, ports))
    server.start()
    urls = ports.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            first_time, first = timed_crawl(urls, Path(data_dir))
            rate = first["fetched"] / first_time
            print(f"first crawl (scout crawl): {first['fetched']} pages in {first_time:.1f} s = {rate:.1f} pages/s "
                  f"(new {first['new']}, failed {first['failed']}; includes opening and writing the store)")
            print(f"  ratio to scrapy bench: {rate / bench:.2f}  (goal >= 0.5)")
            again_time, again = timed_crawl(urls, Path(data_dir))
            print(f"unchanged re-crawl: {again['fetched']} requests in {again_time:.1f} s "
                  f"(unchanged {again['unchanged']}, changed {again['changed']}, new {again['new']})")
            print(f"  re-crawl time / first crawl time: {again_time / first_time:.2f}  (goal <= 0.2)")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
