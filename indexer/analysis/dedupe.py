"""Near-duplicate pages: the same text at several URLs, or the same page in several languages, is kept
once; the other URLs become its aliases.

A 64-bit simhash over word shingles; pages within a few bits of each other are duplicates. Written here
rather than taken from datasketch because a simhash is one integer per page, which the store keeps, while
MinHash signatures would need 128 values per page persisted and an LSH index rebuilt on every run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict

import numpy as np

from store import Store

log = logging.getLogger(__name__)

SHINGLE_WORDS = 3
MAX_DISTANCE = 3  # bits; at 64 bits this is about 95% shared shingles
BANDS = MAX_DISTANCE + 1  # pigeonhole: two hashes within MAX_DISTANCE bits agree exactly on at least one band
BAND_BITS = 64 // BANDS
MIN_WORDS = 20  # shorter texts (menus, stubs) collide too easily to call duplicates
WORD = re.compile(r"\w+", re.UNICODE)


def simhash(text: str) -> int | None:
    words = WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = (" ".join(words[start:start + SHINGLE_WORDS]).encode("utf-8")
                for start in range(len(words) - SHINGLE_WORDS + 1))
    values = np.frombuffer(b"".join(hashlib.blake2b(shingle, digest_size=8).digest() for shingle in shingles),
                           dtype=">u8")
    # Each shingle votes +1 for the bits set in its hash and -1 for the others (integers: exact).
    set_bits = ((values[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).sum(axis=0, dtype=np.int64)
    weights = 2 * set_bits - len(values)
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def assign_duplicates(pages: list[tuple[int, int]]) -> dict[int, int]:
    """Given (page_id, simhash) in the order pages were first seen, map each duplicate to the page it copies."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    hashes = dict(pages)
    duplicate_of: dict[int, int] = {}
    mask = (1 << BAND_BITS) - 1
    for page_id, value in pages:
        keys = [(band, value >> (band * BAND_BITS) & mask) for band in range(BANDS)]
        original = next(
            (other for key in keys for other in buckets[key]
             if other not in duplicate_of and hamming(hashes[other], value) <= MAX_DISTANCE),
            None,
        )
        if original is not None:
            duplicate_of[page_id] = original
            continue
        for key in keys:
            buckets[key].append(page_id)
    return duplicate_of


def group_language_variants(links: list[tuple[int, str | None, dict[str, str]]],
                            page_ids: dict[str, int]) -> dict[int, int]:
    """Pages that declare each other as language versions are one page: map each version to the one shown.

    The English version is shown where there is one (it is what the embedding model and most scouts read),
    else the first seen.
    """
    parent: dict[int, int] = {}

    def root(page_id: int) -> int:
        while parent.setdefault(page_id, page_id) != page_id:
            page_id = parent[page_id]
        return page_id

    english: set[int] = set()
    for page_id, language, variants in links:
        if language == "en":
            english.add(page_id)
        for hreflang, url in variants.items():
            other = page_ids.get(url)
            if other is None:
                continue
            if hreflang.split("-")[0] in ("en", "x"):
                english.add(other)
            parent[root(other)] = root(page_id)
    groups: dict[int, list[int]] = defaultdict(list)
    for page_id in list(parent):
        groups[root(page_id)].append(page_id)
    shown_of: dict[int, int] = {}
    for members in groups.values():
        shown = min(members, key=lambda page_id: (page_id not in english, page_id))
        shown_of.update({page_id: shown for page_id in members if page_id != shown})
    return shown_of


def mark_duplicates(store: Store) -> int:
    """Hash newly processed pages, then reassign every page's duplicate status; returns the number of duplicates.

    A duplicate is a page repeating another's text, or another language version of a page.
    """
    store.save_simhashes({page_id: simhash(text) for page_id, text in store.texts_without_simhash()})
    duplicate_of = assign_duplicates(store.simhashes())
    links = store.language_variant_links()
    variants = group_language_variants(links, store.page_ids_by_url(
        url for _, _, declared in links for url in declared.values()))
    for page_id, shown in variants.items():
        # A page is never filed under a copy of itself: follow the shown version to its own original.
        target = duplicate_of.get(shown, shown)
        if page_id not in duplicate_of and target != page_id:
            duplicate_of[page_id] = target
    store.set_duplicates(duplicate_of)
    if duplicate_of:
        log.info("%d pages repeat another page's text and are kept as its aliases", len(duplicate_of))
    return len(duplicate_of)
