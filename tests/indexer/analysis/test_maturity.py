"""The evidence the maturity model weighs, read from passages in every language the taxonomy covers."""

from __future__ import annotations

from importlib import resources

import yaml

from indexer.analysis.maturity import MaturityVocabularyFile, read_evidence
from indexer.analysis.regulatory import default_reader


def evidence(sentences: list[str], language: str):
    findings, _ = default_reader().read(sentences)
    return read_evidence(sentences, findings, language)


def test_german_ce_marked_and_available_counts_as_commercial_and_granted():
    page = evidence(["Das Lasersystem ist CE-gekennzeichnet und über unsere Vertriebspartner erhältlich."], "de")
    assert page.features["commercial_any"] == 1.0
    assert page.features["regulatory_granted"] > 0
    assert page.features["cue_present_8"] > 0 and page.features["cue_present_9"] > 0


def test_japanese_approval_is_a_granted_finding_and_a_level_eight_cue():
    page = evidence(["同社は内視鏡AIソフトウェアについて薬事承認を取得したと発表した。"], "ja")
    assert page.features["regulatory_granted"] > 0
    assert page.features["cue_present_8"] > 0
    assert any(e.kind == "regulatory" and e.level == 8 for e in page.evidence)


def test_korean_launch_plan_is_planned_not_present():
    page = evidence(["회사는 이 장비를 내년에 출시할 예정이다."], "ko")
    assert page.features["cue_present_9"] == 0
    assert page.features["planned"] > 0


def test_history_sentence_in_french_is_not_present_state():
    page = evidence(["La technique a été développée dans les années 1990 en laboratoire."], "fr")
    assert page.features["history_share"] == 1.0
    assert page.features["cue_present_4"] == 0 and page.features["cue_present_5"] == 0


def test_spanish_genre_words_are_read():
    page = evidence(["Solicite presupuesto: especificaciones técnicas, dimensiones y accesorios del equipo."], "es")
    assert page.features["genre_product"] > 0
    assert page.features["commercial_any"] == 1.0


def test_every_maturity_word_list_covers_every_taxonomy_language():
    document = MaturityVocabularyFile.model_validate(
        yaml.safe_load((resources.files("taxonomy") / "maturity.yaml").read_text(encoding="utf-8")))
    groups = [*document.genres.values(), document.commercial, document.history, document.motivation]
    assert all(all(getattr(group, language) for language in ("en", "de", "fr", "es", "ja", "ko")) for group in groups)
