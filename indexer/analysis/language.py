"""Language identification of page text (py3langid: small, offline, 97 languages)."""

from __future__ import annotations

import py3langid

MIN_CHARS = 20


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    sample = text[:5000]
    if len(sample.strip()) < MIN_CHARS:
        return None
    language, _score = py3langid.classify(sample)
    return language
