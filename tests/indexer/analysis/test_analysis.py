"""The combined analysis: batching, the embedding signal and its calibration, every output with evidence."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from indexer.analysis.analyser import KnownOrganisation, TextAnalyser, describe
from indexer.analysis.semantic import ApplicationSpace
from taxonomy import APPLICATIONS

OCT_PAGE = (
    "RetinaScan is an optical coherence tomography (OCT) system for retinal imaging of patients in eye clinics. "
    "The system received FDA 510(k) clearance and is commercially available. "
    "It is not yet CE marked, and we are seeking distributors in Europe.\n\n"
    "Acme Retina Imaging Inc., 100 Main Street, Boston, MA 02110"
)
GERMAN_PAGE = "Die photodynamische Therapie zerstört Tumorzellen bei Patienten mit Hautkrebs."


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A fast, deterministic stand-in for MiniLM: hashed word counts, normalised."""
    vectors = np.zeros((len(texts), 512), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            vectors[row, zlib.crc32(word.encode()) % 512] += 1
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class RecordingEncoder:
    """The real MiniLM encoder (the analysis models were learnt on its vectors), noting every batch."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        from indexer.analysis.embedding_model import embed

        return embed(texts)


@pytest.fixture(scope="module")
def analyser(minilm_analyser) -> TextAnalyser:
    return minilm_analyser


def test_every_output_with_evidence(analyser):
    analysis = analyser.analyse(OCT_PAGE, "en")
    result = analysis.as_dict()
    assert result["applications"][0]["id"] == "A20"
    assert result["trl"]["level"] == 9
    assert result["role"]["role"] == "system-supplier" and result["role"]["evidence"] in OCT_PAGE
    assert result["organisation"] == {"name": "Acme Retina Imaging Inc.", "evidence": "Acme Retina Imaging Inc., "
                                      "100 Main Street, Boston, MA 02110", "source": "text"}
    assert result["country"]["code"] == "US"
    assert {(r["authority"], r["status"]) for r in result["regulatory"]} == {("FDA", "granted"), ("CE", "negated")}
    assert {e["signal"] for e in result["europe_entry"]} == {"seeking-distributors"}
    text = describe(analysis)
    assert "A20" in text and "cue:" in text and "role: system-supplier" in text and "Europe entry" in text


def test_known_organisation_wins(analyser):
    analysis = analyser.analyse(OCT_PAGE, "en", KnownOrganisation("Registry Name", "SG", "hospital"))
    assert analysis.organisation.value == "Registry Name" and analysis.country.value == "SG"
    assert analysis.role.role == "end-user"


def test_analyse_many_embeds_all_pages_in_one_batch_and_keeps_order():
    encoder = RecordingEncoder()
    analyser = TextAnalyser(encode=encoder)
    analyser.analyse("warm-up: builds the application prototypes", "en")
    encoder.calls.clear()
    analyses = analyser.analyse_many([OCT_PAGE, GERMAN_PAGE, "Nothing to see here."], ["en", "de", "en"])
    assert [a.applications[0].application if a.applications else None for a in analyses] == ["A20", "A31", None]
    assert len(encoder.calls) == 1  # one batch for the whole call
    embedded = encoder.calls[0]
    # Tag support reads only English sentences (MiniLM is an English model), a few per page at most; then
    # each page's opening follows, in order, for the maturity model.
    sentences, openings = embedded[:-3], embedded[-3:]
    assert sentences and all(sentence in OCT_PAGE for sentence in sentences)
    assert [o.split()[0] for o in openings] == [OCT_PAGE.split()[0], GERMAN_PAGE.split()[0], "Nothing"]
    assert analyses[1].applications[0].signal == "term"


def test_embeddings_off_uses_terms_only():
    encoder = RecordingEncoder()
    analysis = TextAnalyser(use_embeddings=False, encode=encoder).analyse(OCT_PAGE, "en")
    # The applications' prototypes are embedded once, then only the page's opening (for the tagging and
    # maturity models); no single sentence of the page is.
    page_batch = encoder.calls[-1]
    assert page_batch == [" ".join(OCT_PAGE.split()[:180])]
    assert all(OCT_PAGE not in text for call in encoder.calls[:-1] for text in call)
    assert "embedding" not in analysis.applications[0].signal


def test_stage_times_are_recorded(analyser):
    analyser.stage_seconds.clear()
    analyser.analyse_many([OCT_PAGE], ["en"])
    assert {"terms", "embedding", "trl", "sentences"} <= set(analyser.stage_seconds)


def test_calibration_centres_each_application_on_its_neighbours():
    space = ApplicationSpace(APPLICATIONS, bag_of_words)
    z = space.calibrated(space.prototypes)
    # Each prototype stands far above the other applications' texts, measured in their own spread.
    assert (np.diag(z) > 3).all()
    assert space.spread.min() > 0


@pytest.mark.slow
def test_minilm_calibrated_similarity_finds_the_application(minilm_analyser):
    sentences = ["The swept-source OCT scanner produces cross-sectional images of the retina.",
                 "Low-level laser therapy relieves pain in patients with arthritis."]
    space = minilm_analyser._space
    matches = space.best_matches(sentences, minilm_analyser._encode(sentences))
    assert matches["A20"].sentence == sentences[0] and matches["A20"].z > 2
    assert matches["A28"].sentence == sentences[1] and matches["A28"].z > 1
    assert matches["A05"].z < matches["A20"].z


@pytest.mark.slow
def test_minilm_signal_joins_the_term_signal(minilm_analyser):
    tag = minilm_analyser.analyse(OCT_PAGE, "en").applications[0]
    assert tag.application == "A20" and tag.signal.endswith("+embedding")
