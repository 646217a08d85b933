"""Sentence splitting with spaCy's rule-based sentencizer.

Web pages and brochures put list items, menu entries and headings on their own lines
without final punctuation, so blank lines and bullets are treated as hard boundaries
before the sentencizer runs on each block.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import spacy
from spacy.language import Language

logger = logging.getLogger(__name__)

FALLBACK_LANG = "xx"

# A line that starts with a bullet or list number is a sentence of its own.
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦–]|\d{1,2}[.)])\s+")
# Languages written without spaces end sentences with full-width marks the default
# tokenizer does not split off, so they are cut here.
_CJK_SENTENCE_END = re.compile(r"(?<=[。！？])")


@lru_cache(maxsize=None)
def get_nlp(lang: str | None = None) -> Language:
    """A blank spaCy pipeline with a sentencizer for ``lang``, cached per language.

    Languages whose tokenizer needs extra packages (ja, ko, zh) or that spaCy does not
    know fall back to the multi-language pipeline.
    """
    code = (lang or "en").lower()
    try:
        nlp = spacy.blank(code)
    except (ImportError, LookupError, ValueError) as error:  # missing tokenizer deps or unknown code
        logger.debug("spaCy has no usable '%s' pipeline (%s); using '%s'", code, error, FALLBACK_LANG)
        nlp = spacy.blank(FALLBACK_LANG)
    nlp.add_pipe("sentencizer")
    return nlp


def _blocks(text: str) -> list[str]:
    """Paragraphs (separated by blank lines) and list items, in order."""
    blocks: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for line in text.splitlines():
        bullet = _BULLET.match(line)
        if not line.strip():
            end_paragraph()
        elif bullet:
            end_paragraph()
            blocks.append(line[bullet.end():])
        else:
            paragraph.append(line)
    end_paragraph()
    return [piece for block in blocks for piece in _CJK_SENTENCE_END.split(block) if piece.strip()]


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Split ``text`` into stripped, non-empty sentences (list items count as sentences)."""
    nlp = get_nlp(lang)
    sentences: list[str] = []
    for block in _blocks(text):
        # Single line breaks inside a paragraph are layout (wrapped text), not boundaries.
        doc = nlp(" ".join(block.split()))
        sentences.extend(sent.text.strip() for sent in doc.sents if sent.text.strip())
    return sentences
