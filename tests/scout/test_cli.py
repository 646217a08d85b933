"""The `scout` CLI's contracts: JSON shapes, clear errors, --data-dir everywhere."""

import json

import pytest

from tests.conftest import run_scout

OCT_TEXT = (
    "RetinaScan is a swept-source optical coherence tomography (OCT) system for retinal imaging in eye clinics. "
    "The system received FDA 510(k) clearance and is commercially available now."
)


@pytest.mark.parametrize("command", ["demo", "crawl", "process", "index", "serve", "search", "stats"])
def test_every_data_command_takes_data_dir(command):
    assert "--data-dir" in run_scout(command, "--help").stdout


def test_tag_json_has_applications_with_evidence_and_trl_with_cue():
    result = json.loads(run_scout("tag", "--json", input=OCT_TEXT).stdout)
    a20 = next(app for app in result["applications"] if app["id"] == "A20")
    assert a20["evidence"] in OCT_TEXT and a20["signal"] and 0 < a20["score"] <= 1
    assert result["trl"]["level"] == 9 and "510(k)" in result["trl"]["cue"]


def test_tag_human_output_names_the_application_and_cue():
    out = run_scout("tag", input=OCT_TEXT).stdout
    assert "A20" in out and "evidence:" in out and "cue:" in out


def test_tag_without_input_is_a_usage_error():
    completed = run_scout("tag", input="  \n", check=False)
    assert completed.returncode == 2 and "no text on stdin" in completed.stderr


def test_eval_json_reports_every_metric(tmp_path):
    labelled = tmp_path / "gold.jsonl"
    labelled.write_text("\n".join(json.dumps(line) for line in [
        {"text": OCT_TEXT, "applications": ["A20"], "trl": 9},
        {"text": "Laser welding of car body panels with a fibre laser.", "applications": [], "trl": None},
    ]))
    metrics = json.loads(run_scout("eval", str(labelled), "--json").stdout)
    assert {"app_micro_f1", "app_macro_f1", "trl_exact", "trl_within1", "trl_band_accuracy", "trl_mae", "n"} <= set(metrics)
    assert metrics["n"] == 2


def test_eval_bad_jsonl_names_the_line(tmp_path):
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"text": "ok", "applications": [], "trl": null}\n{not json\n')
    completed = run_scout("eval", str(labelled), check=False)
    assert completed.returncode == 1 and "bad.jsonl:2:" in completed.stderr


def test_crawl_without_targets_and_unknown_org_are_clear_errors(tmp_path):
    completed = run_scout("crawl", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "--org" in completed.stderr
    completed = run_scout("crawl", "--org", "no-such-org", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "no-such-org" in completed.stderr


def test_search_before_indexing_says_what_to_run(tmp_path):
    completed = run_scout("search", "oct", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 1 and "scout index" in completed.stderr


def test_search_rejects_unknown_application(tmp_path):
    completed = run_scout("search", "oct", "--app", "A99", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "A99" in completed.stderr


def test_stats_json_on_an_empty_data_dir(tmp_path):
    stats = json.loads(run_scout("stats", "--json", "--data-dir", str(tmp_path)).stdout)
    assert stats["pages"] == 0 and stats["last_crawl"] is None and stats["indexed_documents"] == 0


def test_tag_json_has_role_organisation_country_regulatory_and_europe_entry():
    text = OCT_TEXT + " It is not yet CE marked; we are seeking distributors in Europe."
    result = json.loads(run_scout("tag", "--json", "--no-embeddings", input=text).stdout)
    assert {"language", "applications", "trl", "role", "organisation", "country", "regulatory",
            "europe_entry"} <= set(result)
    assert {(r["authority"], r["status"], r["market"]) for r in result["regulatory"]} == {
        ("FDA", "granted", "US"), ("CE", "negated", "EU")}
    assert result["europe_entry"][0]["signal"] == "seeking-distributors"


def test_tag_jsonl_answers_each_line_in_order():
    lines = [
        {"text": OCT_TEXT},
        {"text": "Die photodynamische Therapie zerstört Tumorzellen bei Patienten mit Hautkrebs.", "lang": "de"},
        {"text": "Our department treats patients every day.", "organisation_type": "hospital"},
    ]
    completed = run_scout("tag", "--jsonl", input="\n".join(json.dumps(line) for line in lines) + "\n")
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(results) == 3
    assert results[0]["applications"][0]["id"] == "A20" and results[0]["trl"]["level"] == 9
    assert results[1]["language"] == "de" and results[1]["applications"][0]["id"] == "A31"
    assert results[2]["role"]["role"] == "end-user"


def test_tag_jsonl_bad_line_is_named():
    completed = run_scout("tag", "--jsonl", input='{"text": "ok"}\n{"no_text": 1}\n', check=False)
    assert completed.returncode == 1 and "stdin:2" in completed.stderr
