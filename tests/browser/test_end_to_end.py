"""A scout's afternoon in a real browser: log in to `scout demo`, search, filter, group by organisation, open
a profile, match an SME of the demo roster, shortlist a match and export the shortlist as XLSX.

Chromium is Debian's, driven by Playwright (tests/browser/demo_session.py); the test skips only where the
playwright package or a chromium executable is missing, and says which.
"""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from .demo_session import browser_page, log_in, missing_browser_reason, running_demo

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(missing_browser_reason() is not None, reason=missing_browser_reason() or "")]

QUERY = "optical coherence tomography"
SME = "Lumen Swept-Source Lasers (fictional demo SME)"
SHORTLIST = "OCT partners for Lumen"


def test_search_profile_match_shortlist_and_xlsx_export(tmp_path):
    with running_demo(tmp_path / "data") as demo, browser_page() as page:
        # Every page wants a login first, and comes back after it.
        page.goto(f"{demo.base_url}/?q=x")
        assert "/login" in page.url
        log_in(page, demo)
        assert page.get_by_role("button", name="Log out").is_visible()

        # Search, then narrow to one target market and group the pages by organisation.
        page.get_by_label("Search", exact=True).fill(QUERY)
        page.get_by_role("button", name="Search").click()
        summary = page.locator("p.summary").first
        total = int(re.match(r"(\d+) results", summary.inner_text()).group(1))
        assert total > 1
        page.get_by_role("combobox", name="Country").select_option("US")
        page.get_by_label("Group by organisation").check()
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"country=US.*group=organisation"))
        assert re.search(r"\d+ results? for “optical coherence tomography” from \d+ organisations?",
                         summary.inner_text())
        assert page.locator(".chip", has_text="United States").is_visible()
        groups = page.locator("ol.groups > li.group")
        assert groups.count() >= 1
        assert all(country == "US" for country in groups.locator(":scope > p.meta .country").all_inner_texts())

        # The first organisation's profile, with its evidence, and the way back to the same search.
        organisation = groups.first.locator("h2 a")
        name = organisation.inner_text()
        organisation.click()
        page.wait_for_url(re.compile(r"/org/[^/?]+\?"))
        assert page.locator("h1").inner_text() == name
        assert page.get_by_role("heading", name="Applications").is_visible()
        page.get_by_role("link", name="← Search").click()
        page.wait_for_url(re.compile(r"country=US.*group=organisation"))
        assert page.get_by_label("Group by organisation").is_checked()

        # An SME of the cluster's demo roster, its ranked matches with reasons; shortlist the best one.
        page.get_by_role("link", name="Roster").click()
        page.get_by_role("link", name=SME).click()
        assert page.locator("h1").inner_text() == SME
        best = page.locator("ol.matches > li.match").first
        matched = best.locator("h2").inner_text()
        reasons = best.locator("ul.reasons li").all_inner_texts()
        assert any("A20" in reason for reason in reasons), reasons
        best.get_by_label("Shortlist").fill(SHORTLIST)
        best.get_by_role("button", name="Add to shortlist").click()
        page.wait_for_url(re.compile(r"/shortlists/\d+$"))
        assert page.locator("h1").inner_text() == SHORTLIST
        item = page.locator("li.shortlist-item")
        assert item.count() == 1 and f"for {SME}" in item.inner_text()

        # On a 390 px phone, the grouped results fit the screen: nothing scrolls sideways.
        phone = page.context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{demo.base_url}/?q=optical+coherence+tomography&country=US&group=organisation")
        assert phone.locator("ol.groups > li.group").count() >= 1
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.close()

        # The shortlist's XLSX, through the page's export link.
        with page.expect_download() as download_info:
            page.get_by_role("link", name="XLSX").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        path = tmp_path / download.suggested_filename
        download.save_as(path)

    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"source URL", "evidence sentence", "matched SME", "match reasons", "application id"} <= set(header)
    assert len(rows) == 2
    row = dict(zip(header, rows[1]))
    assert row["kind"] == "match" and row["matched SME"] == SME
    assert matched.startswith(row["organisation"])
    assert row["source URL"].startswith("http://127.0.0.1:")
    assert row["evidence sentence"] and row["application id"]
    assert reasons[0] in row["match reasons"]
