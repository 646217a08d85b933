"""Listing pages and their entries, on the fixture listing site's layouts and on small pages."""

from __future__ import annotations

import pytest

from indexer.analysis.listings import domain_key, find_entries, is_social
from tests.listing_fixture import layouts, page_html, precision_recall

BASE = "http://127.0.0.1:8765/"


def entries_of(pages: list[str]):
    found = []
    for relative in pages:
        found += [(entry.name, entry.website) for entry in find_entries(page_html(relative), BASE + relative)]
    return found


@pytest.mark.parametrize("layout", list(layouts()))
def test_every_layout_of_the_fixture_site_is_read_exactly(layout):
    expected = layouts()[layout]
    found = entries_of(expected["pages"])
    assert precision_recall(found, expected["members"]) == (1.0, 1.0), found


def test_navigation_sponsors_social_links_and_the_sites_own_pages_are_not_entries():
    names = {name for name, _ in entries_of(["members.html", "index.html", "news.html"])}
    for outsider in ("Big Bank", "Mutual Insurer logo", "Mutual Insurer", "Twitter", "LinkedIn", "Cluster platform",
                     "Site by Web Agency", "membership rules", "ministry report", "health agency"):
        assert outsider not in names


def test_an_entry_keeps_its_country_description_and_evidence():
    aurora = find_entries(page_html("members.html"), BASE + "members.html")[0]
    assert aurora.name == "Aurora Medical Optics"
    assert aurora.country == "CA"
    assert aurora.description == "swept-source optical coherence tomography systems for retinal imaging"
    assert aurora.anchor_text == "Aurora Medical Optics"
    assert aurora.entry_text.startswith("Aurora Medical Optics (Canada) — swept-source")


def test_a_table_row_is_one_entry_named_by_its_first_cell_with_the_country_cell():
    rows = find_entries(page_html("exhibitors.html"), BASE + "exhibitors.html")
    iris = next(entry for entry in rows if entry.name == "Iris Ophthalmic Devices")
    assert (iris.website, iris.country, iris.anchor_text) == ("https://www.irisophthalmic.example/", "KR", "Website")
    kepler = next(entry for entry in rows if entry.name == "Kepler Medical Imaging")
    assert kepler.website is None and kepler.country == "ZA"


def test_a_logo_is_named_by_its_alt_text_or_title():
    names = [entry.name for entry in find_entries(page_html("partners.html"), BASE + "partners.html")]
    assert "Saint Lumen Clinic" in names and "Tessera Labs" in names and "Quartz University Hospital" in names


def test_a_short_list_counts_only_on_a_page_that_says_it_lists():
    items = "".join(f'<li><a href="https://org{i}.example/">Org {i}</a></li>' for i in range(3))
    listing = f"<html><head><title>Our members</title></head><body><ul>{items}</ul></body></html>"
    other = f"<html><head><title>Useful links</title></head><body><ul>{items}</ul></body></html>"
    assert [entry.name for entry in find_entries(listing, BASE)] == ["Org 0", "Org 1", "Org 2"]
    assert find_entries(other, BASE) == []
    assert len(find_entries(other, BASE, genre="directory")) == 3


def test_malformed_or_empty_html_gives_no_entries():
    assert find_entries("", BASE) == []
    assert find_entries("<html><body><a href='javascript:alert(1)'>x</a></body></html>", BASE) == []


@pytest.mark.parametrize("url, key", [
    ("https://www.auroramed.example/x", "auroramed.example"),  # no public suffix: the host without www.
    ("https://shop.lumen.co.uk/", "lumen.co.uk"),
    ("https://a.b.example.org/", "example.org"),
    ("http://127.0.0.1:8000/", "127.0.0.1:8000"),
    ("not a url", None),
    (None, None),
])
def test_domain_key_is_the_registrable_domain_from_the_bundled_suffix_list(url, key):
    assert domain_key(url) == key


def test_social_networks_are_recognised_with_subdomains():
    assert is_social("https://www.linkedin.com/company/x") and is_social("https://m.facebook.com/x")
    assert not is_social("https://www.auroramed.example/")
