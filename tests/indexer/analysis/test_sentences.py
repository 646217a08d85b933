from indexer.analysis.sentences import get_nlp, split_sentences


def test_splits_prose_into_sentences():
    assert split_sentences("OCT images the retina. It is fast!  Is it safe?") == [
        "OCT images the retina.",
        "It is fast!",
        "Is it safe?",
    ]


def test_blank_lines_and_bullets_end_sentences():
    text = "Products\n\n- Laser modules\n- Fibre probes\n1. Endoscopes\nWe sell them\nworldwide."
    assert split_sentences(text) == ["Products", "Laser modules", "Fibre probes", "Endoscopes", "We sell them worldwide."]


def test_drops_empty_input():
    assert split_sentences("   \n\n ") == []


def test_unsupported_language_falls_back_and_cjk_full_stops_split():
    assert split_sentences("光干渉断層計は網膜を撮影する。眼科で普及している。", "ja") == [
        "光干渉断層計は網膜を撮影する。",
        "眼科で普及している。",
    ]
    assert get_nlp("ja").lang == "xx"
    assert get_nlp("de") is get_nlp("de")
