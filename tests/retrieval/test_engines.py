"""One behaviour for every engine backend: matching, filters, facets, sorting, writing and sharing an index."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from retrieval.engine import BACKENDS, IndexedPage, IndexMissingError, open_engine
from retrieval.query import All, Any, Match, Not, PageIds, Phrase, Range, Since, Word
from retrieval.terms import terms

ROOT = Path(__file__).resolve().parents[2]


def page(page_id: int, title: str, text: str, **fields) -> IndexedPage:
    return IndexedPage(page_id=page_id, url=f"https://example.org/{page_id}", title=title, text=text, **fields)


PAGES = [
    page(1, "OCT imaging of the retina", "Optical coherence tomography images the retina in minutes.",
         organisation="Lumina Optics", organisation_id="lumina", country="JP", market="japan",
         organisation_type="company", role="system-supplier", applications=("A20", "A3"),
         areas=("diagnosis", "ophthalmology"), trl=7, language="en",
         last_changed_at=datetime(2026, 1, 10), published=date(2025, 5, 1)),
    page(2, "OCT for skin", "Dermatology scanners; an Nd:YAG laser treats lesions.", organisation="Derma Lux",
         organisation_id="dermalux", country="KR", market="korea", organisation_type="company",
         role="component-supplier", applications=("A20",), areas=("diagnosis",), trl=None, language="en",
         last_changed_at=datetime(2026, 2, 1)),
    page(3, "光干渉断層計", "網膜の光干渉断層計による画像診断", organisation="光学研究所", organisation_id="kogaku",
         country="JP", market="japan", organisation_type="research", role="developer", applications=("A3",),
         areas=("ophthalmology",), trl=3, language="ja", last_changed_at=datetime(2025, 3, 1),
         published=date(2026, 1, 15)),
    page(4, "Retina photography", "Fundus cameras image the retina without OCT.", organisation="Lumina Optics",
         organisation_id="lumina", country="JP", market="japan", organisation_type="company",
         role="system-supplier", applications=("A3",), areas=("ophthalmology",), trl=9, language="en",
         last_changed_at=datetime(2025, 12, 1), published=date(2024, 2, 2)),
    page(5, "Photodynamic therapy", "PDT with a 630 nm diode laser; the yag laser is not used here.",
         organisation="Heal Light", organisation_id="heallight", country="DE", market="germany",
         organisation_type="clinic", role="user", applications=("A7",), areas=("therapy",), trl=5, language="de",
         last_changed_at=datetime(2026, 1, 10)),
    page(6, "Laser imaging systems", "Imaging with lasers: yag and diode sources for clinics.",
         organisation="Heal Light", organisation_id="heallight", country="DE", market="germany",
         organisation_type="clinic", role="user", applications=("A7", "A20"), areas=("therapy", "diagnosis"),
         trl=6, language="en", published=date(2026, 3, 1)),
    page(7, "Spectroscopy", "Raman spectroscopy of tissue; no tomography.", organisation="", organisation_id="",
         country="", market="", organisation_type="", role="", applications=(), areas=(), trl=None,
         language="en"),
]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def engine(backend, tmp_path):
    engine = open_engine(backend, tmp_path / backend, writable=True)
    engine.add(PAGES)
    engine.commit()
    yield engine
    engine.close()


def ids(engine, query) -> set[int]:
    results = engine.search(query, limit=1000)
    assert results.total == len(results.hits)
    return {hit.page_id for hit in results.hits}


def ranked(engine, query, **options) -> list[int]:
    return [hit.page_id for hit in engine.search(query, limit=1000, **options).hits]


def with_word(word: str) -> set[int]:
    """Pages whose title or text holds `word` (case-insensitive substring), worked out without an engine."""
    return {p.page_id for p in PAGES if word in (p.title + " " + p.text).lower()}


# Matching


def test_a_word_matches_the_pages_holding_it(engine):
    assert ids(engine, Word("oct")) == {1, 2, 4}
    assert ids(engine, Word("retina")) == with_word("retina") == {1, 4}


def test_not_excludes_exactly_the_pages_holding_the_word(engine):
    assert ids(engine, All((Word("oct"), Not(Word("retina"))))) == {2}


def test_a_lone_not_means_every_page_except_those(engine):
    assert ids(engine, Not(Word("retina"))) == {2, 3, 5, 6, 7}
    assert ids(engine, All((Not(Word("retina")), Not(Word("laser"))))) == {3, 7}  # "lasers" too


def test_and_or_and_nested_parentheses(engine):
    assert ids(engine, All((Word("oct"), Word("retina")))) == {1, 4}
    assert ids(engine, Any((Word("raman"), Word("dermatology")))) == {2, 7}
    # (laser OR retina) AND NOT (oct OR diode)
    query = All((Any((Word("laser"), Word("retina"))), Not(Any((Word("oct"), Word("diode"))))))
    assert ids(engine, query) == set()
    # (retina AND NOT photography) OR (yag AND (pdt OR clinics))
    query = Any((All((Word("retina"), Not(Word("photography")))),
                 All((Word("yag"), Any((Word("pdt"), Word("clinics")))))))
    assert ids(engine, query) == {1, 5, 6}


def test_a_phrase_needs_its_words_in_order_and_adjacent(engine):
    assert ids(engine, All((Word("laser"), Word("diode")))) == {5, 6}
    assert ids(engine, Phrase(("diode", "laser"))) == {5}
    assert ids(engine, Phrase(("laser", "diode"))) == set()
    assert ids(engine, Phrase(("coherence", "tomography"))) == {1}


def test_stemming_makes_word_forms_equivalent(engine):
    assert ids(engine, Word("imaging")) == ids(engine, Word("images")) == ids(engine, Word("image")) == {1, 4, 6}


def test_cjk_matches_whole_runs_and_words_inside_longer_runs(engine):
    assert ids(engine, Word("光干渉断層計")) == {3}
    assert ids(engine, Word("網膜")) == {3}
    assert ids(engine, Word("断層")) == {3}
    assert ids(engine, Word("網膜光")) == set()  # its bigrams exist, but not next to each other


def test_a_word_of_several_tokens_is_a_phrase(engine):
    assert ids(engine, Word("nd:yag")) == {2}
    assert ids(engine, Word("yag")) == {2, 5, 6}
    assert ids(engine, Word("630nm")) == set()
    assert ids(engine, Phrase(("630", "nm"))) == {5}


def test_stopwords_are_ignored_beside_other_parts_and_match_nothing_alone(engine):
    assert ids(engine, Word("the")) == set()
    assert ids(engine, All((Word("the"), Word("retina")))) == {1, 4}
    assert ids(engine, Any((Word("the"), Word("raman")))) == {7}
    assert ids(engine, All((Word("raman"), Not(Word("the"))))) == {7}


def test_organisation_and_application_names_are_searched(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    engine.add([page(1, "A", "nothing", organisation="Photonova"),
                page(2, "B", "nothing", application_names="Optical coherence tomography")])
    engine.commit()
    assert ids(engine, Word("photonova")) == {1}
    assert ids(engine, Phrase(("optical", "coherence"))) == {2}
    engine.close()


def test_a_title_match_outranks_the_same_word_in_the_text(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    body = "Reports from the clinic about patients and devices. " * 5
    engine.add([page(1, "Clinic news", body + "Angiography was used."), page(2, "Angiography", body)])
    engine.commit()
    assert ranked(engine, Word("angiography")) == [2, 1]
    engine.close()


# Filters


@pytest.mark.parametrize("field, values, expected", [
    ("application", ("A20",), {1, 2, 6}),
    ("application", ("A3", "A7"), {1, 3, 4, 5, 6}),
    ("area", ("therapy",), {5, 6}),
    ("country", ("JP",), {1, 3, 4}),
    ("market", ("germany",), {5, 6}),
    ("organisation_type", ("research",), {3}),
    ("role", ("system-supplier",), {1, 4}),
    ("language", ("ja", "de"), {3, 5}),
    ("organisation_id", ("lumina",), {1, 4}),
    ("country", ("XX",), set()),
])
def test_each_filter_matches_its_field_exactly(engine, field, values, expected):
    assert ids(engine, Match(field, values)) == expected


def test_filters_combine_with_words_and_each_other(engine):
    assert ids(engine, All((Word("oct"), Match("country", ("JP",))))) == {1, 4}
    assert ids(engine, All((Match("application", ("A20",)), Match("area", ("therapy",))))) == {6}
    assert ids(engine, All((Match("market", ("japan",)), Not(Match("application", ("A20",)))))) == {3, 4}
    assert ids(engine, All((Word("laser"), Range("trl", 6, 9), Match("language", ("en",))))) == {6}


@pytest.mark.parametrize("low, high, expected", [(7, 9, {1, 4}), (4, 6, {5, 6}), (1, 3, {3}), (9, 9, {4}),
                                                 (1, 9, {1, 3, 4, 5, 6})])
def test_trl_ranges_are_inclusive_and_skip_pages_without_a_level(engine, low, high, expected):
    assert ids(engine, Range("trl", low, high)) == expected


def test_since_filters_either_date_field_from_that_day_on(engine):
    assert ids(engine, Since("last_changed_at", date(2026, 1, 10))) == {1, 2, 5}
    assert ids(engine, Since("last_changed_at", date(2026, 1, 11))) == {2}
    assert ids(engine, Since("published", date(2025, 5, 1))) == {1, 3, 6}
    assert ids(engine, Since("published", date(2026, 1, 1))) == {3, 6}


def test_page_ids_select_those_pages(engine):
    assert ids(engine, PageIds(frozenset({2, 5, 99}))) == {2, 5}
    assert ids(engine, All((Word("oct"), PageIds(frozenset({1, 2, 3}))))) == {1, 2}
    assert ids(engine, PageIds(frozenset())) == set()


# Facets


def expected_facets(pages: list[IndexedPage]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = {name: Counter() for name in
                                  ("application", "area", "trl", "country", "market", "organisation_type", "role",
                                   "language", "organisation_id")}
    for p in pages:
        counts["application"].update(p.applications)
        counts["area"].update(p.areas)
        if p.trl:
            counts["trl"][str(p.trl)] += 1
        for name in ("country", "market", "organisation_type", "role", "language", "organisation_id"):
            if getattr(p, name):
                counts[name][getattr(p, name)] += 1
    return {name: dict(counter) for name, counter in counts.items()}


def test_facets_count_the_whole_matching_set(engine):
    results = engine.search(None, limit=1, facets=True)
    assert results.total == 7 and len(results.hits) == 1
    assert results.facets == expected_facets(PAGES)
    assert results.facets["trl"] == {"3": 1, "5": 1, "6": 1, "7": 1, "9": 1}
    assert results.facets["application"] == {"A20": 3, "A3": 3, "A7": 2}


def test_facets_follow_the_query(engine):
    results = engine.search(Word("laser"), limit=0, facets=True)
    assert results.total == 3 and results.hits == []
    assert results.facets == expected_facets([p for p in PAGES if p.page_id in {2, 5, 6}])
    assert results.application_country == {"A20": {"KR": 1, "DE": 1}, "A7": {"DE": 2}}


def test_application_country_counts_each_pair_a_page_has(engine):
    results = engine.search(None, limit=0, facets=True)
    assert results.application_country == {"A20": {"JP": 1, "KR": 1, "DE": 1}, "A3": {"JP": 3}, "A7": {"DE": 2}}


def test_no_facets_unless_asked(engine):
    results = engine.search(None, limit=3)
    assert results.facets == {} and results.application_country == {}


# Sorting and paging


def test_sort_by_trl_puts_pages_without_a_level_last(engine):
    order = ranked(engine, None, sort="trl")
    assert order[:5] == [4, 1, 6, 5, 3]
    assert set(order[5:]) == {2, 7}


def test_sort_by_trl_breaks_ties_by_relevance(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    engine.add([page(1, "Clinic", "laser " + "filler words here " * 30, trl=5),
                page(2, "Laser", "laser laser", trl=5), page(3, "Laser", "laser", trl=8)])
    engine.commit()
    assert ranked(engine, Word("laser"), sort="trl") == [3, 2, 1]
    engine.close()


def test_sort_by_date_is_newest_change_first_undated_last(engine):
    order = ranked(engine, None, sort="date")
    assert order[0] == 2 and set(order[1:3]) == {1, 5} and order[3:5] == [4, 3]
    assert set(order[5:]) == {6, 7}


def test_sort_by_published_is_newest_first_undated_last(engine):
    order = ranked(engine, None, sort="published")
    assert order[:4] == [6, 3, 1, 4]
    assert set(order[4:]) == {2, 5, 7}


def test_relevance_is_the_default_and_unknown_sorts_are_refused(engine):
    assert ranked(engine, Word("retina"))[0] in {1, 4}
    with pytest.raises(ValueError):
        engine.search(None, limit=1, sort="colour")


@pytest.mark.parametrize("sort", ["relevance", "trl", "date", "published"])
def test_offset_and_limit_page_through_one_order(engine, sort):
    whole = ranked(engine, None, sort=sort)
    assert len(whole) == 7
    pages = [engine.search(None, limit=3, offset=offset, sort=sort) for offset in (0, 3, 6)]
    assert [hit.page_id for part in pages for hit in part.hits] == whole
    assert all(part.total == 7 for part in pages)
    assert engine.search(None, limit=3, offset=10, sort=sort).hits == []


def test_count_and_matching_ids_agree_with_search(engine):
    assert engine.count(None) == 7
    assert engine.matching_ids(None) == frozenset(range(1, 8))
    assert engine.count(Word("oct")) == 3
    assert engine.matching_ids(Word("oct")) == frozenset({1, 2, 4})
    assert engine.matching_ids(Not(Word("oct"))) == frozenset({3, 5, 6, 7})
    assert engine.count(Word("the")) == 0


def test_hits_carry_the_organisation_id(engine):
    hits = engine.search(Word("retina"), limit=5).hits
    assert {hit.organisation_id for hit in hits} == {"lumina"}
    assert all(hit.score > 0 for hit in hits)


# Writing


def test_adding_a_page_again_replaces_it(engine):
    engine.add([page(2, "Gone", "nothing left", trl=8, country="FR")])
    engine.commit()
    assert ids(engine, Word("dermatology")) == set()
    assert ids(engine, Word("gone")) == {2}
    assert engine.count(None) == 7
    assert engine.search(None, limit=0, facets=True).facets["country"] == {"JP": 3, "DE": 2, "FR": 1}


def test_a_page_added_twice_in_one_batch_keeps_the_last_version(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    engine.add([page(1, "First", "alpha"), page(1, "Second", "beta")])
    engine.add([page(2, "Other", "gamma")])
    engine.delete([2])
    engine.commit()
    assert engine.count(None) == 1
    assert ids(engine, Word("beta")) == {1} and ids(engine, Word("alpha")) == set()
    engine.close()


def test_delete_removes_pages_and_ignores_unknown_ids(engine):
    engine.delete([1, 4, 999])
    engine.commit()
    assert ids(engine, Word("retina")) == set()
    assert engine.count(None) == 5
    assert engine.search(None, limit=0, facets=True).facets["organisation_id"] == {
        "dermalux": 1, "kogaku": 1, "heallight": 2}


def test_nothing_is_visible_before_commit(engine):
    engine.add([page(50, "Fresh", "brand new")])
    engine.delete([1])
    assert engine.count(None) == 7 and ids(engine, Word("fresh")) == set()
    engine.commit()
    assert engine.count(None) == 7 and ids(engine, Word("fresh")) == {50}


def test_reopening_after_close_finds_the_pages(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    engine.add(PAGES)
    engine.commit()
    engine.close()
    reader = open_engine(backend, tmp_path / "e")
    assert reader.count(None) == 7
    assert reader.matching_ids(Word("retina")) == frozenset({1, 4})
    reader.close()


def test_read_only_open_of_a_missing_or_empty_directory_says_to_index(backend, tmp_path):
    with pytest.raises(IndexMissingError, match="run `scout index` first"):
        open_engine(backend, tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexMissingError, match="run `scout index` first"):
        open_engine(backend, tmp_path / "empty")
    assert not (tmp_path / "missing").exists()


def test_an_empty_index_answers_with_nothing(backend, tmp_path):
    engine = open_engine(backend, tmp_path / "e", writable=True)
    results = engine.search(Word("oct"), limit=10, facets=True)
    assert results.total == 0 and results.hits == [] and results.application_country == {}
    assert engine.count(None) == 0 and engine.matching_ids(None) == frozenset()
    engine.close()


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from retrieval.engine import IndexedPage, open_engine
    engine = open_engine(sys.argv[1], Path(sys.argv[2]), writable=True)
    engine.add([IndexedPage(page_id=100, url="u", title="Elsewhere", text="written by another process")])
    engine.delete([1])
    engine.commit()
    engine.close()
""")


