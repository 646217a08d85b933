"""The packaged taxonomy loads, is complete and rejects broken files clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from taxonomy import (
    APPLICATIONS,
    AREAS,
    TRL,
    Application,
    TaxonomyError,
    load_applications,
    load_trl,
    load_trl_scale,
)

PACKAGED_APPLICATIONS = Path(__file__).resolve().parents[2] / "taxonomy" / "applications.yaml"


def test_thirty_five_applications_in_seed_order():
    assert list(APPLICATIONS) == [f"A{i:02d}" for i in range(1, 36)]
    assert APPLICATIONS["A01"].name.startswith("Photonics microscopy")
    assert APPLICATIONS["A20"].name == "Optical coherence tomography"
    assert APPLICATIONS["A35"].name == "General laser components and systems"


def test_application_enum_mirrors_the_yaml():
    assert len(Application) == 35
    assert [member.value for member in Application] == list(APPLICATIONS)
    assert all(member.value == member.name for member in Application)
    assert Application("A26") is Application.A26


def test_every_application_is_complete():
    for app in APPLICATIONS.values():
        assert app.name and app.description, app.id
        assert 2 <= app.description.count(". ") + 1 <= 6, app.id
        assert app.terms["en"], app.id
        assert set(app.areas) <= set(AREAS), app.id
        for acronym in app.acronyms:
            assert acronym.context, (app.id, acronym.acronym)


def test_vocabulary_is_rich_and_multilingual():
    english_counts = [len(app.terms["en"]) for app in APPLICATIONS.values()]
    assert min(english_counts) >= 10
    assert sum(english_counts) / len(english_counts) >= 15
    assert all({"de", "fr"} <= set(app.terms) for app in APPLICATIONS.values())


def test_generic_and_residual_applications_follow_labelling_rules():
    assert {a.id for a in APPLICATIONS.values() if a.generic} == {"A05", "A22", "A27"}
    assert {a.id for a in APPLICATIONS.values() if a.residual} == {"A35"}


def test_trl_scale_has_nine_levels_with_labels_and_cues():
    scale = load_trl_scale()
    assert list(scale) == list(range(1, 10))
    assert all(level.label and level.definition and level.cues["en"] for level in scale.values())
    assert list(TRL) == list(scale) and scale[TRL.ONE].label == "Basic principles observed"
    assert "510(k)" in scale[9].cues["en"]


def _write_applications(tmp_path: Path, mutate) -> Path:
    document = yaml.safe_load(PACKAGED_APPLICATIONS.read_text(encoding="utf-8"))
    mutate(document["applications"])
    path = tmp_path / "applications.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_copy_of_packaged_file_loads_from_a_path(tmp_path):
    path = _write_applications(tmp_path, lambda apps: None)
    assert list(load_applications(path)) == list(APPLICATIONS)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda apps: apps[6].update(description=""), "A07"),
        (lambda apps: apps[11]["terms"].pop("en"), "A12"),
        (lambda apps: apps[2].update(areas=["astrology"]), "A03"),
        (lambda apps: apps[4].update(id="A04"), "A04"),
        (lambda apps: apps.pop(), "expected 35"),
    ],
    ids=["empty-description", "no-english-terms", "unknown-area", "duplicate-id", "missing-entry"],
)
def test_broken_applications_file_names_file_and_entry(tmp_path, mutate, expected):
    path = _write_applications(tmp_path, mutate)
    with pytest.raises(TaxonomyError) as error:
        load_applications(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_invalid_yaml_and_incomplete_trl_scale_raise(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("applications: [\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="broken.yaml"):
        load_applications(broken)

    short_scale = tmp_path / "trl.yaml"
    short_scale.write_text(
        yaml.safe_dump({"levels": [{"level": 1, "label": "x", "definition": "y", "cues": {"en": ["a"]}}]}),
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="1..9"):
        load_trl_scale(short_scale)


# -- regulatory, roles and places vocabularies -------------------------------------------------

from taxonomy import load_places, load_regulatory, load_roles  # noqa: E402

TAXONOMY_DIR = Path(__file__).resolve().parents[2] / "taxonomy"


def _write_mutated(tmp_path: Path, name: str, mutate) -> Path:
    document = yaml.safe_load((TAXONOMY_DIR / name).read_text(encoding="utf-8"))
    mutate(document)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_packaged_regulatory_roles_and_places_load():
    regulatory = load_regulatory()
    assert {a.authority for a in regulatory.authorities} >= {"FDA", "CE", "Health Canada", "HSA", "MFDS",
                                                             "PMDA/MHLW", "TGA", "AMAR"}
    assert {a.market for a in regulatory.authorities} >= {"US", "EU", "CA", "SG", "KR", "JP", "AU", "IL"}
    assert "no" in regulatory.status_cues["negated"]["en"]  # YAML would read a bare no as false
    roles = load_roles()
    assert list(roles.roles) == ["component-supplier", "system-supplier", "end-user", "research", "intermediary"]
    assert roles.organisation_types["hospital"] == ("end-user",)
    places = load_places()
    assert "ON" in places.canadian_provinces and places.countries["SG"].phone == "65"


@pytest.mark.parametrize(
    ("name", "loader", "mutate", "expected"),
    [
        ("regulatory.yaml", load_regulatory, lambda d: d["authorities"][0].update(market="usa"), "market"),
        ("regulatory.yaml", load_regulatory, lambda d: d["authorities"][1]["mentions"][0].update(status="done"),
         "status"),
        ("regulatory.yaml", load_regulatory, lambda d: d["status_cues"].pop("planned"), "planned"),
        ("regulatory.yaml", load_regulatory, lambda d: d["europe_entry"][0].update(all_of=[]), "all_of"),
        ("roles.yaml", load_roles, lambda d: d["organisation_types"].update(hospital="surgeon"), "surgeon"),
        ("roles.yaml", load_roles, lambda d: d["roles"][0].pop("label"), "label"),
        ("places.yaml", load_places, lambda d: d["countries"].update(usa=d["countries"]["US"]), "usa"),
        ("places.yaml", load_places, lambda d: d["countries"]["US"].update(phone="+1"), "phone"),
        ("places.yaml", load_places, lambda d: d["countries"]["US"]["names"].append(False), "quotes"),
    ],
)
def test_broken_vocabulary_files_name_file_and_entry(tmp_path, name, loader, mutate, expected):
    path = _write_mutated(tmp_path, name, mutate)
    with pytest.raises(TaxonomyError) as error:
        loader(path)
    assert str(path) in str(error.value) and expected in str(error.value)


@pytest.mark.parametrize(
    ("name", "loader", "mutate", "expected"),
    [
        ("applications.yaml", load_applications, lambda d: d["applications"][4].update(treshold=0.3),
         "entry 5 (id 'A05'): treshold"),
        ("applications.yaml", load_applications, lambda d: d.update(photonic_context={"en": ["laser"]}),
         "photonic_context"),
        ("trl.yaml", load_trl_scale, lambda d: d["levels"][0].update(weak_cue={"en": ["idea"]}),
         "entry 1 (level 1): weak_cue"),
        ("regulatory.yaml", load_regulatory, lambda d: d["authorities"][0].update(markets=["US"]), "markets"),
        ("roles.yaml", load_roles, lambda d: d["organisation_types"].update(university="research"), "university"),
        ("places.yaml", load_places, lambda d: d["countries"]["US"].update(city=["Boston"]), "US: city"),
    ],
)
def test_unknown_keys_are_rejected_not_ignored(tmp_path, name, loader, mutate, expected):
    path = _write_mutated(tmp_path, name, mutate)
    with pytest.raises(TaxonomyError) as error:
        loader(path)
    assert str(path) in str(error.value) and expected in str(error.value)
    assert "\n" not in str(error.value)


def test_application_ids_and_trl_levels_are_checked_against_their_enums(tmp_path):
    path = _write_mutated(tmp_path, "applications.yaml", lambda d: d["applications"][4].update(id="A36"))
    with pytest.raises(TaxonomyError, match=r"entry 5 \(id 'A36'\): id: Input should be one of 'A01'.*'A35'"):
        load_applications(path)
    path = _write_mutated(tmp_path, "trl.yaml", lambda d: d["levels"][2].update(level=10))
    with pytest.raises(TaxonomyError, match=r"entry 3 \(level 10\): level: Input should be one of 1.*9"):
        load_trl_scale(path)
    assert isinstance(next(iter(load_roles().organisation_types)), str)


TAXONOMY_LANGUAGES = {"en", "de", "fr", "es", "ja", "ko"}


def test_trl_cues_negation_and_plans_cover_every_language():
    scale = load_trl()
    assert set(scale.negation) == set(scale.future) == TAXONOMY_LANGUAGES
    for level in scale.levels.values():
        assert set(level.cues) == TAXONOMY_LANGUAGES, level.level
        assert set(level.weak_cues) == TAXONOMY_LANGUAGES, level.level


def test_regulatory_status_cues_cover_every_language():
    regulatory = load_regulatory()
    assert all(set(by_language) == TAXONOMY_LANGUAGES for by_language in regulatory.status_cues.values())
