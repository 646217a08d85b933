"""Data classes of the taxonomy: application entries and the TRL scale."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

#: Thematic areas: the seed's three (section 1.2.2) plus therapy and general laser components.
AREAS = (
    "diagnostics_imaging",
    "sensing",
    "regenerative_biomaterials",
    "therapy",
    "laser_components",
)


#: The 35 applications of the seed's list (section 2.2), in its order; names and values are the ids.
#: applications.yaml must hold exactly these, in this order; every file naming an application uses this type.
Application = StrEnum("Application", [(f"A{number:02d}", f"A{number:02d}") for number in range(1, 36)])


class TRL(IntEnum):
    """Technology readiness level on the EU Horizon 2020 scale; trl.yaml describes each."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5
    SIX = 6
    SEVEN = 7
    EIGHT = 8
    NINE = 9


class OrganisationType(StrEnum):
    """The kinds of organisation the registry records; roles.yaml says which value-chain roles each allows."""

    CLUSTER = "cluster"
    ASSOCIATION = "association"
    COMPANY = "company"
    RESEARCH_INSTITUTE = "research-institute"  # universities too
    AGENCY = "agency"
    HOSPITAL = "hospital"
    CHAMBER = "chamber"


class TaxonomyError(ValueError):
    """A taxonomy file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Acronym:
    """A case-sensitive acronym that counts only near one of its context words."""

    acronym: str
    context: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationInfo:
    """One photonics technology use of the seed list, with its matching vocabulary."""

    id: str
    name: str
    description: str
    areas: tuple[str, ...]
    terms: dict[str, tuple[str, ...]]
    acronyms: tuple[Acronym, ...] = ()
    weak_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negative_context: tuple[str, ...] = ()
    generic: bool = False
    health_by_itself: bool = False
    requires_photonics: bool = False
    residual: bool = False
    threshold: float | None = None

    def all_terms(self) -> tuple[str, ...]:
        """Strong terms of every language, English first."""
        return tuple(term for terms in self.terms.values() for term in terms)

    def all_weak_terms(self) -> tuple[str, ...]:
        return tuple(term for terms in self.weak_terms.values() for term in terms)


@dataclass(frozen=True)
class TRLLevel:
    """One level of the EU Horizon 2020 technology readiness scale."""

    level: int
    label: str
    definition: str
    cues: dict[str, tuple[str, ...]]
    weak_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TRLScale:
    """The nine levels plus the wording that cancels a cue (negation, future/plans)."""

    levels: dict[int, TRLLevel]
    negation: dict[str, tuple[str, ...]]
    future: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ContextVocabulary:
    """Word prefixes showing that a passage is about health, or about photonics."""

    health: dict[str, tuple[str, ...]]
    photonics: dict[str, tuple[str, ...]]


#: Regulatory statuses, in the order a scout reads them.
REGULATORY_STATUSES = ("granted", "pending", "planned", "negated")


@dataclass(frozen=True)
class RegulatoryMention:
    """A phrase naming an authority or pathway; ``status`` holds when no nearby cue overrides it."""

    phrase: str
    pathway: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Authority:
    """A regulator (or marking scheme) and the market it opens (ISO alpha-2, EU for CE)."""

    authority: str
    market: str
    mentions: tuple[RegulatoryMention, ...]


@dataclass(frozen=True)
class EuropeEntrySignal:
    """Fires on a sentence holding one phrase of every group."""

    signal: str
    all_of: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RegulatoryVocabulary:
    status_cues: dict[str, dict[str, tuple[str, ...]]]  # status -> language -> phrases
    authorities: tuple[Authority, ...]
    europe_entry: tuple[EuropeEntrySignal, ...]


@dataclass(frozen=True)
class RoleInfo:
    role: str
    label: str
    cues: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class RoleVocabulary:
    roles: dict[str, RoleInfo]
    organisation_types: dict[str, tuple[str, ...]]  # registry type -> the roles it allows


@dataclass(frozen=True)
class CountryInfo:
    code: str
    names: tuple[str, ...]
    phone: str | None
    cities: tuple[str, ...]


@dataclass(frozen=True)
class PlaceVocabulary:
    countries: dict[str, CountryInfo]
    us_states: tuple[str, ...]
    canadian_provinces: tuple[str, ...]