def test_a_commit_by_another_process_is_seen_at_the_next_search(backend, tmp_path):
    writer = open_engine(backend, tmp_path / "e", writable=True)
    writer.add(PAGES)
    writer.commit()
    writer.close()
    reader = open_engine(backend, tmp_path / "e")
    assert reader.count(None) == 7 and ids(reader, Word("elsewhere")) == set()
    subprocess.run([sys.executable, "-c", WRITER, backend, str(tmp_path / "e")], check=True, cwd=ROOT,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert ids(reader, Word("elsewhere")) == {100}
    assert reader.count(None) == 7 and 1 not in reader.matching_ids(None)
    reader.close()


# Both backends answer alike


VOCABULARY = ("laser oct retina imaging images tomography photodynamic therapy diode fluorescence endoscope "
              "spectroscopy raman skin tumour surgery ophthalmology camera sensor wavelength clinical trial "
              "prototype product regulatory approval nd:yag 1064 nm").split()
CJK_WORDS = ("光干渉断層計", "網膜", "内視鏡", "レーザー治療", "광간섭")


def generated_pages(count: int, seed: int = 9) -> list[IndexedPage]:
    rng = random.Random(seed)
    pages = []
    for page_id in range(1, count + 1):
        words = rng.choices(VOCABULARY, k=rng.randint(5, 60)) + rng.choices(CJK_WORDS, k=rng.randint(0, 2))
        applications = tuple(sorted(set(rng.choices(("A3", "A7", "A20", "A31"), k=rng.randint(0, 2)))))
        pages.append(page(
            page_id, " ".join(rng.choices(VOCABULARY, k=3)), " ".join(words),
            organisation=rng.choice(("Lumina Optics", "Derma Lux", "")),
            organisation_id=rng.choice(("lumina", "dermalux", "kogaku", "")),
            country=rng.choice(("JP", "KR", "DE", "")), market=rng.choice(("japan", "korea", "germany", "")),
            organisation_type=rng.choice(("company", "research", "")), role=rng.choice(("user", "developer", "")),
            applications=applications, application_names=" ".join(applications),
            areas=tuple(sorted({"A3": "diagnosis", "A7": "therapy", "A20": "diagnosis", "A31": "surgery"}[a]
                               for a in applications)),
            trl=rng.choice((None, 2, 4, 6, 7, 9)), language=rng.choice(("en", "ja", "de")),
            last_changed_at=datetime(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23)),
            published=rng.choice((None, date(2024, 1, 1), date(2025, rng.randint(1, 12), 1)))))
    return pages


