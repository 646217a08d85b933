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
    a word starts, which makes long phrase lists several times faster than a boundary per phrase.
    Where it can, the alternation is written as a trie (see `_alternation`): same matches, a fraction
    of the time on lists of hundreds of phrases."""
    unique = sorted(set(phrases), key=len, reverse=True)
    case_sensitive_parts = acronyms_case_sensitive and any(_ACRONYM.search(p) for p in unique)
    parts = []
    for group, bounded in (([p for p in unique if not has_cjk(p)], True), ([p for p in unique if has_cjk(p)], False)):
        if not group:
            continue
        if case_sensitive_parts:
            body = "|".join(_phrase_regex(p, acronyms_case_sensitive) for p in group)
        else:
            body = _alternation(group)
        parts.append(rf"(?<!{_LATIN_WORD_CHAR})(?:{body})(?!{_LATIN_WORD_CHAR})" if bounded else f"(?:{body})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


_END = ""  # the trie key of "a phrase ends here"
_SPACE = r"\s+"  # the trie key of a run of whitespace between words (other keys are single characters)


def _alternation(phrases: list[str]) -> str:
    """A regex body that, case-insensitively, matches what the alternation of the phrases, longest first,
    would match (any run of whitespace between their words), written as a trie of their characters.

    Python's engine tries an alternation's branches one by one at every position; a trie tries only the
    branch of the character in front of it. The result is the same: with the phrases sorted longest
    first, the plain alternation takes the longest phrase that matches (and on backtracking the next
    longest); the trie tries the longer continuation of a path before the phrase that ends on it, and
    sibling branches never match the same character. Where that cannot be guaranteed (unusual spacing
    inside a phrase, characters that match each other in any case) the plain alternation is returned."""
    ordered = sorted(dict.fromkeys(phrases), key=len, reverse=True)
    plain = "|".join(_phrase_regex(phrase, acronyms_case_sensitive=False) for phrase in ordered)
    if any(not phrase or phrase != " ".join(phrase.split()) for phrase in ordered):
        return plain
    root: dict = {}
    for phrase in ordered:
        node = root
        for char in phrase:
            node = node.setdefault(_SPACE if char == " " else _key(char), {})
        node[_END] = {}
    keys = {key for key in _keys(root) if key not in (_END, _SPACE)}
    if not _distinct_in_any_case(keys):
        return plain
    return _trie_regex(root)


def _key(char: str) -> str:
    """Upper and lower case share a branch (the pattern ignores case)."""
    lower = char.lower()
    return lower if len(lower) == 1 else char


def _keys(node: dict) -> Iterable[str]:
    for key, child in node.items():
        yield key
        yield from _keys(child)


def _distinct_in_any_case(keys: set[str]) -> bool:
    """No character matches two of the keys case-insensitively (as "s" and "ſ" both match "S"). Only
    characters that have a case can match another one."""
    cased = {key for key in keys if key.upper() != key or key.lower() != key}
    compiled = {key: re.compile(re.escape(key), re.IGNORECASE) for key in cased}
    for key in cased:
        for variant in {key, key.upper(), key.lower(), key.casefold(), key.title()}:
            if sum(bool(pattern.fullmatch(variant)) for pattern in compiled.values()) > 1:
                return False
    return True


def _trie_regex(node: dict) -> str:
    branches = [(_SPACE if key == _SPACE else re.escape(key)) + _trie_regex(child)
                for key, child in node.items() if key != _END]
    if not branches:
        return ""
    if _END in node:  # the longer phrases first, then the one ending here
        return f"(?:{'|'.join(branches)}|)"
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def phrase_key(text: str) -> str:
    """The form a matched phrase is looked up by: lower case, single spaces."""
    return " ".join(text.split()).lower()
