"""The declared shape of each taxonomy YAML file; the loader turns a validated file into the model's classes.

``scout schema applications|trl|regulatory|roles|places`` prints these as JSON Schema for editors.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from taxonomy.model import AREAS, REGULATORY_STATUSES, TRL, Application, OrganisationType
from taxonomy.validation import FileModel, Text

Area = Literal[AREAS]
RegulatoryStatus = Literal[REGULATORY_STATUSES]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
#: ISO 3166-1 alpha-2 (and EU for the CE mark); also US state and Canadian province postal codes.
TwoCapitals = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


def _english_required(phrases: dict[str, list[str]]) -> dict[str, list[str]]:
    if not phrases.get("en"):
        raise ValueError("English ('en') phrases are required")
    return phrases


#: Language -> phrases in that language.
Phrases = dict[LanguageCode, list[Text]]
PhrasesWithEnglish = Annotated[Phrases, AfterValidator(_english_required)]


class AcronymEntry(FileModel):
    acronym: Text
    context: list[Text] = Field(min_length=1, description="Word prefixes of which one must be near the acronym.")


class ApplicationEntry(FileModel):
    id: Application
    name: Text
    description: Text
    areas: list[Area] = Field(min_length=1)
    terms: PhrasesWithEnglish
    acronyms: list[AcronymEntry] = []
    weak_terms: Phrases = {}
    negative_context: list[Text] = []
    generic: bool = False
    health_by_itself: bool = Field(False, description="The terms name a medical or life-science technique, so "
                                   "they need no other health word in the passage.")
    requires_photonics: bool = False
    residual: bool = False
    threshold: float | None = Field(None, gt=0, lt=1, description="Minimum tagger score; the tagger's default otherwise.")


class ApplicationsFile(FileModel):
    """taxonomy/applications.yaml"""

    areas: dict[Area, Text] = Field(description="Thematic area -> what it covers.")
    health_context: PhrasesWithEnglish
    photonics_context: PhrasesWithEnglish
    applications: list[ApplicationEntry]

    @model_validator(mode="after")
    def _seed_ids_in_order(self) -> "ApplicationsFile":
        ids = [entry.id for entry in self.applications]
        for position, (found, expected) in enumerate(zip(ids, Application), start=1):
            if found != expected:
                raise ValueError(f"applications: expected {expected} at position {position}, found {found}")
        if len(ids) != len(Application):
            missing = [app.value for app in Application if app not in ids]
            raise ValueError(f"applications: expected {len(Application)} applications, found {len(ids)}; "
                             f"missing {missing}")
        return self


class TRLLevelEntry(FileModel):
    level: TRL
    label: Text
    definition: Text
    cues: PhrasesWithEnglish
    weak_cues: Phrases = {}


class TRLFile(FileModel):
    """taxonomy/trl.yaml"""

    negation: Phrases = {}
    future: Phrases = {}
    levels: list[TRLLevelEntry]

    @model_validator(mode="after")
    def _all_levels_in_order(self) -> "TRLFile":
        found = [int(entry.level) for entry in self.levels]
        if found != [int(level) for level in TRL]:
            raise ValueError(f"levels: expected exactly the levels 1..9 in order, found {found}")
        return self


class MentionEntry(FileModel):
    phrase: Text
    pathway: Text | None = None
    status: RegulatoryStatus | None = Field(None, description="The status when no cue nearby says otherwise.")


class AuthorityEntry(FileModel):
    authority: Text
    market: TwoCapitals = Field(description="ISO 3166-1 alpha-2 code of the market it opens (EU for CE).")
    mentions: list[MentionEntry] = Field(min_length=1)


class EuropeEntrySignalEntry(FileModel):
    signal: Text
    all_of: list[Annotated[list[Text], Field(min_length=1)]] = Field(min_length=1)


class RegulatoryFile(FileModel):
    """taxonomy/regulatory.yaml"""

    status_cues: dict[RegulatoryStatus, PhrasesWithEnglish]
    authorities: list[AuthorityEntry] = Field(min_length=1)
    europe_entry: list[EuropeEntrySignalEntry] = []

    @model_validator(mode="after")
    def _every_status_has_cues(self) -> "RegulatoryFile":
        missing = [status for status in REGULATORY_STATUSES if status not in self.status_cues]
        if missing:
            raise ValueError(f"status_cues: every status needs cues; missing {missing}")
        return self


class RoleEntry(FileModel):
    role: Text
    label: Text
    cues: PhrasesWithEnglish


class RolesFile(FileModel):
    """taxonomy/roles.yaml"""

    roles: list[RoleEntry] = Field(min_length=1)
    organisation_types: dict[OrganisationType, Text | list[Text]] = Field(
        {}, description="Registry type -> the role, or the roles, an organisation of that type can have.")

    @model_validator(mode="after")
    def _roles_unique_and_known(self) -> "RolesFile":
        ids = [entry.role for entry in self.roles]
        duplicates = sorted({role for role in ids if ids.count(role) > 1})
        if duplicates:
            raise ValueError(f"roles: duplicate role id(s) {duplicates}")
        for org_type, allowed in self.organisation_types.items():
            unknown = [role for role in ([allowed] if isinstance(allowed, str) else allowed) if role not in ids]
            if unknown:
                raise ValueError(f"organisation_types: {org_type.value} names unknown role(s) {unknown}; roles: {ids}")
        return self


class CountryEntry(FileModel):
    names: list[Text] = Field(min_length=1)
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9]+$")] | None = Field(
        None, description="International dialling code, digits without +.")
    cities: list[Text] = []


class PlacesFile(FileModel):
    """taxonomy/places.yaml"""

    countries: dict[TwoCapitals, CountryEntry] = Field(description="ISO 3166-1 alpha-2 code -> how a page shows it.")
    us_states: list[TwoCapitals] = Field(min_length=1)
    canadian_provinces: list[TwoCapitals] = Field(min_length=1)