MIXED_QUERIES = [
    None,
    Word("laser"),
    Word("imaging"),
    Word("nd:yag"),
    Word("網膜"),
    Word("干渉"),
    Phrase(("diode", "laser")),
    Phrase(("1064", "nm")),
    All((Word("oct"), Word("retina"))),
    All((Word("oct"), Not(Word("retina")))),
    Not(Word("laser")),
    Any((Word("raman"), Word("endoscope"), Phrase(("clinical", "trial")))),
    All((Any((Word("skin"), Word("tumour"))), Not(Any((Word("surgery"), Word("camera")))))),
    All((Word("laser"), Match("application", ("A20", "A31")))),
    All((Match("country", ("JP",)), Range("trl", 6, 9))),
    All((Word("therapy"), Match("area", ("therapy",)), Not(Match("language", ("de",))))),
    Since("last_changed_at", date(2025, 7, 1)),
    All((Word("sensor"), Since("published", date(2025, 3, 1)))),
    All((Match("organisation_id", ("lumina",)), Match("role", ("developer",)), Word("camera"))),
    Any((Word("the"), Word("photodynamic"))),
    All((PageIds(frozenset(range(1, 200, 3))), Word("wavelength"))),
]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    pages = generated_pages(200)
    engines = {}
    for backend in BACKENDS:
        engine = open_engine(backend, tmp_path_factory.mktemp(backend), writable=True)
        engine.add(pages[:120])
        engine.commit()
        engine.add(pages[100:])
        engine.commit()
        engines[backend] = engine
    yield engines
    for engine in engines.values():
        engine.close()


