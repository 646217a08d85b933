"""Search grouped by organisation, filtered by organisation, sorted by TRL or date; the charts; the new-user fixes."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from search_app.charts import heatmap_svg, trl_distribution_svg
from store import Store, TRLRecord
from tests.search_index import build_search_index

from .search_app_fixtures import HOSTILE, RETINA, SURGERY, UNRATED

SVG_NS = "{http://www.w3.org/2000/svg}"


def _svgs(body: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", body, flags=re.DOTALL)]


def test_grouped_results_are_one_card_per_organisation_ordered_by_best_page(client, page_ids):
    payload = client.get("/api/search?q=&group=organisation").get_json()
    assert payload["total"] == 4 and payload["total_groups"] == 3 and payload["pages"] == 1
    groups = payload["groups"]
    assert [group["organisation"]["id"] for group in groups] == ["acme-retina", "isar-photonics", "evil-corp"]
    isar = groups[1]
    assert isar["pages"] == 2 and [r["id"] for r in isar["results"]] == [page_ids[SURGERY.url], page_ids[UNRATED.url]]
    assert [r["id"] for r in payload["results"]] == [r["id"] for g in groups for r in g["results"]]
    # limit counts organisations when grouped.
    second = client.get("/api/search?q=&group=organisation&limit=2&page=2").get_json()
    assert [g["organisation"]["id"] for g in second["groups"]] == ["evil-corp"] and second["pages"] == 2


def test_grouped_html_shows_organisation_cards(client, page_ids):
    body = client.get("/?q=&group=organisation").get_data(as_text=True)
    assert body.count('class="hit group"') == 3
    assert '<a class="organisation" href="/org/isar-photonics?q=&amp;group=organisation"' not in body  # empty q dropped
    assert 'href="/org/isar-photonics?group=organisation">Isar Photonics Institute</a>' in body
    assert "4 results from 3 organisations" in body
    assert '<input type="checkbox" name="group" value="organisation" checked>' in body


def test_filter_by_organisation_and_its_facet(client, page_ids):
    payload = client.get("/api/search?q=&org=isar-photonics").get_json()
    assert {r["id"] for r in payload["results"]} == {page_ids[SURGERY.url], page_ids[UNRATED.url]}
    facet = {f["value"]: f["count"] for f in client.get("/api/search?q=").get_json()["facets"]["organisation_id"]}
    assert facet == {"isar-photonics": 2, "acme-retina": 1, "evil-corp": 1}
    body = client.get("/?q=").get_data(as_text=True)
    assert '<a href="?org=isar-photonics" title="Isar Photonics Institute">Isar Photonics Institute</a>' in body
    filtered = client.get("/?q=&org=isar-photonics").get_data(as_text=True)
    assert 'class="chip" href="?" title="Remove this filter">Isar Photonics Institute ✕</a>' in filtered
    assert '<input type="hidden" name="org" value="isar-photonics">' in filtered


def test_sort_by_trl_puts_unknown_last_and_by_date_newest_first(client, settings, page_ids):
    by_trl = client.get("/api/search?q=&sort=trl").get_json()["results"]
    assert [r["trl"]["level"] if r["trl"] else None for r in by_trl] == [9, 5, 4, None]
    with Store.open(settings.database_path) as store:
        store._db.execute("UPDATE pages SET last_changed_at = '2030-01-01T00:00:00+00:00' WHERE id = ?",
                          (page_ids[UNRATED.url],))
        store._db.execute("UPDATE pages SET indexed_content_hash = NULL")
        build_search_index(store, settings.index_dir)
    by_date = client.get("/api/search?q=&sort=date").get_json()["results"]
    assert by_date[0]["id"] == page_ids[UNRATED.url]
    html = client.get("/?q=&sort=trl").get_data(as_text=True)
    assert '<option value="trl" selected>' in html and "sorted by trl, highest first" in html


@pytest.mark.parametrize("query", ["sort=newest", "group=country", "org=%3Cscript%3E", "sort=trl&sort=date"])
def test_bad_sort_group_or_org_is_a_400(client, page_ids, query):
    response = client.get(f"/api/search?q=x&{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == query.split("=")[0]
    assert client.get(f"/?q=x&{query}").status_code == 400


def test_charts_are_well_formed_svg_whose_counts_match_the_facets(client, page_ids):
    body = client.get("/?q=").get_data(as_text=True)
    assert '<details class="charts">' in body
    heatmap, trl_chart = _svgs(body)
    assert heatmap.find(f"{SVG_NS}title").text == "Applications by country"
    cells = {cell.find(f"{SVG_NS}title").text: cell for cell in heatmap.iter(f"{SVG_NS}rect")}
    facets = client.get("/api/search?q=").get_json()["facets"]
    # Every application here is on pages of one country only, so a row's total is its facet count.
    a04 = [title for title in cells if title.startswith("A04") and not title.endswith(": 0 pages")]
    assert sorted(a04) == ["A04 · Ophthalmological technology · France: 1 page",
                           "A04 · Ophthalmological technology · Germany: 1 page"]
    assert sum(1 for _ in a04) == {f["value"]: f["count"] for f in facets["applications"]}["A04"]
    bars = {bar.find(f"{SVG_NS}title").text for bar in trl_chart.iter(f"{SVG_NS}rect")}
    for facet in facets["trl"]:
        assert f"TRL {facet['value']}: {facet['count']} page" in bars
    assert "TRL unknown: 1 page" in bars


def test_chart_labels_are_escaped():
    svg = heatmap_svg({"A20": {"US": 2}}, lambda app: f"{app} <script>alert(1)</script> & co", lambda c: c,
                      lambda app, country: f"?app={app}&country={country}")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'href="?app=A20&amp;country=US"' in svg
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img" and root.get("aria-labelledby")
    assert heatmap_svg({}, str, str) is None
    assert trl_distribution_svg({}, 0) is None
    bars = ET.fromstring(str(trl_distribution_svg({3: 2}, 5)))
    assert len(list(bars.iter(f"{SVG_NS}rect"))) == 10


def test_trl_facet_is_ordered_by_level(client, page_ids):
    values = [f["value"] for f in client.get("/api/search?q=").get_json()["facets"]["trl"]]
    assert values == sorted(values, key=int) == ["4", "5", "9"]


def test_country_filter_is_a_select_of_target_markets_and_present_countries(client, page_ids):
    body = client.get("/?q=").get_data(as_text=True)
    assert 'placeholder="DE"' not in body and '<select name="country">' in body
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', body)
    codes = [code for code, _ in options]
    assert codes[:9] == ["US", "CA", "SG", "MY", "KR", "IL", "JP", "AU", "ZA"]
    assert ("KR", "South Korea") in options and ("ZA", "South Africa") in options
    assert {"DE", "FR"} <= set(codes[9:])  # countries of the results, after the target markets
    selected = client.get("/?q=&country=kr").get_data(as_text=True)
    assert '<option value="KR" selected>South Korea</option>' in selected


def test_facet_labels_carry_their_full_name(client, page_ids):
    body = client.get("/?q=").get_data(as_text=True)
    assert re.search(r'<a href="\?app=A04" title="[^"]{20,}">A04 · Ophthalmological technology</a>', body)
    assert '<a href="?country=DE" title="Germany (DE)">Germany</a>' in body


def test_low_confidence_trl_looks_different_in_the_list(client, settings, page_ids):
    with Store.open(settings.database_path) as store:
        store._db.execute("UPDATE trl SET confidence = 0.25 WHERE page_id = ?", (page_ids[SURGERY.url],))
    body = client.get("/?q=").get_data(as_text=True)
    low = re.search(r'<span class="badge trl low-confidence"\s+title="([^"]*)">TRL 4 · low confidence</span>', body)
    assert low and "confidence 0.25" in low.group(1)
    sure = re.search(r'<span class="badge trl"\s+title="([^"]*)">TRL 9</span>', body)
    assert sure and "confidence 0.85" in sure.group(1)
    assert RETINA.trl == TRLRecord(9, RETINA.trl.cue, 0.85)


def test_detail_page_back_link_keeps_the_search(client, page_ids):
    body = client.get(f"/page/{page_ids[HOSTILE.url]}?q=photoacoustic&country=FR&page=1&group=organisation"
                      ).get_data(as_text=True)
    assert 'href="/?q=photoacoustic&amp;country=FR&amp;page=1&amp;group=organisation">← Search</a>' in body
    assert client.get(f"/page/{page_ids[HOSTILE.url]}?country=XX").status_code == 400
