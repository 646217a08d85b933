"""Load and validate the packaged taxonomy YAML files."""

from __future__ import annotations

import logging
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from taxonomy.model import (
    AREAS,
    REGULATORY_STATUSES,
    Acronym,
    ApplicationInfo,
    Authority,
    ContextVocabulary,
    CountryInfo,
    EuropeEntrySignal,
    PlaceVocabulary,
    RegulatoryMention,
    RegulatoryVocabulary,
    RoleInfo,
    RoleVocabulary,
    TaxonomyError,
    TRLLevel,
    TRLScale,
)

logger = logging.getLogger(__name__)

APPLICATION_COUNT = 35
EXPECTED_IDS = tuple(f"A{number:02d}" for number in range(1, APPLICATION_COUNT + 1))
TRL_LEVELS = tuple(range(1, 10))
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


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


def _strings(value: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A list of non-empty strings (numbers written bare in YAML are read as text)."""
    if value is None and allow_empty:
        return ()
    if not isinstance(value, list) or not all(isinstance(i, (str, int)) and str(i).strip() for i in value):
        raise TaxonomyError(f"{where}: expected a list of non-empty strings")
    if not value and not allow_empty:
        raise TaxonomyError(f"{where}: the list is empty")
    return tuple(str(i).strip() for i in value)


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise TaxonomyError(f"{where}: expected a mapping")
    return value


def _regulatory_mention(entry: Any, where: str) -> RegulatoryMention:
    if not isinstance(entry, dict) or not str(entry.get("phrase", "")).strip():
        raise TaxonomyError(f"{where}: each mention needs a non-empty 'phrase'")
    status = entry.get("status")
    if status is not None and status not in REGULATORY_STATUSES:
        raise TaxonomyError(f"{where} {entry['phrase']!r}: status must be one of {list(REGULATORY_STATUSES)}")
    pathway = entry.get("pathway")
    return RegulatoryMention(str(entry["phrase"]).strip(), str(pathway) if pathway is not None else None, status)


def _authority(entry: Any, index: int, name: str) -> Authority:
    entry = _mapping(entry, f"{name}: authority #{index + 1}")
    authority = str(entry.get("authority") or "").strip()
    where = f"{name}: authority {authority or f'#{index + 1}'}"
    if not authority:
        raise TaxonomyError(f"{where}: 'authority' must be a non-empty string")
    market = entry.get("market")
    if not isinstance(market, str) or not COUNTRY_CODE.fullmatch(market):
        raise TaxonomyError(f"{where}: 'market' must be a two-letter upper-case code (ISO alpha-2, EU)")
    mentions = entry.get("mentions")
    if not isinstance(mentions, list) or not mentions:
        raise TaxonomyError(f"{where}: 'mentions' must be a non-empty list")
    return Authority(authority, market, tuple(_regulatory_mention(m, f"{where} mentions") for m in mentions))


def _europe_entry_signal(entry: Any, index: int, name: str) -> EuropeEntrySignal:
    entry = _mapping(entry, f"{name}: europe_entry #{index + 1}")
    signal = str(entry.get("signal") or "").strip()
    where = f"{name}: europe_entry {signal or f'#{index + 1}'}"
    if not signal:
        raise TaxonomyError(f"{where}: 'signal' must be a non-empty string")
    groups = entry.get("all_of")
    if not isinstance(groups, list) or not groups:
        raise TaxonomyError(f"{where}: 'all_of' must be a non-empty list of phrase lists")
    return EuropeEntrySignal(signal, tuple(_strings(group, f"{where} all_of") for group in groups))


def load_regulatory(path: str | Path | None = None) -> RegulatoryVocabulary:
    """Load authorities, status cues and Europe-entry signals (taxonomy/regulatory.yaml)."""
    document, name = _read_yaml(path, "regulatory.yaml")
    document = _mapping(document, name)
    cues = _mapping(document.get("status_cues"), f"{name}: status_cues")
    unknown = set(cues) - set(REGULATORY_STATUSES)
    missing = set(REGULATORY_STATUSES) - set(cues)
    if unknown or missing:
        raise TaxonomyError(
            f"{name}: status_cues must list exactly {list(REGULATORY_STATUSES)}"
            f" (unknown {sorted(unknown)}, missing {sorted(missing)})"
        )
    authorities = document.get("authorities")
    if not isinstance(authorities, list) or not authorities:
        raise TaxonomyError(f"{name}: 'authorities' must be a non-empty list")
    signals = document.get("europe_entry") or []
    if not isinstance(signals, list):
        raise TaxonomyError(f"{name}: 'europe_entry' must be a list")
    return RegulatoryVocabulary(
        status_cues={
            status: _phrase_map(cues[status], f"{name}: status_cues.{status}", require_en=True)
            for status in REGULATORY_STATUSES
        },
        authorities=tuple(_authority(entry, i, name) for i, entry in enumerate(authorities)),
        europe_entry=tuple(_europe_entry_signal(entry, i, name) for i, entry in enumerate(signals)),
    )


def load_roles(path: str | Path | None = None) -> RoleVocabulary:
    """Load the value-chain roles and the registry types that settle them (taxonomy/roles.yaml)."""
    document, name = _read_yaml(path, "roles.yaml")
    document = _mapping(document, name)
    entries = document.get("roles")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{name}: 'roles' must be a non-empty list")
    roles: dict[str, RoleInfo] = {}
    for index, entry in enumerate(entries):
        entry = _mapping(entry, f"{name}: role #{index + 1}")
        role = str(entry.get("role") or "").strip()
        where = f"{name}: role {role or f'#{index + 1}'}"
        if not role or role in roles:
            raise TaxonomyError(f"{where}: 'role' must be a non-empty, unique id")
        if not isinstance(entry.get("label"), str) or not entry["label"].strip():
            raise TaxonomyError(f"{where}: 'label' must be a non-empty string")
        roles[role] = RoleInfo(role, entry["label"].strip(), _phrase_map(entry.get("cues"), f"{where} cues",
                                                                         require_en=True))
    types = {}
    for org_type, allowed in _mapping(document.get("organisation_types") or {}, f"{name}: organisation_types").items():
        allowed = _strings([allowed] if isinstance(allowed, str) else allowed, f"{name}: organisation_types.{org_type}")
        unknown = [role for role in allowed if role not in roles]
        if unknown:
            raise TaxonomyError(f"{name}: organisation_types.{org_type} names unknown roles {unknown}; "
                                f"roles: {list(roles)}")
        types[str(org_type)] = allowed
    return RoleVocabulary(roles=roles, organisation_types=types)


def load_places(path: str | Path | None = None) -> PlaceVocabulary:
    """Load country names, dialling codes, cities and postal regions (taxonomy/places.yaml)."""
    document, name = _read_yaml(path, "places.yaml")
    document = _mapping(document, name)
    countries: dict[str, CountryInfo] = {}
    for code, entry in _mapping(document.get("countries"), f"{name}: countries").items():
        where = f"{name}: country {code}"
        if not isinstance(code, str) or not COUNTRY_CODE.fullmatch(code):
            raise TaxonomyError(f"{where}: keys must be ISO 3166-1 alpha-2 codes")
        entry = _mapping(entry, where)
        phone = entry.get("phone")
        if phone is not None and not str(phone).isdigit():
            raise TaxonomyError(f"{where}: 'phone' must be digits (the dialling code without +)")
        countries[code] = CountryInfo(
            code=code,
            names=_strings(entry.get("names"), f"{where} names"),
            phone=str(phone) if phone is not None else None,
            cities=_strings(entry.get("cities"), f"{where} cities", allow_empty=True),
        )
    regions = {}
    for key in ("us_states", "canadian_provinces"):
        regions[key] = _strings(document.get(key), f"{name}: {key}")
        if not all(COUNTRY_CODE.fullmatch(code) for code in regions[key]):
            raise TaxonomyError(f"{name}: {key} must be two-letter upper-case postal abbreviations")
    return PlaceVocabulary(countries=countries, **regions)