@pytest.mark.parametrize("query", MIXED_QUERIES, ids=[str(i) for i in range(len(MIXED_QUERIES))])
def test_both_backends_match_the_same_pages_with_the_same_facets(both_engines, query):
    answers = {backend: engine.search(query, limit=500, facets=True) for backend, engine in both_engines.items()}
    first, *others = answers.values()
    assert 0 < first.total < 200 or query is None
    for other in others:
        assert other.total == first.total
        assert {hit.page_id for hit in other.hits} == {hit.page_id for hit in first.hits}
        assert other.facets == first.facets
        assert other.application_country == first.application_country
    for sort in ("trl", "published"):
        orders = [[hit.page_id for hit in engine.search(query, limit=500, sort=sort).hits]
                  for engine in both_engines.values()]
        # Equal sort values may tie in another order, so compare the sequence of values.
        values = {page.page_id: (page.trl if sort == "trl" else page.published) for page in generated_pages(200)}
        assert [values[i] for i in orders[0]] == [values[i] for i in orders[-1]]


def reference_match(node, p: IndexedPage) -> bool:
    """Whether `p` matches `node`, worked out from retrieval.terms without any engine."""
    if node is None:
        return True
    if isinstance(node, (Word, Phrase)):
        wanted = terms(node.text) if isinstance(node, Word) else [t for word in node.words for t in terms(word)]
        if not wanted:
            return False
        for text in (p.title, p.text, p.organisation, p.application_names):
            held = terms(text)
            if any(held[i:i + len(wanted)] == wanted for i in range(len(held))):
                return True
        return False
    if isinstance(node, All):
        kept = [part for part in node.parts if not is_stopword(part)]
        return bool(kept) and all(reference_match(part, p) for part in kept)
    if isinstance(node, Any):
        return any(reference_match(part, p) for part in node.parts if not is_stopword(part))
    if isinstance(node, Not):
        return not reference_match(node.part, p)
    if isinstance(node, Match):
        held = {"application": p.applications, "area": p.areas}.get(node.field) or (getattr(p, node.field, ""),)
        return bool(set(node.values) & set(held))
    if isinstance(node, Range):
        return p.trl is not None and node.low <= p.trl <= node.high
    if isinstance(node, Since):
        moment = getattr(p, node.field)
        return moment is not None and (moment.date() if isinstance(moment, datetime) else moment) >= node.day
    if isinstance(node, PageIds):
        return p.page_id in node.ids
    raise TypeError(node)


