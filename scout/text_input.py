"""What `scout tag` reads on stdin: bytes made into text, or records made from JSON lines, or one clear error."""

from __future__ import annotations

import codecs
import re
from typing import Any

import charset_normalizer

# The legacy encodings of the languages Scout reads (Western European, Japanese, Korean). Left free to pick
# among all code pages, charset detection reads short Latin-1 text as Central European or Cyrillic.
LEGACY_ENCODINGS = ["cp1252", "cp932", "euc_jp", "cp949"]
JAPANESE_ENCODINGS = {"cp932", "euc_jp"}
CJK_ENCODINGS = JAPANESE_ENCODINGS | {"cp949"}
KANA = re.compile("[\u3041-\u30ff]")  # full-width hiragana and katakana; not the half-width forms
# C0 controls other than whitespace, and DEL: text never holds them, binary files nearly always do.
BINARY_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


class TextInputError(ValueError):
    """Input that is not text Scout can analyse."""


def decode_text(data: bytes, source: str = "stdin") -> str:
    """UTF-8 text (a byte-order mark is dropped), else the legacy encoding charset detection finds most
    plausible; binary data is refused."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = decode_legacy(data)
        if text is None:
            raise TextInputError(f"{source}: binary data, not text") from None
    control = BINARY_CONTROL.search(text)
    if control:
        raise TextInputError(f"{source}: binary data, not text (control character "
                             f"U+{ord(control.group()):04X} at character {control.start()})")
    return text


def decode_legacy(data: bytes) -> str | None:
    """The most plausible reading of non-UTF-8 text, or None for data no legacy encoding reads as text."""
    readings = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS)
    best = readings.best()
    if best is None:
        return None
    if best.encoding in CJK_ENCODINGS:
        # Japanese and Korean double-byte text decode cleanly under each other's code page, and charset
        # detection cannot tell them apart. Japanese prose always has kana, which Korean bytes read as
        # Japanese never give: a Japanese reading with kana is the right one, else the Korean.
        japanese = [str(r) for r in readings if r.encoding in JAPANESE_ENCODINGS and KANA.search(str(r))]
        korean = [str(r) for r in readings if r.encoding == "cp949"]
        return (japanese or korean or [str(best)])[0]
    return str(best)


def parse_records(text: str, source: str = "stdin") -> list[dict[str, Any]]:
    """One record per non-blank JSON line: an object with a ``text`` string and optional ``lang`` and
    ``organisation_type`` strings; errors name the line."""
    from indexer.analysis.evaluation import json_lines

    return [record for _, record in json_lines(text, source, TextInputError, record_problem)]


def record_problem(record: Any) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return "expected an object with a 'text' string"
    for key in ("lang", "organisation_type"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"'{key}' must be a string or null"
    if any(not is_unicode(value) for value in (record["text"], record.get("lang"), record.get("organisation_type"))
           if value is not None):
        return "holds an unpaired surrogate escape (\\udXXX), not Unicode text"
    return None


def is_unicode(text: str) -> bool:
    """False for strings JSON can carry but no encoder can write: lone surrogates from escapes like \\ud800."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
