"""Matching with reasons, shortlists (CRUD, reorder, annotations, cluster isolation) and their exports."""

import csv
import io

import pytest
from openpyxl import load_workbook

from search_app import exports, matching, shortlists
from store import Store

from .cluster_fixtures import CLUSTER, FORMULA, LASER_SME, OTHER_CLUSTER, fill_store, word_encoder


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as opened:
        fill_store(opened)
        yield opened


@pytest.fixture
def sme_id(store):
    return store.save_sme(CLUSTER, LASER_SME)[0]


# -- matching -----------------------------------------------------------------------------------------


def test_a_complementary_partner_ranks_above_a_same_role_competitor(store, sme_id):
    ranked = matching.matches_for_sme(store, CLUSTER, sme_id, encode=word_encoder)
    assert [m.organisation_id for m in ranked] == ["oct-systems", "oct-lasers"]  # the clinic shares nothing
    best, competitor = ranked
    assert best.score > competitor.score
    assert best.applications == ["A20"]
    assert best.reasons[0] == "both A20 Optical coherence tomography"
    assert "complementary roles" in best.reasons[1] and "system supplier" in best.reasons[1]
    assert "competitors" in competitor.reasons[1]
    assert "US market" in best.reasons
    assert set(best.for_sme()) == {"organisation_id", "organisation", "score", "reasons", "applications"}


def test_an_organisation_ranks_the_clusters_smes_only(store, sme_id):
    store.save_sme(OTHER_CLUSTER, {**LASER_SME, "name": "Rival Lasers", "name_key": "rival lasers"})
    ranked = matching.smes_for_organisation(store, CLUSTER, "oct-systems", encode=word_encoder)
    assert [m.for_organisation()["sme"] for m in ranked] == ["Swept Lasers GmbH"]
    assert matching.smes_for_organisation(store, CLUSTER, "nobody", encode=word_encoder) is None
    page_id = store.page_id_for_url("https://oct-systems.example/scanner")
    assert [m.sme["id"] for m in matching.smes_for_page(store, CLUSTER, page_id, encode=word_encoder)] == [sme_id]


def test_another_clusters_sme_cannot_be_matched(store, sme_id):
    assert matching.matches_for_sme(store, OTHER_CLUSTER, sme_id, encode=word_encoder) is None


def test_vectors_are_cached_in_the_store(store, sme_id):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return word_encoder(texts)

    matching.matches_for_sme(store, CLUSTER, sme_id, encode=counting)
    embedded = sum(calls)
    matching.matches_for_sme(store, CLUSTER, sme_id, encode=counting)
    assert embedded == 4 and sum(calls) == embedded  # the SME's text and three evidence sentences, once


# -- shortlists ---------------------------------------------------------------------------------------


def test_shortlist_create_add_annotate_reorder_remove(store, sme_id):
    shortlist = shortlists.create(store, CLUSTER, "OCT partners")
    with pytest.raises(shortlists.ShortlistError, match="already"):
        shortlists.create(store, CLUSTER, " OCT   partners ")
    page_id = store.page_id_for_url("https://skin-clinic.example/pdt")
    first = shortlists.add_organisation(store, CLUSTER, shortlist["id"], "oct-lasers", note="competitor?")
    second = shortlists.add_match(store, CLUSTER, shortlist["id"], sme_id, "oct-systems", owner="ana",
                                  encode=word_encoder)
    third = shortlists.add_page(store, CLUSTER, shortlist["id"], page_id)
    shortlists.annotate(store, CLUSTER, shortlist["id"], second, status="interested", note="call in May")
    with pytest.raises(shortlists.ShortlistError, match="status must be one of"):
        shortlists.annotate(store, CLUSTER, shortlist["id"], second, status="maybe")
    shortlists.move(store, CLUSTER, shortlist["id"], second, "up")
    shortlists.move(store, CLUSTER, shortlist["id"], third, position=1)
    items = shortlists.detail(store, CLUSTER, shortlist["id"])["items"]
    assert [item["id"] for item in items] == [third, second, first]
    match_item = items[1]
    assert (match_item["kind"], match_item["sme_name"], match_item["status"], match_item["owner"]) == (
        "match", "Swept Lasers GmbH", "interested", "ana")
    assert match_item["score"] > 0 and match_item["reasons"][0] == "both A20 Optical coherence tomography"
    shortlists.remove(store, CLUSTER, shortlist["id"], first)
    assert [item["id"] for item in shortlists.detail(store, CLUSTER, shortlist["id"])["items"]] == [third, second]
    with pytest.raises(shortlists.NotFound):
        shortlists.add_organisation(store, CLUSTER, shortlist["id"], "no-such-org")


