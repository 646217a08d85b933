"""The scouting taxonomy: 35 photonics-for-health applications and the TRL scale.

The vocabulary lives in the packaged YAML files (applications.yaml, trl.yaml, regulatory.yaml,
roles.yaml, places.yaml) so that scouts can extend terms without touching code.
"""

from __future__ import annotations

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
    TRL,
    Acronym,
    Application,
    ApplicationInfo,
    ContextVocabulary,
    OrganisationType,
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
    "OrganisationType",
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
