"""The one text analyser both engine backends index and query with, so they match the same pages.

Lower-cased Unicode word tokens, English stopwords dropped, Porter stems; runs of Chinese, Japanese or Korean
script become overlapping character bigrams (光干渉 → 光干, 干渉), so a word matches inside a longer run
without a dictionary. Positions count the terms kept, so a phrase skips stopwords alike in text and query.
"""

from __future__ import annotations

import re

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

# Stems of words seen, kept while the table is small enough: most text repeats a few thousand words.
_STEMS: dict[str, str] = {}
_STEM_CACHE_SIZE = 500_000


def terms(text: str) -> list[str]:
    """The index terms of `text` in order; a term's position is its place in this list.

    A query word gives one term, several ("nd:yag", a CJK run: searched as a phrase of them) or none (a
    stopword).
    """
    found: list[str] = []
    for word in _TOKEN.findall(text.lower()):
        stemmed = _STEMS.get(word)
        if stemmed is None:
            if word in STOPWORDS or len(word) > MAX_TOKEN_CHARS:
                continue
            if _CJK_RUN.match(word):
                found.extend(_bigrams(word))
                continue
            if len(_STEMS) >= _STEM_CACHE_SIZE:
                _STEMS.clear()
            stemmed = _STEMS[word] = stem(word)
        found.append(stemmed)
    return found


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]
