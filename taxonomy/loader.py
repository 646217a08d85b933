"""Load and validate the packaged taxonomy YAML files."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from taxonomy.model import (
    AREAS,
    Acronym,
    ApplicationInfo,
    ContextVocabulary,
    TaxonomyError,
    TRLLevel,
    TRLScale,
)

logger = logging.getLogger(__name__)

APPLICATION_COUNT = 35
EXPECTED_IDS = tuple(f"A{number:02d}" for number in range(1, APPLICATION_COUNT + 1))
TRL_LEVELS = tuple(range(1, 10))


def _read_yaml(path: str | Path | None, default_name: str) -> tuple[Any, str]:
    """Return the parsed document and a name for error messages."""
    if path is None:
        resource = resources.files("taxonomy").joinpath(default_name)
        name = f"taxonomy/{default_name}"
        text = resource.read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise TaxonomyError(f"{name}: cannot read file: {error}") from error
    try:
        return yaml.safe_load(text), name
    except yaml.YAMLError as error:
        raise TaxonomyError(f"{name}: invalid YAML: {error}") from error


def _phrase_map(value: Any, where: str, *, require_en: bool) -> dict[str, tuple[str, ...]]:
    """Validate a mapping language -> list of non-empty phrases."""
    if value is None and not require_en:
        return {}
    if not isinstance(value, dict):
        raise TaxonomyError(f"{where}: expected a mapping of language -> list of phrases")
    phrases: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise TaxonomyError(f"{where}.{lang}: expected a list of non-empty strings")
        phrases[str(lang)] = tuple(i.strip() for i in items)
    if require_en and not phrases.get("en"):
        raise TaxonomyError(f"{where}: English ('en') phrases are required")
    return phrases


def _acronyms(value: Any, where: str) -> tuple[Acronym, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TaxonomyError(f"{where}: expected a list of {{acronym, context}}")
    acronyms = []
    for item in value:
        if not isinstance(item, dict) or not str(item.get("acronym", "")).strip():
            raise TaxonomyError(f"{where}: each entry needs a non-empty 'acronym'")
        context = item.get("context") or []
        if not isinstance(context, list) or not context:
            raise TaxonomyError(f"{where} {item['acronym']}: 'context' must be a non-empty list")
        acronyms.append(Acronym(str(item["acronym"]).strip(), tuple(str(c) for c in context)))
    return tuple(acronyms)


def _application(entry: Any, index: int, name: str) -> ApplicationInfo:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{name}: entry #{index + 1} is not a mapping")
    app_id = entry.get("id")
    where = f"{name}: {app_id or f'entry #{index + 1}'}"
    expected = EXPECTED_IDS[index] if index < APPLICATION_COUNT else None
    if app_id != expected:
        raise TaxonomyError(f"{where}: expected id {expected} at position {index + 1}")
    for key in ("name", "description"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise TaxonomyError(f"{where}: '{key}' must be a non-empty string")
    areas = entry.get("areas")
    if not isinstance(areas, list) or not areas:
        raise TaxonomyError(f"{where}: 'areas' must be a non-empty list")
    unknown = [area for area in areas if area not in AREAS]
    if unknown:
        raise TaxonomyError(f"{where}: unknown area(s) {unknown}; allowed: {list(AREAS)}")
    threshold = entry.get("threshold")
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0 < threshold < 1):
        raise TaxonomyError(f"{where}: 'threshold' must be a number between 0 and 1")
    return ApplicationInfo(
        id=app_id,
        name=entry["name"].strip(),
        description=" ".join(entry["description"].split()),
        areas=tuple(areas),
        terms=_phrase_map(entry.get("terms"), f"{where} terms", require_en=True),
        acronyms=_acronyms(entry.get("acronyms"), f"{where} acronyms"),
        weak_terms=_phrase_map(entry.get("weak_terms"), f"{where} weak_terms", require_en=False),
        negative_context=tuple(str(w) for w in entry.get("negative_context") or ()),
        generic=bool(entry.get("generic", False)),
        requires_photonics=bool(entry.get("requires_photonics", False)),
        residual=bool(entry.get("residual", False)),
        threshold=float(threshold) if threshold is not None else None,
    )


def _applications_document(path: str | Path | None) -> tuple[dict, str]:
    document, name = _read_yaml(path, "applications.yaml")
    if not isinstance(document, dict) or not isinstance(document.get("applications"), list):
        raise TaxonomyError(f"{name}: expected a mapping with an 'applications' list")
    return document, name


def load_applications(path: str | Path | None = None) -> dict[str, ApplicationInfo]:
    """Load the 35 applications, keyed and ordered by id (A01..A35).

    Raises TaxonomyError naming the file and the offending entry when the file does not
    hold exactly the seed's 35 ids in order with a name, description, English terms and
    known areas.
    """
    document, name = _applications_document(path)
    entries = document["applications"]
    applications: dict[str, ApplicationInfo] = {}
    for index, entry in enumerate(entries):
        application = _application(entry, index, name)
        applications[application.id] = application
    if len(applications) != APPLICATION_COUNT:
        missing = [i for i in EXPECTED_IDS if i not in applications]
        raise TaxonomyError(
            f"{name}: expected {APPLICATION_COUNT} applications, found {len(applications)}; "
            f"missing {missing}"
        )
    logger.debug("loaded %d applications from %s", len(applications), name)
    return applications


def load_context_vocabulary(path: str | Path | None = None) -> ContextVocabulary:
    """Load the health and photonics context word lists of applications.yaml."""
    document, name = _applications_document(path)
    return ContextVocabulary(
        health=_phrase_map(document.get("health_context"), f"{name}: health_context", require_en=True),
        photonics=_phrase_map(
            document.get("photonics_context"), f"{name}: photonics_context", require_en=True
        ),
    )


def _trl_level(entry: Any, index: int, name: str) -> TRLLevel:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{name}: level entry #{index + 1} is not a mapping")
    level = entry.get("level")
    where = f"{name}: level {level if level is not None else f'entry #{index + 1}'}"
    expected = TRL_LEVELS[index] if index < len(TRL_LEVELS) else None
    if level != expected:
        raise TaxonomyError(f"{where}: expected levels 1..9 in order")
    for key in ("label", "definition"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise TaxonomyError(f"{where}: '{key}' must be a non-empty string")
    return TRLLevel(
        level=level,
        label=entry["label"].strip(),
        definition=" ".join(entry["definition"].split()),
        cues=_phrase_map(entry.get("cues"), f"{where} cues", require_en=True),
        weak_cues=_phrase_map(entry.get("weak_cues"), f"{where} weak_cues", require_en=False),
    )


def load_trl(path: str | Path | None = None) -> TRLScale:
    """Load the TRL scale with its negation and future wording."""
    document, name = _read_yaml(path, "trl.yaml")
    if not isinstance(document, dict) or not isinstance(document.get("levels"), list):
        raise TaxonomyError(f"{name}: expected a mapping with a 'levels' list")
    levels = [_trl_level(entry, i, name) for i, entry in enumerate(document["levels"])]
    if [level.level for level in levels] != list(TRL_LEVELS):
        raise TaxonomyError(f"{name}: expected exactly the levels 1..9, found {[l.level for l in levels]}")
    return TRLScale(
        levels={level.level: level for level in levels},
        negation=_phrase_map(document.get("negation"), f"{name}: negation", require_en=False),
        future=_phrase_map(document.get("future"), f"{name}: future", require_en=False),
    )


def load_trl_scale(path: str | Path | None = None) -> dict[int, TRLLevel]:
    """Load the nine TRL levels keyed by level (1..9)."""
    return load_trl(path).levels
