from __future__ import annotations

import random
from itertools import pairwise

import pytest

from retrieval.passages import CJK_CHARS_PER_WORD, MAX_PASSAGES_PER_PAGE, PASSAGE_WORDS, passages

VOCABULARY = ["laser", "tissue", "OCT", "retina", "probe", "imaging", "wavelength", "diode", "scanner"]


def prose(sentences: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(6, 25))) + "." for _ in range(sentences))


def test_spans_cover_the_text_in_order_with_overlap_and_bounded_windows():
    text = prose(60)
    found = passages("A title", text)
    assert len(found) > 5
    assert found[0].start == 0 and found[-1].end == len(text)
    for before, after in pairwise(found):
        assert before.start < after.start < before.end <= after.end  # overlapping, moving forward
    for passage in found:
        assert len(text[passage.start:passage.end].split()) <= PASSAGE_WORDS


def test_windows_end_at_sentence_ends_where_possible():
    text = prose(60)
    found = passages("", text)
    assert all(text[p.end - 1] == "." for p in found)


def test_a_text_without_sentence_ends_is_cut_at_the_window_size():
    text = " ".join(["word"] * 500)
    found = passages("", text, words=100, overlap=10)
    assert [len(text[p.start:p.end].split()) for p in found[:-1]] == [100] * (len(found) - 1)
    assert found[-1].end == len(text)


def test_the_title_is_embedded_with_the_first_passage_only_and_spans_stay_in_the_text():
    text = prose(40)
    first, second = passages("Swept-source  OCT", text)[:2]
    assert first.text == "Swept-source OCT\n" + text[first.start:first.end]
    assert second.text == text[second.start:second.end]


def test_long_pages_keep_their_first_passages():
    text = prose(2000)
    found = passages("", text)
    assert len(found) == MAX_PASSAGES_PER_PAGE
    assert found[0].start == 0 and found[-1].end < len(text)


def test_cjk_text_counts_characters():
    sentence = "光干涉断层扫描是一种成像技术。"  # 14 CJK characters and a full stop
    text = sentence * 80
    found = passages("标题", text)
    assert len(found) > 3
    for passage in found:
        body = text[passage.start:passage.end]
        assert len(body) <= PASSAGE_WORDS * CJK_CHARS_PER_WORD
        assert body.endswith("。")


def test_empty_pages():
    assert passages("Only a title", "   ") == [passages("Only a title", "")[0]]
    assert passages("Only a title", "")[0].text == "Only a title"
    assert passages("", "") == []


def test_overlap_must_be_smaller_than_the_window():
    with pytest.raises(ValueError):
        passages("", "some text", words=10, overlap=10)
