"""The version of the analysis: what made a page's tags and TRL, so that a change re-analyses stored pages.

It covers the taxonomy and cue vocabularies (taxonomy/*.yaml), the learnt models
(indexer/analysis/models/*.json) and the analysis code, whose own version below is raised by hand
whenever a change alters what the analysis outputs.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

CODE_VERSION = "2026-12-01.1"  # <time> text kept; publication dates


@lru_cache(maxsize=1)
def analysis_version() -> str:
    digest = hashlib.sha256(CODE_VERSION.encode())
    for package, suffix in (("taxonomy", ".yaml"), ("indexer.analysis.models", ".json")):
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(suffix):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]
