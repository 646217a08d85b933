"""The scouting taxonomy: 35 photonics-for-health applications and the TRL scale.

The vocabulary lives in the packaged YAML files (applications.yaml, trl.yaml, regulatory.yaml,
roles.yaml, places.yaml) so that scouts can extend terms without touching code.
"""

from __future__ import annotations

from enum import Enum, IntEnum

from taxonomy.loader import (
    load_applications,
    load_context_vocabulary,
    load_places,
    load_regulatory,
    load_roles,
    load_trl,
    load_trl_scale,
)
from taxonomy.model import (
    AREAS,
    Acronym,
    ApplicationInfo,
    ContextVocabulary,
    PlaceVocabulary,
    RegulatoryVocabulary,
    RoleVocabulary,
    TaxonomyError,
    TRLLevel,
    TRLScale,
)

__all__ = [
    "APPLICATIONS",
    "AREAS",
    "Acronym",
    "Application",
    "ApplicationInfo",
    "ContextVocabulary",
    "TRL",
    "TRLLevel",
    "TRLScale",
    "TRL_SCALE",
    "PlaceVocabulary",
    "RegulatoryVocabulary",
    "RoleVocabulary",
    "TaxonomyError",
    "load_applications",
    "load_context_vocabulary",
    "load_places",
    "load_regulatory",
    "load_roles",
    "load_trl",
    "load_trl_scale",
]

APPLICATIONS: dict[str, ApplicationInfo] = load_applications()
TRL_SCALE: dict[int, TRLLevel] = load_trl_scale()

#: One member per application; names and values are the ids ("A01".."A35").
Application = Enum("Application", [(app_id, app_id) for app_id in APPLICATIONS], type=str)


class TRL(IntEnum):
    """Technology readiness level on the EU Horizon 2020 scale."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5
    SIX = 6
    SEVEN = 7
    EIGHT = 8
    NINE = 9

    @property
    def label(self) -> str:
        return TRL_SCALE[self.value].label
