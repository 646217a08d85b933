"""Phrase lists from the taxonomy compiled into regular expressions, matched the same way everywhere.

Latin phrases match as whole words with any whitespace between their words; CJK phrases, written
without spaces, as plain substrings. A Latin phrase may abut CJK script: Japanese and Korean write
"米国FDAの承認" or "FDA의 승인" without spaces, and the acronym is still a word of its own. Phrases
holding an upper-case acronym ("FDA", "CE mark") match case-sensitively so that the same letters
inside ordinary words ("ce", "Fda") never count.
"""

from __future__ import annotations

import re
from typing import Iterable

_CJK_RANGES = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff"
CJK = re.compile(f"[{_CJK_RANGES}]")
# A word character that is not CJK: what may not touch a Latin phrase for it to be a whole word.
_LATIN_WORD_CHAR = f"[^\\W{_CJK_RANGES}]"
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
# Commas, semicolons, brackets and dashes (Latin and CJK forms) end the clause a cue can act on.
CLAUSE_BOUNDARY = re.compile(r"[,;:()\[\]—–、，；：（）]|\s-\s")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def _phrase_regex(phrase: str, acronyms_case_sensitive: bool) -> str:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    if acronyms_case_sensitive and _ACRONYM.search(phrase):
        body = f"(?-i:{body})"
    return body


def compile_phrases(phrases: Iterable[str], *, acronyms_case_sensitive: bool = False) -> re.Pattern | None:
    """One alternation, longest phrase first so that the most specific phrase wins at a position.

    The word boundaries stand outside the alternation: the engine then tries the phrases only where
    a word starts, which makes long phrase lists several times faster than a boundary per phrase."""
    unique = sorted(set(phrases), key=len, reverse=True)
    latin = [_phrase_regex(p, acronyms_case_sensitive) for p in unique if not has_cjk(p)]
    cjk = [_phrase_regex(p, acronyms_case_sensitive) for p in unique if has_cjk(p)]
    parts = ([rf"(?<!{_LATIN_WORD_CHAR})(?:{'|'.join(latin)})(?!{_LATIN_WORD_CHAR})"] if latin else []) + ([f"(?:{'|'.join(cjk)})"] if cjk else [])
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def phrase_key(text: str) -> str:
    """The form a matched phrase is looked up by: lower case, single spaces."""
    return " ".join(text.split()).lower()
