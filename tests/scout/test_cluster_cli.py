"""The CLI contract for rosters, matches and shortlists, run exactly as written, each with --data-dir."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from scout.settings import load_settings
from store import Store
from tests.conftest import run_scout
from tests.search_app.cluster_fixtures import fill_store

pytestmark = pytest.mark.slow  # imports and matches with the real analysis and MiniLM

LUMEN = "Lumen Lasers"
ROSTER = f"""name,website,country,capabilities
{LUMEN},https://lumen.example/,DE,"We design and manufacture swept-source lasers and tunable light sources as components for OEM integration into optical coherence tomography (OCT) systems for ophthalmology and retinal imaging."
,https://noname.example/,DE,nameless
Bad Country,https://bad.example/,ZZ,lasers
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cluster-cli")
    with Store.open(load_settings(data_dir, environ={}).database_path) as store:
        fill_store(store)
    roster = data_dir / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    imported = run_scout("sme", "import", str(roster), "--cluster", "litek", "--data-dir", str(data_dir))
    assert "imported 1 SMEs into litek (1 new, 0 updated); 2 rows rejected" in imported.stdout
    assert "line 3: missing name" in imported.stdout and "line 4: unknown country code 'ZZ'" in imported.stdout
    return data_dir


def test_unknown_cluster_is_a_usage_error_listing_the_valid_ids(data_dir):
    failed = run_scout("sme", "import", str(data_dir / "roster.csv"), "--cluster", "acme", "--data-dir", str(data_dir),
                       check=False)
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "partner clusters are: " in failed.stderr and "litek" in failed.stderr


def test_match_json_contract(data_dir):
    result = run_scout("match", "--sme", LUMEN, "--cluster", "litek", "--json", "--data-dir", str(data_dir))
    matches = json.loads(result.stdout)["matches"]
    assert matches and all(set(m) == {"organisation_id", "organisation", "score", "reasons", "applications"}
                           for m in matches)
    assert matches[0]["organisation_id"] == "oct-systems"
    assert "A20" in matches[0]["applications"]
    assert any(reason.startswith("both ") and "A20 Optical coherence tomography" in reason
               for reason in matches[0]["reasons"])
    readable = run_scout("match", "--sme", LUMEN, "--cluster", "litek", "--data-dir", str(data_dir))
    assert "1. OCT Systems Inc (oct-systems)" in readable.stdout
    other = run_scout("match", "--sme", LUMEN, "--cluster", "opticsvalley", "--json", "--data-dir", str(data_dir),
                      check=False)
    assert other.returncode == 2 and "opticsvalley has no SME named" in other.stderr


def test_shortlist_add_list_and_export(data_dir, tmp_path):
    added = run_scout("shortlist", "add", "OCT partners", "--cluster", "litek", "--org", "oct-systems",
                      "--note", "=met at SPIE", "--data-dir", str(data_dir))
    assert "added oct-systems to shortlist 'OCT partners' of litek (1 items)" in added.stdout
    run_scout("shortlist", "add", "OCT partners", "--cluster", "litek", "--org", "oct-lasers", "--sme", LUMEN,
              "--data-dir", str(data_dir))
    unknown = run_scout("shortlist", "add", "OCT partners", "--cluster", "litek", "--org", "nobody",
                        "--data-dir", str(data_dir), check=False)
    assert unknown.returncode == 2 and "no organisation has id 'nobody'" in unknown.stderr

    listed = run_scout("shortlist", "list", "--cluster", "litek", "--json", "--data-dir", str(data_dir))
    assert [(s["name"], s["item_count"]) for s in json.loads(listed.stdout)["shortlists"]] == [("OCT partners", 2)]
    elsewhere = run_scout("shortlist", "list", "--cluster", "opticsvalley", "--data-dir", str(data_dir))
    assert "opticsvalley has no shortlists" in elsewhere.stdout

    run_scout("shortlist", "export", "OCT partners", "--cluster", "litek", "--format", "csv",
              "-o", str(tmp_path / "list.csv"), "--data-dir", str(data_dir))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "list.csv").read_text(encoding="utf-8-sig"))))
    assert [row["organisation id"] for row in rows] == ["oct-systems", "oct-lasers"]
    assert rows[0]["source URL"] == "https://oct-systems.example/scanner" and rows[0]["note"] == "'=met at SPIE"
    assert rows[1]["matched SME"] == LUMEN and "A20 Optical coherence tomography" in rows[1]["match reasons"]

    run_scout("shortlist", "export", "OCT partners", "--cluster", "litek", "--format", "xlsx",
              "-o", str(tmp_path / "list.xlsx"), "--data-dir", str(data_dir))
    sheet = load_workbook(tmp_path / "list.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("TRL") + 1).value == 9
    assert sheet.cell(row=3, column=header.index("matched SME") + 1).value == LUMEN

    missing = run_scout("shortlist", "export", "nope", "--cluster", "litek", "--format", "csv",
                        "-o", str(tmp_path / "x.csv"), "--data-dir", str(data_dir), check=False)
    assert missing.returncode == 2 and "no shortlist named 'nope'" in missing.stderr
