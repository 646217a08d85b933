import re
from pathlib import Path

import pytest
import yaml

from scout.registry import (
    PACKAGED_ORGANISATIONS_DIR,
    RegistryError,
    load_registry,
    parse_organisations,
    registry_by_id,
)

TARGET_MARKETS = ("usa", "canada", "singapore", "malaysia", "south-korea", "israel", "japan", "australia", "south-africa")
PARTNER_CLUSTERS = {
    "litek": "LT",
    "opticsvalley": "FR",
    "optence": "DE",
    "medicen": "FR",
    "biocat": "ES",
    "human-technology-styria": "AT",
}
# Country of ECCP clusters no. 1..98, in the order of the annex table in seed 002.
ECCP_COUNTRIES = """
    NL ES FR FR ES PT IT ES ES DE DE IT DE PL BE NL IT IT ES ES IT IT DE BE IT PL FR EE FR BE IT ES ES
    RO NL ES GR NL AT FR SI FR IT BE HU IT IE TR DE FI PL SK DE BE LT LT LT IT PL FR PT FR FR DE DE FR
    PL GR DE FR RU PL GB FR DE HU FR FR BE BE PL IT RO RO BA PL ES ES HU NL DE DE FR ES RO IT FR PL
""".split()


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def valid_record(**changes):
    record = {
        "id": "example",
        "name": "Example Photonics Association",
        "country": "US",
        "market": "usa",
        "type": "association",
        "website": "https://www.example.org/",
        "languages": ["en"],
        "source": "test",
    }
    record.update(changes)
    return record


def write_yaml(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the packaged registry ---------------------------------------------------------------------


def test_packaged_registry_loads_with_unique_ids(registry):
    ids = [org.id for org in registry]
    assert len(ids) > 100
    assert len(ids) == len(set(ids))
    assert registry_by_id(registry).keys() == set(ids)


def test_six_partner_clusters_present(registry):
    by_id = registry_by_id(registry)
    for org_id, country in PARTNER_CLUSTERS.items():
        assert by_id[org_id].country == country
        assert "partner-cluster" in by_id[org_id].roles
        assert by_id[org_id].market == "europe"


def test_all_98_eccp_clusters_present_with_country(registry):
    eccp = [org for org in registry if "eccp-cluster" in org.roles]
    country_by_number = {int(re.search(r"no\. (\d+)$", org.source).group(1)): org.country for org in eccp}
    assert len(eccp) == 98
    assert country_by_number == dict(enumerate(ECCP_COUNTRIES, start=1))
    assert all(org.market == "europe" for org in eccp)
    names = {org.name for org in eccp}
    assert "TechnologyMountains e.V." in names
    assert "GAIA.-Association of Electronic and Information Technologies in the Basque Country" in names


def test_every_target_market_has_an_organisation(registry):
    markets = {org.market for org in registry}
    for market in TARGET_MARKETS:
        assert market in markets, market


def test_no_email_addresses_in_data():
    for path in PACKAGED_ORGANISATIONS_DIR.glob("*.yaml"):
        assert "@" not in path.read_text(encoding="utf-8"), path.name


def test_start_urls_default_to_website_and_null_website_is_not_crawlable(registry):
    by_id = registry_by_id(registry)
    assert by_id["biocat"].start_urls == ("https://www.biocat.cat/",)
    assert by_id["biocat"].allowed_hosts == ("www.biocat.cat", "biocat.cat")
    assert by_id["litek"].website is None and by_id["litek"].start_urls == ()


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"country": "XX"}, "country"),
        ({"country": "us"}, "country"),
        ({"country": False}, "quotes"),  # what unquoted NO (Norway) becomes in YAML
        ({"type": "university"}, "type"),
        ({"market": "china"}, "market"),
        ({"website": "ftp://example.org/"}, "website"),
        ({"website": "www.example.org"}, "website"),
        ({"id": "Bad Id"}, "id"),
        ({"languages": ["english"]}, "languages"),
        ({"include": ["(unclosed"]}, "include"),
        ({"exclude": ["[a-"]}, "exclude"),
        ({"start_urls": ["https://elsewhere.org/"]}, "not in allowed_hosts"),
        ({"allowed_hosts": ["https://www.example.org/"]}, "allowed_hosts"),
        ({"roles": ["friend"]}, "roles"),
        ({"role": "target-contact"}, "roles: [target-contact]"),
        ({"webiste": "https://www.example.org/"}, "unknown field"),
    ],
)
def test_invalid_field_is_rejected_naming_source_entry_and_field(changes, message):
    with pytest.raises(RegistryError, match=re.escape(message)) as error:
        parse_organisations([valid_record(), valid_record(**{"id": "second", **changes})], "orgs.yaml")
    assert str(error.value).startswith("orgs.yaml: entry 2")


def test_missing_website_field_is_rejected():
    record = valid_record()
    del record["website"]
    with pytest.raises(RegistryError, match="missing field.*website"):
        parse_organisations([record], "orgs.yaml")


