"""How taxonomy phrases match: whole Latin words, also where they abut CJK script."""

from __future__ import annotations

from indexer.analysis.phrases import CLAUSE_BOUNDARY, compile_phrases


def test_latin_phrase_abutting_cjk_script_is_a_word():
    pattern = compile_phrases(["FDA", "510(k)"], acronyms_case_sensitive=True)
    assert pattern.findall("米国FDAの承認") == ["FDA"]
    assert pattern.findall("FDA의 승인과 510(k)를 받았다") == ["FDA", "510(k)"]


def test_latin_phrase_inside_a_latin_word_is_not():
    pattern = compile_phrases(["FDA", "sold"], acronyms_case_sensitive=True)
    assert pattern.findall("FDAs xFDA FDA_x unsolded") == []


def test_cjk_punctuation_ends_a_clause():
    assert CLAUSE_BOUNDARY.split("承認を取得し、販売を開始する予定")[-1] == "販売を開始する予定"
