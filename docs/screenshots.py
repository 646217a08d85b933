"""Screenshots of `scout demo` for the README, taken in Debian's chromium through Playwright.

    python docs/screenshots.py [--out docs/screenshots]

Runs the demo on a free loopback port in a temporary data directory, logs in with the login it prints,
and saves four 1280 px wide PNGs: a search grouped by organisation, an organisation's profile, an SME's
matches and a shortlist. Uses the browser test's set-up (tests/browser/demo_session.py).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.demo_session import browser_page, log_in, missing_browser_reason, running_demo  # noqa: E402

WIDTH, HEIGHT = 1280, 960
QUERY = "optical coherence tomography"
SMES = ("RetinaVision AI (fictional demo SME)", "Lumen Swept-Source Lasers (fictional demo SME)")
SHORTLIST = "OCT partners"


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []

    def shoot(page, name: str) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=path)
        shots.append(path)

    with tempfile.TemporaryDirectory() as data_dir, running_demo(Path(data_dir)) as demo, \
            browser_page(WIDTH, HEIGHT) as page:
        log_in(page, demo)
        page.goto(f"{demo.base_url}/?q={QUERY.replace(' ', '+')}&group=organisation")
        shoot(page, "search-grouped")

        page.locator("ol.groups > li.group h2 a").first.click()
        page.wait_for_url(re.compile(r"/org/"))
        shoot(page, "organisation")

        # One SME's ranked matches; then the best match of each demo SME below onto one shortlist.
        for number, sme in enumerate(SMES):
            page.get_by_role("link", name="Roster").click()
            page.get_by_role("link", name=sme).click()
            sme_id = page.url.rstrip("/").rsplit("/", 1)[1]
            page.goto(f"{demo.base_url}/matches?sme={sme_id}")
            if number == 0:
                shoot(page, "matches")
            best = page.locator("ol.matches > li.match").first
            best.get_by_label("Shortlist").fill(SHORTLIST)
            with page.expect_navigation():
                best.get_by_role("button", name="Add to shortlist").click()
        first = page.locator("li.shortlist-item").first
        first.get_by_label("Status").select_option("contacted")
        first.get_by_label("Note").fill("Asked for a call about OEM lasers for their next scanner.")
        with page.expect_navigation():
            first.get_by_role("button", name="Save").click()
        shoot(page, "shortlist")
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "screenshots")
    arguments = parser.parse_args()
    reason = missing_browser_reason()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    for path in take(arguments.out):
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
