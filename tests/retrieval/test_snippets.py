"""Snippets find exactly the words the engines would match, however the candidates are found."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.snippets import _matches, snippets
from retrieval.terms import terms

VOCABULARY = ["studies", "study", "studied", "happy", "happiness", "imaging", "images", "imaged", "hoping", "hope",
              "generalization", "general", "relational", "relate", "Nd:YAG", "YAG", "lasers", "laser", "OCT",
              "光干渉断層計", "網膜", "干渉", "망막", "검사", "ai支援内視鏡", "内視鏡", "the", "of", "1064", "nm",
              "Kohärenztomographie", "cohérence", "x", "ys", "optic", "optical", "optics"]


def every_word_reference(text: str, words: list[str]) -> set[tuple[int, int]]:
    """What a word-by-word scan marks: each \\w+ run whose terms meet the query's (CJK runs pair by pair)."""
    wanted = {term for word in words for term in terms(word)}
    marked = set()
    for match in re.finditer(r"\w+", text):
        word_terms = terms(match.group())
        if wanted.isdisjoint(word_terms):
            continue
        word = match.group()
        if len(word) > 1 and word_terms == [word[i:i + 2].lower() for i in range(len(word) - 1)]:
            marked.update((match.start() + i, match.start() + i + 2) for i, pair in enumerate(word_terms)
                          if pair in wanted)
        else:
            marked.add((match.start(), match.end()))
    return marked


def covered(found: list[tuple[int, int, str]]) -> set[tuple[int, int]]:
    return {(start, end) for start, end, _ in found}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=40), st.lists(st.sampled_from(VOCABULARY),
                                                                                 min_size=1, max_size=3))
def test_matches_are_the_words_a_full_scan_finds(text_words, query_words):
    text = " ".join(text_words)
    found = covered(_matches(text, query_words))
    reference = every_word_reference(text, query_words)
    # Touching CJK pairs are joined into one span: compare the characters marked, not the spans.
    assert {i for s, e in found for i in range(s, e)} == {i for s, e in reference for i in range(s, e)}


def test_word_forms_highlight_as_the_engines_match_them():
    text = "Our studies of retinal imaging: the study imaged 40 eyes with a happy outcome."
    highlighted = [segment.text for fragment in snippets(text, ["study", "images"]) for segment in fragment
                   if segment.matched]
    assert highlighted == ["studies", "imaging", "study", "imaged"]
