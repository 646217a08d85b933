"""The one text analyser both engine backends index and query with, so they match the same pages.

Lower-cased Unicode word tokens, English stopwords dropped, Porter stems; runs of Chinese, Japanese or Korean
script become overlapping character bigrams (光干渉 → 光干, 干渉), so a word matches inside a longer run
without a dictionary. Positions count the tokens kept, so a phrase skips stopwords alike in text and query.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple

from whoosh.lang.porter import stem

# Lucene's (and tantivy's) English list: short, so "vision" or "system" stay searchable.
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with",
))
# Hiragana, katakana, CJK ideographs (and extension A, compatibility) and Hangul syllables.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]")
# Longer "words" are encoded data or run-together junk, never something a person types.
MAX_TOKEN_CHARS = 64


class Token(NamedTuple):
    term: str
    position: int
    start: int  # character offsets in the lower-cased text
    end: int


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return stem(word)


def tokens(text: str) -> Iterator[Token]:
    """The index terms of `text`, in order."""
    position = 0
    for match in _TOKEN.finditer(text.lower()):
        word = match.group()
        start = match.start()
        if _CJK_RUN.match(word):
            if len(word) == 1:
                yield Token(word, position, start, start + 1)
                position += 1
                continue
            for i in range(len(word) - 1):
                yield Token(word[i:i + 2], position, start + i, start + i + 2)
                position += 1
            continue
        if word in STOPWORDS or len(word) > MAX_TOKEN_CHARS:
            continue
        yield Token(_stem(word), position, start, match.end())
        position += 1


def terms(text: str) -> list[str]:
    """The index terms of a word or phrase as typed in a query: one for most words, several for "nd:yag" or a
    CJK run (searched as a phrase of them), none for a stopword."""
    return [token.term for token in tokens(text)]
