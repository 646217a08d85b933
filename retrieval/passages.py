"""A page cut into overlapping passages, one embedding each, so a semantic hit can show the passage it matched.

Windows are counted in words; CJK text, written without spaces, counts characters instead
(CJK_CHARS_PER_WORD of them make a word). MiniLM reads at most 256 word pieces and cuts the rest: an
English word is about 1.3 pieces and a CJK character one, so PASSAGE_WORDS = 120 plus a title stays
within that (120 × 1.3 ≈ 160 pieces; 240 CJK characters ≈ 240 pieces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis.phrases import CJK

PASSAGE_WORDS = 120
PASSAGE_OVERLAP = 20  # words shared by neighbouring passages, so a sentence cut at a border is whole in one
CJK_CHARS_PER_WORD = 2
# Long pages keep their first passages only: a page says what it is about in its opening (the title is
# embedded with the first passage), what follows on very long pages is mostly references, catalogues and
# navigation, and the bound keeps the store's size and query time proportional to pages, not to the
# longest PDF. 24 passages of 100 new words each cover about 2,400 words, more than 90% of pages whole.
MAX_PASSAGES_PER_PAGE = 24

# A token is one CJK character or a run of other non-space characters.
_TOKEN = re.compile(rf"{CJK.pattern}|(?:(?!{CJK.pattern})\S)+")
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’)\]]*$")


@dataclass(frozen=True)
class Passage:
    start: int  # character span into the page's text
    end: int
    text: str  # what is embedded: text[start:end], with the page title before it in the first passage


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    weight: float  # in words
    ends_sentence: bool


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        piece = match.group()
        weight = 1 / CJK_CHARS_PER_WORD if CJK.fullmatch(piece) else 1.0
        tokens.append(_Token(match.start(), match.end(), weight, bool(_SENTENCE_END.search(piece))))
    return tokens


def _window_end(tokens: list[_Token], first: int, words: int) -> int:
    """One past the last token of the window starting at `first`: the last sentence end within `words`
    words if it lies in the window's second half, else wherever `words` words are reached."""
    total, last_sentence_end, index = 0.0, None, first
    while index < len(tokens) and total + tokens[index].weight <= words:
        total += tokens[index].weight
        if tokens[index].ends_sentence and total >= words / 2:
            last_sentence_end = index + 1
        index += 1
    if index == len(tokens):
        return index
    return last_sentence_end or max(index, first + 1)


def _next_start(tokens: list[_Token], first: int, end: int, overlap: int) -> int:
    """Where the following window starts: `overlap` words before `end`, moved forward to the start of a
    sentence when one begins in the overlap, so passages start cleanly."""
    start, total = end, 0.0
    while start - 1 > first and total + tokens[start - 1].weight <= overlap:
        start -= 1
        total += tokens[start].weight
    for index in range(start, end):
        if index > first and tokens[index - 1].ends_sentence:
            return index
    return start


def passages(title: str, text: str, words: int = PASSAGE_WORDS, overlap: int = PASSAGE_OVERLAP,
             limit: int = MAX_PASSAGES_PER_PAGE) -> list[Passage]:
    """The page's passages in reading order, at most `limit`. A page with a title and no text has one
    passage, its title (span 0-0); a page with neither has none."""
    if overlap >= words:
        raise ValueError(f"overlap ({overlap}) must be smaller than the window ({words} words)")
    title = " ".join(title.split())
    tokens = _tokens(text)
    if not tokens:
        return [Passage(0, 0, title)] if title else []
    found: list[Passage] = []
    first = 0
    while first < len(tokens) and len(found) < limit:
        end = _window_end(tokens, first, words)
        start_char, end_char = tokens[first].start, tokens[end - 1].end
        body = text[start_char:end_char]
        found.append(Passage(start_char, end_char, f"{title}\n{body}" if title and not found else body))
        if end == len(tokens):
            break
        first = _next_start(tokens, first, end, overlap)
    return found
