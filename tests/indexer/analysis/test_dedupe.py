import random

from indexer.analysis.dedupe import assign_duplicates, group_language_variants, hamming, mark_duplicates, simhash
from store import FetchedPage, ProcessedPage, Store

WORDS = ("laser optical coherence tomography retina imaging clinic scanner fibre diode module photoacoustic "
         "microscopy fluorescence lifetime endoscope probe wavelength pulse therapy skin tissue sensor").split()


def article(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def test_identical_and_lightly_edited_texts_hash_close_unrelated_far():
    text = article(1)
    edited = text + " Printer-friendly version."
    assert simhash(text) == simhash(text)
    assert hamming(simhash(text), simhash(edited)) <= 3
    assert hamming(simhash(text), simhash(article(2))) > 10


def test_short_texts_are_not_hashed():
    assert simhash("Home | Products | Contact") is None


def test_assign_duplicates_points_copies_at_the_first_seen_page():
    a, b = simhash(article(1)), simhash(article(2))
    assert assign_duplicates([(1, a), (2, b), (3, a), (4, a ^ 0b101)]) == {3: 1, 4: 1}


def test_mark_duplicates_keeps_one_page_and_lists_aliases(tmp_path):
    text = article(7)
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.upsert_organisations([{"id": "o", "name": "O"}])
        run = store.start_crawl_run(["o"])
        for url, page_text in [("http://o.test/a", text), ("http://o.test/a?print=1", text + " Print this page."),
                               ("http://o.test/b", article(8))]:
            store.record_fetch(run, FetchedPage(url, url, "o", 200, "text/html", page_text.encode()))
        for pending in list(store.pending_bodies()):
            store.save_processed(ProcessedPage(pending.page_id, "t", pending.body.decode(), "en", pending.body_hash))
        assert mark_duplicates(store) == 1
        original = store.page_id_for_url("http://o.test/a")
        assert store.page(original).aliases == ["http://o.test/a?print=1"]
        assert len(store.page_ids_to_index()) == 2
        # The copy changes into its own text: it is no longer a duplicate.
        store.record_fetch(run, FetchedPage("http://o.test/a?print=1", "http://o.test/a?print=1", "o", 200,
                                            "text/html", article(9).encode()))
        [pending] = list(store.pending_bodies())
        store.save_processed(ProcessedPage(pending.page_id, "t", pending.body.decode(), "en", pending.body_hash))
        assert mark_duplicates(store) == 0
        assert store.page(original).aliases == []


def test_language_versions_are_grouped_under_the_english_page():
    links = [(10, "fr", {"en": "http://o.test/en/x", "fr": "http://o.test/fr/x"}),
             (11, "en", {"en": "http://o.test/en/x", "fr": "http://o.test/fr/x", "de": "http://o.test/de/x"}),
             (12, "ja", {"en": "http://o.test/en/x"})]
    page_ids = {"http://o.test/en/x": 11, "http://o.test/fr/x": 10, "http://o.test/ja/x": 12}
    assert group_language_variants(links, page_ids) == {10: 11, 12: 11}


def test_language_versions_without_english_keep_the_first_seen():
    links = [(20, "fr", {"de": "http://o.test/de"}), (21, "de", {"fr": "http://o.test/fr"})]
    assert group_language_variants(links, {"http://o.test/de": 21, "http://o.test/fr": 20}) == {21: 20}
