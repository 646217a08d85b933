"""The `scout` CLI's contracts: JSON shapes, clear errors, --data-dir everywhere."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from store import Store
from tests.conftest import REPO_ROOT, run_scout, scout_env

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
    assert completed.returncode == 2 and completed.stderr.startswith(f"scout: error: {labelled}:2: invalid JSON")


def test_crawl_without_targets_and_unknown_org_are_clear_errors(tmp_path):
    completed = run_scout("crawl", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "--org" in completed.stderr
    completed = run_scout("crawl", "--org", "no-such-org", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "no-such-org" in completed.stderr


def test_search_before_indexing_says_what_to_run(tmp_path):
    Store.open(tmp_path / "scout.sqlite3").close()
    completed = run_scout("search", "oct", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 1 and "scout index" in completed.stderr


def test_search_rejects_unknown_application(tmp_path):
    completed = run_scout("search", "oct", "--app", "A99", "--data-dir", str(tmp_path), check=False)
    assert completed.returncode == 2 and "A99" in completed.stderr


def test_stats_json_on_an_empty_store(tmp_path):
    Store.open(tmp_path / "scout.sqlite3").close()
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
    assert completed.returncode == 2 and "stdin:2" in completed.stderr


def assert_one_line_error(completed: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert completed.returncode == code, completed.stderr
    assert completed.stderr.startswith("scout: error: ") and completed.stderr.count("\n") == 1, completed.stderr
    assert all(fragment in completed.stderr for fragment in fragments), completed.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_crawl_where_no_start_url_answers_fails_saying_why(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/"
    completed = run_scout("crawl", "--url", url, "--data-dir", str(tmp_path), check=False)
    assert_one_line_error(completed, 1, "crawl 1 failed: no start URL could be fetched", f"{url} (connection refused)")
    last = json.loads(run_scout("stats", "--json", "--data-dir", str(tmp_path)).stdout)["last_crawl"]
    assert (last["status"], last["fetched"], last["failed"]) == ("failed", 0, 1)  # refused is not fetched


def labelled_line(**fields) -> str:
    return json.dumps({"text": OCT_TEXT, "applications": ["A20"], "trl": 9, **fields})


@pytest.mark.parametrize(("content", "reason"), [
    (labelled_line(trl=12).encode(), ":2: 'trl' must be a whole number from 1 to 9 or null, not 12"),
    (labelled_line(trl="nine").encode(), ":2: 'trl' must be a whole number"),
    (labelled_line(applications=["A99"]).encode(), ":2: unknown application id(s) A99"),
    (json.dumps({"text": OCT_TEXT}).encode(), ":2: labels missing"),
    (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", ":2: not UTF-8 text"),
])
def test_eval_rejects_what_is_not_a_labelled_passage(tmp_path, content, reason):
    path = tmp_path / "gold.jsonl"
    path.write_bytes(labelled_line().encode() + b"\n" + content + b"\n")
    assert_one_line_error(run_scout("eval", str(path), check=False), 2, f"{path}{reason}")


def test_eval_rejects_an_empty_file_and_a_directory(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_bytes(b"")
    assert_one_line_error(run_scout("eval", str(path), check=False), 2, f"{path}: no labelled passages")
    assert_one_line_error(run_scout("eval", str(tmp_path), check=False), 2, "is a directory")


def test_tag_refuses_binary_input_in_one_line():
    completed = subprocess.run([sys.executable, "-m", "scout.cli", "tag", "--no-embeddings"],
                               input=bytes(range(256)) * 4, capture_output=True, env=scout_env(), cwd=REPO_ROOT)
    completed.stderr = completed.stderr.decode()
    assert_one_line_error(completed, 2, "stdin: binary data, not text")


def test_tag_reads_latin1_text():
    text = OCT_TEXT.replace("eye clinics", "ophthalmology clinics (Zürich, Besançon)")
    completed = subprocess.run([sys.executable, "-m", "scout.cli", "tag", "--json", "--no-embeddings"],
                               input=text.encode("latin-1"), capture_output=True, env=scout_env(), cwd=REPO_ROOT)
    assert completed.returncode == 0, completed.stderr.decode()
    result = json.loads(completed.stdout)
    assert result["applications"][0]["id"] == "A20" and "Besançon" in json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize("command", [("stats",), ("search", "oct"), ("coverage",), ("serve", "--port", "0"),
                                     ("process",), ("index",)])
def test_commands_that_need_data_refuse_a_data_dir_without_a_store(tmp_path, command):
    mistyped = tmp_path / "MISTYPED"
    completed = run_scout(*command, "--data-dir", str(mistyped), check=False)
    assert_one_line_error(completed, 1, f"no Scout data in {mistyped}", "scout crawl", "scout demo")
    assert not mistyped.exists()


def test_a_damaged_store_is_one_line(tmp_path):
    (tmp_path / "scout.sqlite3").write_bytes(b"this is not a database" * 100)
    completed = run_scout("stats", "--data-dir", str(tmp_path), check=False)
    assert_one_line_error(completed, 1, "cannot open the store", "file is not a database")


def test_an_unexpected_error_is_one_line_with_the_traceback_logged_at_v(tmp_path, monkeypatch, caplog):
    from scout import cli, pipeline

    def broken(settings):
        raise KeyError("organisations")

    monkeypatch.setattr(pipeline, "stats", broken)
    Store.open(tmp_path / "scout.sqlite3").close()
    caplog.set_level(logging.INFO)  # what -v shows; pytest's own log handler stands in for the CLI's
    result = CliRunner().invoke(cli.main, ["-v", "stats", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == "scout: error: KeyError: 'organisations' (run with -v for details)\n"
    assert any(record.exc_info and record.levelno == logging.INFO for record in caplog.records)


def test_usage_errors_are_one_line():
    assert_one_line_error(run_scout("crawl", "--bogus", check=False), 2, "No such option", "--help")
    assert_one_line_error(run_scout("search", check=False), 2, "Missing argument 'QUERY'")


def test_help_lists_commands_in_pipeline_order_with_whole_descriptions():
    out = run_scout("--help").stdout
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.startswith("  ")
              and not line.startswith("   ")]
    assert listed[:6] == ["demo", "crawl", "process", "index", "serve", "search"]
    assert "..." not in out.split("Commands:")[1] and "each with its evidence" in " ".join(out.split())


def test_pyproject_license_is_an_spdx_string():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # a {text = ...} table makes setuptools warn at every install


@pytest.mark.slow
def test_demo_on_a_busy_port_fails_before_crawling(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        started = time.monotonic()
        completed = run_scout("demo", "--port", str(port), "--data-dir", str(tmp_path), check=False)
    assert_one_line_error(completed, 1, f"cannot serve on 127.0.0.1:{port}", "choose another --port")
    assert time.monotonic() - started < 20 and not (tmp_path / "demo" / "scout.sqlite3").exists()


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_demo_stops_promptly_on_sigint_and_sigterm(tmp_path, stop_signal):
    port = closed_port()
    demo = subprocess.Popen([sys.executable, "-m", "scout.cli", "demo", "--port", str(port), "--data-dir",
                             str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=scout_env(), cwd=REPO_ROOT)
    try:
        output = []
        for line in demo.stdout:
            output.append(line)
            if "Scout is serving on" in line:
                break
        assert f"http://127.0.0.1:{port}/" in output[-1], "".join(output)
        demo.send_signal(stop_signal)
        assert demo.wait(timeout=5) in (0, 130)
    finally:
        if demo.poll() is None:
            demo.kill()
        demo.wait()
    stderr = demo.stderr.read()
    demo.stdout.close(), demo.stderr.close()
    # Nothing but results on a normal run: no Scrapy deprecations, no model-loading progress bars.
    assert "Traceback" not in stderr and "Warning" not in stderr and "Loading weights" not in stderr, stderr
    hint = next(line for line in output if line.startswith("try: ")).removeprefix("try: ").strip()
    # The hint runs as printed from a fresh shell in the repository, where the venv is not on PATH.
    fresh_shell = {**scout_env(), "PATH": os.defpath}
    searched = subprocess.run(hint + " --json", shell=True, capture_output=True, text=True, env=fresh_shell,
                              cwd=REPO_ROOT, timeout=300)
    assert searched.returncode == 0 and json.loads(searched.stdout)["total"] > 0, searched.stderr


def test_a_rejected_crawl_creates_no_data_dir(tmp_path):
    data_dir = tmp_path / "new"
    assert_one_line_error(run_scout("crawl", "--url", "notaurl", "--data-dir", str(data_dir), check=False), 2,
                          "not an http(s) URL")
    assert not data_dir.exists()
