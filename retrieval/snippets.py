"""Snippets from a page's stored text: the passages where the query's words occur, as plain-text segments.

Engines store no text, so snippets are cut from the store's copy. A word matches case-insensitively at the
start of a word, also without a plural "s" ("lasers" finds "laser", "laser" finds "lasers"), which is close
to the engines' stemming without depending on either engine's analyser.
"""

from __future__ import annotations

import re
from typing import Iterable

from retrieval.results import Segment

SNIPPET_CHARS = 240
FRAGMENTS = 2
WORD_REACH = 20
LEAD_CHARS = 60  # context kept before a match, so a fragment does not start on the matched word


def snippets(text: str, words: Iterable[str], *, passage: tuple[int, int] | None = None) -> list[list[Segment]]:
    """Up to FRAGMENTS fragments of about SNIPPET_CHARS holding the most of `words`, in text order.

    With no word found, `passage` (a semantic hit's best passage, as a character span) or else the opening
    stands in, so every hit shows something of itself.
    """
    pattern = word_pattern(words)
    matches = list(pattern.finditer(text)) if pattern is not None else []
    if not matches:
        start, end = passage if passage is not None else (0, SNIPPET_CHARS)
        start, end = _widened(text, start, min(end, start + SNIPPET_CHARS))
        return [[Segment(text[start:end], False)]] if end > start else []
    windows = _best_windows(text, matches)
    return [_segments(text, start, end, matches) for start, end in windows]


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    stems = sorted({_stem(word.lower()) for word in words if word.strip()}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _best_windows(text: str, matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Windows around matches, the ones holding the most distinct words first, not overlapping."""
    candidates = []
    for match in matches:
        start, end = _widened(text, max(match.start() - LEAD_CHARS, 0),
                              max(match.start() - LEAD_CHARS, 0) + SNIPPET_CHARS)
        inside = {m.group().lower() for m in matches if start <= m.start() and m.end() <= end}
        candidates.append((-len(inside), start, end))
    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(candidates):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == FRAGMENTS:
            break
    return sorted(chosen)


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The span moved out to whole words at both ends, by at most WORD_REACH characters (CJK has no spaces)."""
    start, end = max(start, 0), min(end, len(text))
    floor, ceiling = max(start - WORD_REACH, 0), min(end + WORD_REACH, len(text))
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _segments(text: str, start: int, end: int, matches: list[re.Match[str]]) -> list[Segment]:
    segments, position = [], start
    for match in matches:
        if match.start() < position or match.end() > end:
            continue
        if match.start() > position:
            segments.append(Segment(text[position:match.start()], False))
        segments.append(Segment(match.group(), True))
        position = match.end()
    if position < end:
        segments.append(Segment(text[position:end], False))
    return segments