def is_stopword(node) -> bool:
    return (isinstance(node, Word) and not terms(node.text)) or (isinstance(node, Not) and is_stopword(node.part))


@pytest.mark.parametrize("query", MIXED_QUERIES, ids=[str(i) for i in range(len(MIXED_QUERIES))])
def test_each_backend_matches_what_the_query_means(both_engines, query):
    expected = {p.page_id for p in generated_pages(200) if reference_match(query, p)}
    for engine in both_engines.values():
        assert engine.matching_ids(query) == expected


def test_whoosh_merges_segments_by_size_tier_instead_of_piling_them_up(tmp_path):
    from whoosh import index

    from retrieval.whoosh_engine import MERGE_FACTOR

    engine = open_engine("whoosh", tmp_path / "e", writable=True)
    for page_id in range(1, 3 * MERGE_FACTOR + 1):
        engine.add([page(page_id, "Batch", f"page number {page_id}")])
        engine.commit()
    segments = index.open_dir(str(tmp_path / "e"))._segments()
    assert len(segments) < 2 * MERGE_FACTOR
    assert max(segment.doc_count_all() for segment in segments) >= MERGE_FACTOR
    assert engine.count(Word("batch")) == 3 * MERGE_FACTOR
    engine.close()


def test_threads_share_one_engine_while_it_commits(engine):
    from concurrent.futures import ThreadPoolExecutor

    def searches(_):
        return [engine.search(Word("retina"), limit=5, facets=True).total for _ in range(20)]

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(searches, n) for n in range(4)]
        for page_id in range(100, 110):
            engine.add([page(page_id, "Retina news", "retina")])
            engine.commit()
        totals = [total for future in running for total in future.result()]
    assert set(totals) <= set(range(2, 13))
    assert engine.count(Word("retina")) == 12


@pytest.mark.parametrize("text, expected", [
    ("oct", {1, 2, 4}),
    ("oct NOT retina", {2}),
    ("oct -retina", {2}),
    ("-retina", {2, 3, 5, 6, 7}),
    ("oct AND retina", {1, 4}),
    ('"diode laser"', {5}),
    ("(laser OR retina) -oct", {5, 6}),
    ("nd:yag", {2}),
    ("網膜", {3}),
    ("app:A20 country:JP", {1}),
    ("trl:>=7", {1, 4}),
    ("trl:4-6 lang:de", {5}),
    ("since:2026-01-10", {1, 2, 5}),
])
def test_parsed_queries_from_the_issue_answer_correctly(engine, text, expected):
    from retrieval.query import parse

    assert ids(engine, parse(text)) == expected
