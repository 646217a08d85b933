"""Snippets from a page's stored text: the passages where the query's words occur, as plain-text segments.

Engines store no text, so snippets are cut from the store's copy, matched with the engines' own analyser
(retrieval.terms): "lasers" highlights "laser" and "Lasers", a CJK word its character pairs, as the engines
matched them.
"""

from __future__ import annotations

import re
from typing import Iterable

from retrieval.results import Segment
from retrieval.terms import terms

SNIPPET_CHARS = 240
FRAGMENTS = 2
LEAD_CHARS = 60  # context kept before a match, so a fragment does not start on the matched word
WORD_REACH = 20  # how far a fragment's edge moves to reach a space (CJK text has none)
_WORD = re.compile(r"\w+")


def snippets(text: str, words: Iterable[str], *, passage: tuple[int, int] | None = None) -> list[list[Segment]]:
    """Up to FRAGMENTS fragments of about SNIPPET_CHARS holding the most of `words`, in text order.

    With no word found, `passage` (a semantic hit's best passage, as a character span) or else the opening
    stands in, so every hit shows something of itself.
    """
    matches = _matches(text, words)
    if not matches:
        start, end = passage if passage is not None else (0, SNIPPET_CHARS)
        start, end = _widened(text, start, min(end, start + SNIPPET_CHARS))
        return [[Segment(text[start:end], False)]] if end > start else []
    return [_segments(text, start, end, matches) for start, end in _best_windows(text, matches)]


def _matches(text: str, words: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of `text` that analyses to one of the query's terms."""
    wanted = {term for word in words for term in terms(word)}
    if not wanted:
        return []
    found: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        word_terms = terms(word)
        if wanted.isdisjoint(word_terms):
            continue
        if len(word) > 1 and word_terms == [word[i:i + 2].lower() for i in range(len(word) - 1)]:
            # A CJK run is indexed as character pairs: mark the pairs that matched, joined where they touch.
            for i, pair in enumerate(word_terms):
                if pair in wanted:
                    start = match.start() + i
                    if found and start < found[-1][1]:
                        found[-1] = (found[-1][0], start + 2, found[-1][2])
                    else:
                        found.append((start, start + 2, pair))
        else:
            term = next(term for term in word_terms if term in wanted)
            found.append((match.start(), match.end(), term))
    return found


def _best_windows(text: str, matches: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Windows around matches, the ones holding the most distinct terms first, not overlapping."""
    candidates = []
    for match_start, _, _ in matches:
        begin = max(match_start - LEAD_CHARS, 0)
        start, end = _widened(text, begin, begin + SNIPPET_CHARS)
        inside = {term for s, e, term in matches if start <= s and e <= end}
        candidates.append((-len(inside), start, end))
    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(candidates):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == FRAGMENTS:
            break
    return sorted(chosen)


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The span moved out to whole words at both ends, by at most WORD_REACH characters."""
    start, end = max(start, 0), min(end, len(text))
    floor, ceiling = max(start - WORD_REACH, 0), min(end + WORD_REACH, len(text))
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _segments(text: str, start: int, end: int, matches: list[tuple[int, int, str]]) -> list[Segment]:
    segments, position = [], start
    for match_start, match_end, _ in matches:
        if match_start < position or match_end > end:
            continue
        if match_start > position:
            segments.append(Segment(text[position:match_start], False))
        segments.append(Segment(text[match_start:match_end], True))
        position = match_end
    if position < end:
        segments.append(Segment(text[position:end], False))
    return segments
