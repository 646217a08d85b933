"""How taxonomy phrases match: whole Latin words, also where they abut CJK script; and the trie that
compile_phrases writes long phrase lists as matches exactly what the plain alternation, longest phrase
first, matches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from indexer.analysis.phrases import _LATIN_WORD_CHAR, CLAUSE_BOUNDARY, _phrase_regex, compile_phrases, has_cjk

def test_latin_phrase_abutting_cjk_script_is_a_word():
    pattern = compile_phrases(["FDA", "510(k)"], acronyms_case_sensitive=True)
    assert pattern.findall("米国FDAの承認") == ["FDA"]
    assert pattern.findall("FDA의 승인과 510(k)를 받았다") == ["FDA", "510(k)"]


def test_latin_phrase_inside_a_latin_word_is_not():
    pattern = compile_phrases(["FDA", "sold"], acronyms_case_sensitive=True)
    assert pattern.findall("FDAs xFDA FDA_x unsolded") == []


def test_cjk_punctuation_ends_a_clause():
    assert CLAUSE_BOUNDARY.split("承認を取得し、販売を開始する予定")[-1] == "販売を開始する予定"


ROOT = Path(__file__).resolve().parents[3]


def plain(phrases: list[str], acronyms_case_sensitive: bool = False) -> re.Pattern | None:
    """compile_phrases as it was before the trie: one branch per phrase."""
    unique = sorted(set(phrases), key=len, reverse=True)
    latin = [_phrase_regex(p, acronyms_case_sensitive) for p in unique if not has_cjk(p)]
    cjk = [_phrase_regex(p, acronyms_case_sensitive) for p in unique if has_cjk(p)]
    parts = ([rf"(?<!{_LATIN_WORD_CHAR})(?:{'|'.join(latin)})(?!{_LATIN_WORD_CHAR})"] if latin else []) + (
        [f"(?:{'|'.join(cjk)})"] if cjk else [])
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _string_lists(node) -> list[list[str]]:
    if isinstance(node, dict):
        return [found for value in node.values() for found in _string_lists(value)]
    if isinstance(node, list):
        if node and all(isinstance(item, str) for item in node):
            return [node]
        return [found for item in node for found in _string_lists(item)]
    return []


TAXONOMY_LISTS = [strings for path in sorted((ROOT / "taxonomy").glob("*.yaml"))
                  for strings in _string_lists(yaml.safe_load(path.read_text(encoding="utf-8")))]


TRAIN = [json.loads(line)["text"] for line in (ROOT / "eval" / "train.jsonl").read_text().splitlines()[:15]]


def _texts(phrases: list[str]) -> list[str]:
    """Real passages, and the phrases themselves in other case, spacing and inflection, run together."""
    return TRAIN + [
        " ".join(phrases),
        ". ".join(phrase.upper() for phrase in phrases),
        ", ".join(phrase.title().replace(" ", "  \n") + "s" for phrase in phrases),
        "".join(phrases),  # no word boundaries at all
    ]


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def test_every_taxonomy_phrase_list_matches_as_the_plain_alternation_does():
    assert len(TAXONOMY_LISTS) > 50
    everything = [phrase for strings in TAXONOMY_LISTS for phrase in strings]
    for strings in TAXONOMY_LISTS + [everything]:
        texts = _texts(strings) + _texts(everything[::7])
        expected, compiled = plain(strings), compile_phrases(strings)
        assert [_spans(compiled, text) for text in texts] == [_spans(expected, text) for text in texts], strings[:3]


@pytest.mark.parametrize("text, expected", [
    ("a clinical trial phase ii study", ["clinical trial phase ii"]),  # the longest phrase wins
    ("clinical trial phase iii", ["clinical trial"]),  # the longer one fails its word end: the next longest
    ("Clinical\n  TRIAL started", ["Clinical\n  TRIAL"]),  # any case, any whitespace between words
    ("clinical trials", []),
    ("preclinical trial", []),
])
def test_longest_phrase_first_and_whole_words(text, expected):
    pattern = compile_phrases(["clinical trial", "clinical trial phase ii", "trial phase", "phase iii study"])
    assert [match.group(0) for match in pattern.finditer(text)] == expected


@pytest.mark.parametrize("phrases", [
    ["first  in human", "first in"],  # the plain alternation tries the longer spelling, not the longer phrase, first
    ["ſtudy", "study"],  # "ſ" and "s" both match "S"
    ["CE mark", "cleared"],  # acronyms that must keep their case
])
def test_lists_a_trie_cannot_represent_exactly_are_compiled_as_plain_alternations(phrases):
    assert compile_phrases(phrases, acronyms_case_sensitive=True).pattern == plain(phrases, True).pattern
    if phrases[0] != "CE mark":
        assert compile_phrases(phrases).pattern == plain(phrases).pattern
    assert compile_phrases(["trial", "study"]).pattern != plain(["trial", "study"]).pattern  # else a trie
