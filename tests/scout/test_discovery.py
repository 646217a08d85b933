"""Discovery → review → registry: candidates from the fixture listing site, de-duplicated, ranked and decided,
through the service and through the `scout discover`, `scout candidates` and `scout org` commands."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from scout import cli, discovery
from scout.registry import RegistryError, add_organisation, added_organisations_path, load_registry_for, parse_organisations
from scout.settings import load_settings
from store import FetchedPage, Store
from tests.listing_fixture import layouts, precision_recall, store_listing_site

BASE = "http://127.0.0.1:8765/"
ORGANISATIONS = [
    {"id": "lumiere", "name": "Lumière Photonics Health Cluster", "country": "FR", "market": "europe",
     "type": "cluster", "website": BASE, "languages": ["en"], "source": "test"},
    {"id": "tokai-cluster", "name": "Tokai Medical Photonics Cluster", "country": "JP", "market": "japan",
     "type": "cluster", "website": "https://tokai.example/", "languages": ["en"], "source": "test"},
]
# A registry organisation the fixture's members page also lists: known, so never a candidate.
REGISTRY = parse_organisations([{
    "id": "fluorisense", "name": "Fluorisense Labs", "country": "SG", "market": "singapore", "type": "company",
    "website": "https://www.fluorisense.example/", "languages": ["en"], "source": "test"}], "test registry")
TOKAI_MEMBERS = """<html><head><title>Members</title></head><body><main><h1>Our members</h1><ul>
<li><a href="https://auroramed.example/">Aurora Medical Optics Inc.</a> — OCT</li>
<li><a href="https://www.jadebio.example/">Jade Biophotonics</a> — diagnostics</li>
<li><a href="https://www.sakae-lasers.example/">Sakae Lasers</a> (Japan) — Q-switched lasers for dermatology</li>
</ul></main></body></html>"""


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def store(settings):
    with Store.open(settings.database_path) as opened:
        opened.upsert_organisations(ORGANISATIONS)
        store_listing_site(opened, BASE, "lumiere")
        run_id = opened.start_crawl_run(["tokai-cluster"])
        opened.record_fetch(run_id, FetchedPage(
            url="https://tokai.example/members", final_url="https://tokai.example/members",
            organisation_id="tokai-cluster", http_status=200, content_type="text/html",
            body=TOKAI_MEMBERS.encode(), encoding="utf-8"))
        yield opened


def expected_members() -> list[tuple[str, str | None]]:
    members = {}
    for layout in layouts().values():
        for name, website in layout["members"]:
            members.setdefault(name, (name, website))
    return list(members.values())


def test_discovery_finds_the_listed_organisations_once_each(store):
    report = discovery.discover(store, REGISTRY)
    found = discovery.candidates(store)
    lumiere_only = [(c.name, c.website) for c in found if c.name != "Sakae Lasers"]
    precision, recall = precision_recall(lumiere_only, expected_members())
    assert precision == 1.0
    assert recall == pytest.approx(1 - 1 / len(expected_members()))  # Fluorisense is already in the registry
    assert "Fluorisense Labs" not in {c.name for c in found}
    assert report.known == 1 and report.listing_pages == 8
    names = [c.name for c in found]
    assert len(names) == len(set(names))  # Aurora (two layouts, two site spellings) and Vega (two pages) once


def test_a_candidate_listed_by_several_organisations_ranks_first(store):
    discovery.discover(store, REGISTRY)
    found = discovery.candidates(store)
    assert {found[0].name, found[1].name} == {"Aurora Medical Optics", "Jade Biophotonics"}
    aurora = found[0] if found[0].name == "Aurora Medical Optics" else found[1]
    assert discovery.listed_by(aurora) == ["lumiere", "tokai-cluster"]
    assert len(aurora.listings) == 3 and aurora.country == "CA"


def test_candidates_filter_by_market_and_application(store):
    discovery.discover(store, REGISTRY)
    japan = {c.name for c in discovery.candidates(store, market="japan")}
    assert "Sakae Lasers" in japan and "EndoVista Imaging" in japan and "Aurora Medical Optics" not in japan
    assert "Pulsar Q-Switch" in {c.name for c in discovery.candidates(store, application="A08")}


def test_a_rejected_candidate_is_never_proposed_again(store):
    discovery.discover(store, REGISTRY)
    discovery.reject(store, "lumen-optics")
    discovery.discover(store, REGISTRY)
    assert "lumen-optics" not in {c.id for c in discovery.candidates(store)}
    with pytest.raises(discovery.CandidateError, match="already rejected"):
        discovery.reject(store, "lumen-optics")
    with pytest.raises(discovery.CandidateError, match="no candidate"):
        discovery.accept(store, store.path.parent, "nobody")


def test_an_accepted_candidate_joins_the_registry_with_its_listing_as_source(store, settings):
    discovery.discover(store, REGISTRY)
    organisation = discovery.accept(store, settings.data_dir, "endovista-imaging", "company")
    assert (organisation.country, organisation.market, organisation.website) == (
        "JP", "japan", "https://www.endovista.example/")
    assert organisation.source == f"listed on {BASE}members.html by Lumière Photonics Health Cluster"
    assert organisation.crawlable and "endovista-imaging" in {o.id for o in load_registry_for(settings.data_dir)}
    assert store.candidate("endovista-imaging").status == "accepted"
    discovery.discover(store, REGISTRY)
    assert "endovista-imaging" not in {c.id for c in discovery.candidates(store)}


def test_accepting_needs_a_country_where_the_listings_give_none(store, settings):
    discovery.discover(store, REGISTRY)
    with pytest.raises(discovery.CandidateError, match="give --country"):
        discovery.accept(store, settings.data_dir, "vega-optogenetics")
    assert discovery.accept(store, settings.data_dir, "vega-optogenetics", "research-institute", country="de").market \
        == "europe"


def test_the_added_registry_rejects_a_duplicate_of_the_packaged_one(settings):
    packaged = load_registry_for(settings.data_dir)[0]
    record = {"id": "another-id", "name": packaged.name, "country": "FR", "market": "europe", "type": "company",
              "website": None, "languages": ["en"], "source": "test"}
    with pytest.raises(RegistryError, match="duplicate normalised name"):
        add_organisation(settings.data_dir, record)
    assert not added_organisations_path(settings.data_dir).exists()


# -- the commands -------------------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture
def data_dir(store, settings):
    return str(settings.data_dir)


def test_discover_then_candidates_json_has_the_documented_shape(data_dir):
    result = run("discover", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    assert "candidates to review" in result.output
    listed = json.loads(run("candidates", "--json", "--data-dir", data_dir).output)["candidates"]
    first = listed[0]
    assert set(first) == {"id", "name", "website", "country", "applications", "evidence", "listed_by"}
    assert set(first["evidence"][0]) == {"url", "text"}
    assert [org["id"] for org in first["listed_by"]] == ["lumiere", "tokai-cluster"]
    japan = json.loads(run("candidates", "--json", "--market", "japan", "--data-dir", data_dir).output)
    assert {c["name"] for c in japan["candidates"]} >= {"Sakae Lasers"}


def test_candidates_accept_and_reject_from_the_command_line(data_dir):
    run("discover", "--data-dir", data_dir)
    accepted = run("candidates", "accept", "cortex-light-therapeutics", "--type", "company", "--data-dir", data_dir)
    assert accepted.exit_code == 0, accepted.output
    assert "crawled from the next" in accepted.output
    assert run("candidates", "reject", "lumen-optics", "--data-dir", data_dir).exit_code == 0
    remaining = {c["id"] for c in json.loads(run("candidates", "--json", "--data-dir", data_dir).output)["candidates"]}
    assert not remaining & {"cortex-light-therapeutics", "lumen-optics"}
    listed = json.loads(run("org", "list", "--json", "--data-dir", data_dir).output)["organisations"]
    assert "cortex-light-therapeutics" in {org["id"] for org in listed}
    exported = yaml.safe_load(run("org", "export", "--data-dir", data_dir).output)
    assert [entry["id"] for entry in exported] == ["cortex-light-therapeutics"]


@pytest.mark.parametrize("args, message", [
    (("candidates", "accept", "nobody"), "no candidate with id 'nobody'"),
    (("candidates", "--app", "A99"), "unknown application id"),
    (("candidates", "--market", "mars"), "'mars' is not one of"),
])
def test_bad_candidate_input_is_one_line_and_exit_2(data_dir, args, message):
    result = run(*args, "--data-dir", data_dir)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_org_add_validates_and_writes_the_data_directory_registry(tmp_path):
    data_dir = str(tmp_path / "d")
    added = run("org", "add", "--id", "kobe-optics", "--name", "Kobe Optics", "--country", "JP", "--type", "company",
                "--website", "https://kobe-optics.example/", "--data-dir", data_dir)
    assert added.exit_code == 0, added.output
    again = run("org", "add", "--id", "kobe-optics-2", "--name", "Kobe Optics", "--country", "JP", "--type",
                "company", "--data-dir", data_dir)
    assert again.exit_code == 2 and "duplicate" in again.output
    bad = run("org", "add", "--id", "Bad Id", "--name", "X", "--country", "JP", "--type", "company",
              "--data-dir", data_dir)
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
    assert "kobe-optics" in run("org", "list", "--data-dir", data_dir).output


def test_discover_needs_a_store(tmp_path):
    result = run("discover", "--data-dir", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "no Scout data" in result.output
