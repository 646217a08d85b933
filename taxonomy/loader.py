"""Load the packaged taxonomy YAML files, validated by their declared schema (taxonomy/schema.py)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from taxonomy.model import (
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
from taxonomy.schema import (
    ApplicationsFile,
    PlacesFile,
    RegulatoryFile,
    RolesFile,
    TRLFile,
)
from taxonomy.validation import read_yaml, read_yaml_file, validate

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def _load(model: type[M], path: str | Path | None, default_name: str) -> M:
    """The packaged file ``default_name`` (or the file at ``path``) validated as ``model``."""
    if path is None:
        name = f"taxonomy/{default_name}"
        document = read_yaml(resources.files("taxonomy").joinpath(default_name).read_text(encoding="utf-8"),
                             name, TaxonomyError)
    else:
        name = str(path)
        document = read_yaml_file(Path(path), TaxonomyError)
    return validate(model, document, name, TaxonomyError)


def _phrases(phrases: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {language: tuple(items) for language, items in phrases.items()}


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def load_applications(path: str | Path | None = None) -> dict[str, ApplicationInfo]:
    """Load the 35 applications, keyed and ordered by id (A01..A35).

    Raises TaxonomyError naming the file and the offending entry when the file does not
    hold exactly the seed's 35 ids in order with a name, description, English terms and
    known areas.
    """
    document = _load(ApplicationsFile, path, "applications.yaml")
    applications = {
        entry.id.value: ApplicationInfo(
            id=entry.id.value,
            name=entry.name,
            description=_one_paragraph(entry.description),
            areas=tuple(entry.areas),
            terms=_phrases(entry.terms),
            acronyms=tuple(Acronym(item.acronym, tuple(item.context)) for item in entry.acronyms),
            weak_terms=_phrases(entry.weak_terms),
            negative_context=tuple(entry.negative_context),
            generic=entry.generic,
            health_by_itself=entry.health_by_itself,
            requires_photonics=entry.requires_photonics,
            residual=entry.residual,
            threshold=entry.threshold,
        )
        for entry in document.applications
    }
    logger.debug("loaded %d applications from %s", len(applications), path or "the package")
    return applications


def load_context_vocabulary(path: str | Path | None = None) -> ContextVocabulary:
    """Load the health and photonics context word lists of applications.yaml."""
    document = _load(ApplicationsFile, path, "applications.yaml")
    return ContextVocabulary(health=_phrases(document.health_context), photonics=_phrases(document.photonics_context))


def load_trl(path: str | Path | None = None) -> TRLScale:
    """Load the TRL scale with its negation and future wording."""
    document = _load(TRLFile, path, "trl.yaml")
    levels = {
        int(entry.level): TRLLevel(
            level=int(entry.level),
            label=entry.label,
            definition=_one_paragraph(entry.definition),
            cues=_phrases(entry.cues),
            weak_cues=_phrases(entry.weak_cues),
        )
        for entry in document.levels
    }
    return TRLScale(levels=levels, negation=_phrases(document.negation), future=_phrases(document.future))


def load_trl_scale(path: str | Path | None = None) -> dict[int, TRLLevel]:
    """Load the nine TRL levels keyed by level (1..9)."""
    return load_trl(path).levels


def load_regulatory(path: str | Path | None = None) -> RegulatoryVocabulary:
    """Load authorities, status cues and Europe-entry signals (taxonomy/regulatory.yaml)."""
    document = _load(RegulatoryFile, path, "regulatory.yaml")
    return RegulatoryVocabulary(
        status_cues={status: _phrases(document.status_cues[status]) for status in REGULATORY_STATUSES},
        authorities=tuple(
            Authority(entry.authority, entry.market,
                      tuple(RegulatoryMention(m.phrase, m.pathway, m.status) for m in entry.mentions))
            for entry in document.authorities
        ),
        europe_entry=tuple(
            EuropeEntrySignal(entry.signal, tuple(tuple(group) for group in entry.all_of))
            for entry in document.europe_entry
        ),
    )


def load_roles(path: str | Path | None = None) -> RoleVocabulary:
    """Load the value-chain roles and the registry types that settle them (taxonomy/roles.yaml)."""
    document = _load(RolesFile, path, "roles.yaml")
    return RoleVocabulary(
        roles={entry.role: RoleInfo(entry.role, entry.label, _phrases(entry.cues)) for entry in document.roles},
        organisation_types={
            org_type.value: (allowed,) if isinstance(allowed, str) else tuple(allowed)
            for org_type, allowed in document.organisation_types.items()
        },
    )


def load_places(path: str | Path | None = None) -> PlaceVocabulary:
    """Load country names, dialling codes, cities and postal regions (taxonomy/places.yaml)."""
    document = _load(PlacesFile, path, "places.yaml")
    return PlaceVocabulary(
        countries={
            code: CountryInfo(code=code, names=tuple(entry.names), phone=entry.phone, cities=tuple(entry.cities))
            for code, entry in document.countries.items()
        },
        us_states=tuple(document.us_states),
        canadian_provinces=tuple(document.canadian_provinces),
    )