def test_a_clusters_shortlist_is_not_found_from_another(store):
    shortlist = shortlists.create(store, CLUSTER, "private")
    item = shortlists.add_organisation(store, CLUSTER, shortlist["id"], "oct-lasers")
    for call in (lambda: shortlists.detail(store, OTHER_CLUSTER, shortlist["id"]),
                 lambda: shortlists.add_organisation(store, OTHER_CLUSTER, shortlist["id"], "oct-lasers"),
                 lambda: shortlists.annotate(store, OTHER_CLUSTER, shortlist["id"], item, note="x"),
                 lambda: shortlists.move(store, OTHER_CLUSTER, shortlist["id"], item, "down"),
                 lambda: shortlists.remove(store, OTHER_CLUSTER, shortlist["id"], item),
                 lambda: exports.shortlist_rows(store, OTHER_CLUSTER, shortlist["id"])):
        with pytest.raises(shortlists.NotFound):
            call()
    assert shortlists.all_shortlists(store, OTHER_CLUSTER) == []


# -- exports ------------------------------------------------------------------------------------------


@pytest.fixture
def filled_shortlist(store, sme_id):
    shortlist = shortlists.create(store, CLUSTER, "export me")
    item = shortlists.add_match(store, CLUSTER, shortlist["id"], sme_id, "oct-systems", encode=word_encoder)
    shortlists.annotate(store, CLUSTER, shortlist["id"], item, status="contacted", note="=1+1", owner="ana")
    shortlists.add_organisation(store, CLUSTER, shortlist["id"], "skin-clinic")
    return shortlist["id"]


def test_csv_rows_carry_provenance_and_are_safe_from_formulas(store, filled_shortlist):
    rows = exports.shortlist_rows(store, CLUSTER, filled_shortlist)
    data = exports.write(rows, exports.SHORTLIST_COLUMNS, "csv")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    match, clinic = table
    assert match["source URL"] == "https://oct-systems.example/scanner"
    assert match["crawl date"].endswith("+00:00")
    assert (match["application id"], match["application"]) == ("A20", "Optical coherence tomography")
    assert match["evidence sentence"].startswith("Our system integrates swept-source lasers")
    assert (match["TRL"], match["TRL cue"], match["TRL confidence"]) == (
        "9", "The scanner is FDA-cleared and sold in the USA.", "0.9")
    assert match["matched SME"] == "Swept Lasers GmbH"
    assert match["match reasons"].startswith("both A20 Optical coherence tomography; ")
    assert (match["status"], match["note"], match["owner"]) == ("contacted", "'=1+1", "ana")
    assert clinic["page title"] == "'" + FORMULA  # scraped title that would be a formula
    assert clinic["evidence sentence"].startswith("'-1 side effects")
    assert clinic["TRL"] == "" and clinic["kind"] == "organisation"


def test_xlsx_cells_hold_the_same_rows_as_text(store, filled_shortlist):
    rows = exports.shortlist_rows(store, CLUSTER, filled_shortlist)
    sheet = load_workbook(io.BytesIO(exports.write(rows, exports.SHORTLIST_COLUMNS, "xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["#", "kind", "organisation id", "organisation"]
    first = dict(zip(header, (cell.value for cell in sheet[2])))
    assert first["source URL"] == "https://oct-systems.example/scanner"
    assert first["TRL"] == 9 and first["matched SME"] == "Swept Lasers GmbH"
    assert first["note"] == "'=1+1"
    title_cell = sheet.cell(row=3, column=header.index("page title") + 1)
    assert title_cell.value == "'" + FORMULA and title_cell.data_type == "s"


def test_guard_prefixes_only_formula_starts():
    assert [exports.guard(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "plain", 5, None)] == [
        "'=A1", "'+1", "'-1", "'@x", "'\tx", "plain", 5, ""]
    with pytest.raises(exports.ExportError):
        exports.write([], exports.SHORTLIST_COLUMNS, "pdf")
