"""Importing a roster: rejected rows with line and reason, XLSX like CSV, re-import updates, cluster ids."""

import pytest
from openpyxl import Workbook

from search_app import rosters
from store import Store

from .cluster_fixtures import CLUSTER, word_encoder

ROSTER = """name,website,country,capabilities
Good Lasers,https://good.example/,de,"We design and manufacture swept-source lasers and tunable light sources as components for OEM integration into optical coherence tomography (OCT) systems for ophthalmology and retinal imaging."
,https://noname.example/,DE,something
Bad Url,ftp://bad.example/,FR,lasers
Bad Country,https://country.example/,XX,lasers
good lasers,https://other.example/,DE,the same name again
Same Site,https://good.example,DE,the same website again
Nothing,,,
Text Only,,FR,Photodynamic therapy lamps for dermatology clinics.
"""


@pytest.fixture
def analyser_factory():
    from indexer.analysis.analyser import TextAnalyser

    return lambda: TextAnalyser(encode=word_encoder)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as opened:
        yield opened


def test_bad_rows_are_rejected_with_line_and_reason_and_good_ones_imported(tmp_path, store, analyser_factory):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    report = rosters.import_roster(store, CLUSTER, path, analyser_factory)
    assert [(r.line, r.reason.split(" (")[0].split(" '")[0]) for r in report.rejected] == [
        (3, "missing name"), (4, "bad URL"), (5, "unknown country code"), (6, "duplicate of line 2"),
        (7, "duplicate of line 2"), (8, "nothing to profile: give a website or capabilities")]
    assert "same website" in report.rejected[4].reason
    assert (report.created, report.updated) == (2, 0)
    smes = {sme["name"]: sme for sme in store.smes(CLUSTER)}
    assert smes["Good Lasers"]["country"] == "DE"
    assert "A20" in [t["application"] for t in smes["Good Lasers"]["profile"]["applications"]]
    assert smes["Good Lasers"]["profile"]["role"]["role"] == "component-supplier"
    assert smes["Text Only"]["website"] is None


def test_reimport_updates_instead_of_duplicating(tmp_path, store, analyser_factory):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    rosters.import_roster(store, CLUSTER, path, analyser_factory)
    path.write_text("name,website\nGOOD LASERS,https://good.example/new\n", encoding="utf-8")
    report = rosters.import_roster(store, CLUSTER, path, analyser_factory)
    assert (report.created, report.updated) == (0, 1)
    assert len(store.smes(CLUSTER)) == 2
    assert {sme["website"] for sme in store.smes(CLUSTER)} == {"https://good.example/new", None}


def test_xlsx_is_read_like_csv(tmp_path, store, analyser_factory):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Website", "Country", "Capabilities"])
    sheet.append(["Excel Optics", "https://excel-optics.example/", "AT", "Optical coherence tomography lasers."])
    sheet.append([None, None, None, None])  # an empty row is skipped, not rejected
    sheet.append(["No Site", "not a url", "AT", "x"])
    workbook.save(tmp_path / "roster.xlsx")
    report = rosters.import_roster(store, CLUSTER, tmp_path / "roster.xlsx", analyser_factory)
    assert report.created == 1
    assert [(r.line, r.reason.split(" ")[0]) for r in report.rejected] == [(4, "bad")]
    assert store.smes(CLUSTER)[0]["name"] == "Excel Optics"


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("company,url\nA,https://a.example/\n", encoding="utf-8")
    with pytest.raises(rosters.RosterError, match="missing column"):
        rosters.read_roster(path)
    (tmp_path / "roster.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(rosters.RosterError, match="not a readable XLSX"):
        rosters.read_roster(tmp_path / "roster.xlsx")


def test_clusters_are_the_registry_partner_clusters():
    assert {"litek", "opticsvalley", "biocat"} <= set(rosters.partner_cluster_ids())
    assert rosters.check_cluster("litek") == "litek"
    with pytest.raises(rosters.UnknownCluster, match="partner clusters are: .*litek"):
        rosters.check_cluster("acme")
