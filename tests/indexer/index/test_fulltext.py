import pytest

from indexer.index.fulltext import IndexMissingError, SearchFilters, build_index, indexed_document_count, search
from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord

PAGES = [
    ("http://us.test/oct", "us", "RetinaScan OCT", "Swept-source optical coherence tomography for the retina.",
     (Tag("A20", 0.9, "Swept-source optical coherence tomography for the retina.", "term"),), TRLRecord(9, "FDA 510(k) cleared", 0.9)),
    ("http://sg.test/laser", "sg", "Diode laser module", "Fibre-coupled diode laser modules for medical OEMs.",
     (Tag("A35", 0.8, "Fibre-coupled diode laser modules.", "term"),), TRLRecord(9, "order online", 0.7)),
    ("http://ca.test/pa", "ca", "Photoacoustic research", "Proof of concept photoacoustic tomography in phantoms.",
     (Tag("A14", 0.7, "Proof of concept photoacoustic tomography.", "term"),), TRLRecord(3, "proof of concept", 0.6)),
    ("http://ca.test/about", "ca", "About us", "We are a research institute in Montreal.", (), None),
]


@pytest.fixture()
def indexed(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.upsert_organisations([
            {"id": "us", "name": "Acme Retina", "country": "US", "type": "company"},
            {"id": "sg", "name": "Merlion Lasers", "country": "SG", "type": "company"},
            {"id": "ca", "name": "Maple Institute", "country": "CA", "type": "research-institute"},
        ])
        run = store.start_crawl_run(["us", "sg", "ca"])
        for url, org, title, text, tags, trl in PAGES:
            store.record_fetch(run, FetchedPage(url, url, org, 200, "text/html", text.encode()))
            page_id = store.page_id_for_url(url)
            store.save_processed(ProcessedPage(page_id, title, text, "en", next(
                p.body_hash for p in store.pending_bodies() if p.page_id == page_id), tags=tags, trl=trl))
        assert build_index(store, tmp_path / "index") == len(PAGES)
        yield store, tmp_path / "index"


def test_search_ranks_matching_page_first_with_tags_and_trl(indexed):
    _, index_dir = indexed
    results = search(index_dir, "optical coherence tomography")
    top = results.hits[0]
    assert top.title == "RetinaScan OCT"
    assert top.applications == ["A20"] and top.trl == 9 and top.country == "US"
    assert top.organisation == "Acme Retina"
    assert any(segment.matched and segment.text.lower() == "coherence" for snippet in top.snippets for segment in snippet)


def test_tag_names_are_searchable(indexed):
    _, index_dir = indexed
    assert [hit.url for hit in search(index_dir, "photoacoustic").hits][0] == "http://ca.test/pa"


@pytest.mark.parametrize("filters, expected", [
    (SearchFilters(applications=("A35",)), {"http://sg.test/laser"}),
    (SearchFilters(trl_min=5), {"http://us.test/oct", "http://sg.test/laser"}),
    (SearchFilters(trl_max=4), {"http://ca.test/pa"}),
    (SearchFilters(countries=("CA",)), {"http://ca.test/pa", "http://ca.test/about"}),
    (SearchFilters(organisation_types=("company",), trl_min=9), {"http://us.test/oct", "http://sg.test/laser"}),
])
def test_filters_narrow_an_empty_query(indexed, filters, expected):
    _, index_dir = indexed
    assert {hit.url for hit in search(index_dir, "", filters, limit=50).hits} == expected


def test_facets_count_matching_documents(indexed):
    _, index_dir = indexed
    facets = search(index_dir, "").facets
    assert dict(facets["country"]) == {"CA": 2, "US": 1, "SG": 1}
    assert dict(facets["applications"]) == {"A20": 1, "A35": 1, "A14": 1}
    assert dict(facets["trl"]) == {"9": 2, "3": 1}


def test_incremental_index_only_touches_changed_pages_and_rebuild_recreates(indexed):
    store, index_dir = indexed
    assert build_index(store, index_dir) == 0
    assert build_index(store, index_dir, rebuild=True) == len(PAGES)
    assert indexed_document_count(index_dir) == len(PAGES)


def test_search_without_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="scout index"):
        search(tmp_path / "none", "oct")


def test_semantic_neighbours_join_lexical_results(indexed):
    _, index_dir = indexed
    query = "ophthalmic eye scanner"  # shares no word with the OCT page
    assert search(index_dir, query, semantic=False).total == 0
    hybrid = search(index_dir, query)
    assert hybrid.hits and hybrid.hits[0].url == "http://us.test/oct"
    assert hybrid.total < len(PAGES), "unrelated pages must stay below the similarity floor"


def test_semantic_neighbours_respect_filters(indexed):
    _, index_dir = indexed
    assert search(index_dir, "ophthalmic eye scanner", SearchFilters(countries=("SG",))).total == 0
