"""Models shared by the indexer tests: loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def minilm_analyser():
    """A TextAnalyser with the packaged MiniLM model, its application prototypes already embedded."""
    from indexer.analysis.analyser import TextAnalyser

    analyser = TextAnalyser()
    analyser.analyse("Optical coherence tomography images the retina.", "en")
    return analyser
