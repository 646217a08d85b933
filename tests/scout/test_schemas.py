"""JSON Schemas for editors: shipped up to date, accepting the packaged files, named by each file."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from scout.cli import main
from scout.schemas import FILE_KINDS, SCHEMAS_DIR, json_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]
FILES_OF_KIND = {
    "registry": sorted((ROOT / "data" / "organisations").glob("*.yaml")),
    **{kind: [ROOT / "taxonomy" / f"{kind}.yaml"] for kind in ("applications", "trl", "regulatory", "roles", "places")},
    "settings": [ROOT / "data" / "settings.yaml"],
}


def test_every_kind_has_its_files():
    assert set(FILES_OF_KIND) == set(FILE_KINDS)
    assert all(FILES_OF_KIND.values())


@pytest.mark.parametrize("kind", FILE_KINDS)
def test_shipped_schema_is_up_to_date(kind):
    shipped = SCHEMAS_DIR / f"{kind}.schema.json"
    assert shipped.read_text(encoding="utf-8") == schema_text(kind), (
        f"regenerate it: scout schema {kind} > data/schemas/{kind}.schema.json")


@pytest.mark.parametrize("kind", FILE_KINDS)
def test_packaged_files_satisfy_their_schema_and_name_it(kind):
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    for path in FILES_OF_KIND[kind]:
        text = path.read_text(encoding="utf-8")
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
        assert not errors, (path.name, errors[:3])
        comment = text.splitlines()[0]
        assert comment.startswith("# yaml-language-server: $schema="), path
        assert (path.parent / comment.split("=", 1)[1]).resolve() == SCHEMAS_DIR / f"{kind}.schema.json"


def test_schema_rejects_what_scout_rejects():
    validator = jsonschema.Draft202012Validator(json_schema("registry"))
    entry = {"id": "acme", "name": "Acme", "country": "US", "market": "usa", "type": "company",
             "website": None, "languages": ["en"], "source": "test", "roles": ["eccp-cluster"]}
    assert validator.is_valid([entry])
    assert not validator.is_valid([{**entry, "country": "XX"}])
    assert not validator.is_valid([{**entry, "roles": ["friend"]}])
    assert not validator.is_valid([{**entry, "webiste": "https://acme.example/"}])
    trl = jsonschema.Draft202012Validator(json_schema("trl"))
    assert not trl.is_valid({"levels": [{"level": 10, "label": "x", "definition": "y", "cues": {"en": ["z"]}}]})


def test_cli_prints_schema_and_rejects_unknown_kind():
    result = CliRunner().invoke(main, ["schema", "registry"])
    assert result.exit_code == 0 and json.loads(result.output) == json_schema("registry")
    result = CliRunner().invoke(main, ["schema", "nope"])
    assert result.exit_code == 2 and "'nope' is not one of 'registry'" in result.output