def test_bad_yaml_file_names_file_entry_and_field(tmp_path):
    path = write_yaml(
        tmp_path,
        "bad.yaml",
        "- id: acme\n  name: Acme\n  country: ZZ\n  market: usa\n  type: company\n"
        "  website: null\n  languages: [en]\n  source: test\n",
    )
    with pytest.raises(RegistryError, match=r"bad\.yaml: entry 1 \(id 'acme'\): country: 'ZZ'"):
        load_registry([path])


def test_duplicate_id_across_files_is_rejected(tmp_path):
    entry = (
        "- id: acme\n  name: Acme\n  country: US\n  market: usa\n  type: company\n"
        "  website: https://acme.example/\n  languages: [en]\n  source: test\n"
    )
    first = write_yaml(tmp_path, "a.yaml", entry)
    second = write_yaml(tmp_path, "b.yaml", entry)
    with pytest.raises(RegistryError, match=r"b\.yaml: entry 1 \(id 'acme'\): id: duplicate id 'acme', already defined in .*a\.yaml"):
        load_registry([first, second])


def test_duplicate_id_within_file_is_rejected():
    with pytest.raises(RegistryError, match="duplicate id 'example'"):
        parse_organisations([valid_record(), valid_record()], "orgs.yaml")


def test_file_must_hold_a_list(tmp_path):
    path = write_yaml(tmp_path, "mapping.yaml", "id: acme\n")
    with pytest.raises(RegistryError, match="mapping.yaml: expected a list"):
        load_registry([path])


# --- URL filtering -------------------------------------------------------------------------------


def test_url_allowed_honours_hosts():
    (org,) = parse_organisations([valid_record(allowed_hosts=["www.example.org", "example.org:8080"])], "t")
    assert org.url_allowed("https://www.example.org/news")
    assert org.url_allowed("https://WWW.Example.org/news")
    assert org.url_allowed("http://example.org:8080/x")
    assert not org.url_allowed("http://example.org/x")  # port differs
    assert not org.url_allowed("https://evil.example.com/")
    assert not org.url_allowed("mailto:someone")
    assert not org.host_allowed("https://www.example.org.evil.com/")


def test_default_allowed_hosts_are_website_host_and_www_twin():
    (org,) = parse_organisations([valid_record()], "t")
    assert org.allowed_hosts == ("www.example.org", "example.org")
    assert org.host_allowed("https://example.org/")
    assert not org.host_allowed("https://news.example.org/")


def test_url_allowed_honours_include_and_exclude():
    (org,) = parse_organisations([valid_record(include=["/en/", "photonic"], exclude=[r"\.pdf$", "/login"])], "t")
    assert org.url_allowed("https://www.example.org/en/members")
    assert org.url_allowed("https://www.example.org/de/photonics")
    assert not org.url_allowed("https://www.example.org/de/mitglieder")  # matches no include
    assert not org.url_allowed("https://www.example.org/en/report.pdf")  # exclude wins
    assert not org.url_allowed("https://www.example.org/en/login")


def test_organisation_is_frozen_with_tuples():
    (org,) = parse_organisations([valid_record()], "t")
    assert isinstance(org.languages, tuple) and isinstance(org.start_urls, tuple)
    with pytest.raises(AttributeError):
        org.name = "changed"  # type: ignore[misc]


# --- one organisation, listed once -------------------------------------------------------------


def test_organisation_with_several_roles_is_listed_once(registry):
    by_id = registry_by_id(registry)
    assert by_id["biocat"].roles == ("partner-cluster", "eccp-cluster")
    assert by_id["biocat"].source.endswith("Table 2 no. 9")
    assert "eccp-biocat" not in by_id


@pytest.mark.parametrize(
    "second, message",
    [
        ({"id": "acme"}, r"id: duplicate id 'acme'"),
        ({"name": "ACME GmbH"}, r"name: duplicate normalised name 'acme', already defined in .*a\.yaml \(id 'acme'\)"),
        ({"name": "Acmé (Acme Photonics Cluster)"}, r"name: duplicate normalised name 'acme'"),
        ({"website": "http://acme.example"}, r"website: duplicate website 'acme\.example'"),
    ],
)
def test_duplicate_id_name_or_website_across_files_is_rejected(tmp_path, second, message):
    first = {"id": "acme", "name": "Acme", "website": "https://www.acme.example/"}
    other = {"id": "other", "name": "Other Photonics", "website": "https://other.example/", **second}
    a = write_yaml(tmp_path, "a.yaml", yaml.safe_dump([valid_record(**first)]))
    b = write_yaml(tmp_path, "b.yaml", yaml.safe_dump([valid_record(**other)]))
    with pytest.raises(RegistryError, match=r"b\.yaml: entry 1 \(id '(acme|other)'\): " + message):
        load_registry([a, b])


def test_same_host_with_another_path_is_another_organisation(tmp_path):
    records = [valid_record(id="lab-a", name="Lab A", website="https://uni.example/lab-a", allowed_hosts=["uni.example"]),
               valid_record(id="lab-b", name="Lab B", website="https://uni.example/lab-b", allowed_hosts=["uni.example"])]
    assert [org.id for org in load_registry([write_yaml(tmp_path, "labs.yaml", yaml.safe_dump(records))])] == ["lab-a", "lab-b"]


def test_unreadable_file_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match=r"missing\.yaml: cannot read file"):
        load_registry([tmp_path / "missing.yaml"])
