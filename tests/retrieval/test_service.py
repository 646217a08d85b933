"""The search service over a small index built by the real indexer (Whoosh), embedded with tests.search_index's
concept embedder: modes, fusion, filters before the top-k, exclusions, facets, grouping, sorts and snippets;
and through the app: `oct NOT retina` end to end, the help page, hostile text, and a read-only store.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from retrieval import service as service_module
from retrieval.engine import IndexMissingError
from retrieval.layout import current_index
from retrieval.requests import parse_search_request
from retrieval.service import Searcher, StaleIndexError, reciprocal_rank_fusion
from scout.settings import load_settings
from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord, sha256_hex
from tests.conftest import REPO_ROOT
from tests.search_index import build_search_index, concept_embed

ORGANISATIONS = [
    {"id": "acme", "name": "Acme Optics", "country": "US", "market": "usa", "type": "company",
     "website": "https://acme.example/", "source": "test"},
    {"id": "isar", "name": "Isar Photonics", "country": "DE", "market": "europe", "type": "research-institute",
     "website": "https://isar.example/", "source": "test"},
    {"id": "seoul-eye", "name": "Seoul Eye Clinic", "country": "KR", "market": "south-korea", "type": "hospital",
     "website": "https://seoul.example/", "source": "test"},
]
HOSTILE_TEXT = "OCT probes <script>alert('x')</script> for skin <img src=x onerror=alert(1)> imaging."

# name -> (organisation, title, text, applications, TRL, role)
PAGES = {
    "oct-retina": ("acme", "Retina OCT scanner", "Our OCT scanner images the retina in seconds.", ("A20",), 9,
                   "system-supplier"),
    "oct-skin": ("acme", "OCT for dermatology", HOSTILE_TEXT, ("A20",), 5, "system-supplier"),
    "cornea-laser": ("isar", "Femtosecond laser surgery", "Femtosecond laser surgery of the cornea.", ("A04",), 4,
                     "research"),
    "seoul-clinic": ("seoul-eye", "Eye clinic", "Ophthalmic vision clinic in Seoul offering laser treatment.",
                     ("A04",), None, "end-user"),
    "oximetry": ("isar", "Pulse oximetry", "Pulse oximetry sensor for blood oxygen.", (), 7, "research"),
    "retina-note": ("isar", "Retina note", "Research note about retinal vessels and the retina.", (), 2, "research"),
}


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def built(request, tmp_path_factory):
    """The pages in a store and an index of the backend, once per backend: the service is the same over both."""
    settings = load_settings(tmp_path_factory.mktemp(request.param) / "data", environ={})
    ids = {}
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
        run = store.start_crawl_run([org["id"] for org in ORGANISATIONS])
        for name, (org, title, text, applications, trl, role) in PAGES.items():
            url = f"https://{org}.example/{name}"
            body = f"<html><title>{title}</title><body>{text}</body></html>".encode()
            store.record_fetch(run, FetchedPage(url, url, org, 200, "text/html", body, encoding="utf-8"))
            ids[name] = store.page_id_for_url(url)
            store.save_processed(ProcessedPage(
                ids[name], title, text, "en", sha256_hex(body), role=role,
                tags=tuple(Tag(app, 0.9, text, "keyword") for app in applications),
                trl=TRLRecord(trl, text, 0.8) if trl else None))
        store.finish_crawl_run(run)
        build_search_index(store, settings.index_dir, request.param)
    return settings, ids


@pytest.fixture
def searcher(built):
    settings, _ = built
    searcher = Searcher(settings.index_dir, settings.database_path, embed=concept_embed)
    yield searcher
    searcher.close()


def search(searcher, query: str = "", **params):
    lists = {"q": [query]} | {name: [str(value)] for name, value in params.items()}
    return searcher.search(parse_search_request(lists, last_crawl=datetime.now(timezone.utc).date()))


def names(built, results) -> list[str]:
    by_id = {page_id: name for name, page_id in built[1].items()}
    return [by_id[hit.page_id] for hit in results.hits]


# -- modes -----------------------------------------------------------------------------------------------


def test_bm25_finds_the_words_only(built, searcher):
    results = search(searcher, "oct", mode="bm25")
    assert sorted(names(built, results)) == ["oct-retina", "oct-skin"] and results.total == 2
    assert results.mode == "bm25"


def test_hybrid_fuses_keyword_and_semantic_hits_and_counts_facets_over_the_fused_set(built, searcher):
    results = search(searcher, "oct", mode="hybrid")
    found = names(built, results)
    # The clinic and the retina note never say "oct" but are about the eye; surgery of the cornea is mostly
    # about lasers and stays under the similarity floor, as do oximetry pages.
    assert set(found) == {"oct-retina", "oct-skin", "seoul-clinic", "retina-note"}
    assert results.total == 4 and results.mode == "hybrid"
    assert found[0] == "oct-retina"  # first in both rankings
    assert dict(results.facets["country"]) == {"US": 2, "KR": 1, "DE": 1}


def test_vectors_ranks_by_similarity_alone(built, searcher):
    results = search(searcher, "eye", mode="vectors")
    found = names(built, results)
    assert set(found) == {"oct-retina", "oct-skin", "seoul-clinic", "retina-note"} and results.mode == "vectors"
    assert set(found[:2]) == {"oct-retina", "retina-note"}  # every word of theirs is about the eye
    assert results.hits[0].score >= results.hits[-1].score


def test_filters_apply_before_the_semantic_top_k(built, searcher, monkeypatch):
    monkeypatch.setattr(service_module, "SEMANTIC_CANDIDATES", 1)
    # Unfiltered, the one nearest page is one of the US/DE retina pages; the KR clinic is only fourth.
    assert names(built, search(searcher, "eye", mode="vectors", limit=1))[0] in {"oct-retina", "retina-note"}
    assert names(built, search(searcher, "eye", mode="vectors", limit=1, country="KR")) == ["seoul-clinic"]


@pytest.mark.parametrize("query", ["oct -retina", "oct NOT retina"])
@pytest.mark.parametrize("mode", ["bm25", "hybrid", "vectors"])
def test_exclusions_apply_to_semantic_hits_too(built, searcher, query, mode):
    results = search(searcher, query, mode=mode)
    assert results.hits
    assert all("retina" not in (hit.page.text + hit.page.title).lower() for hit in results.hits)


def test_a_query_without_positive_words_runs_as_bm25(built, searcher):
    results = search(searcher, "-retina", mode="hybrid")
    assert results.mode == "bm25"
    assert set(names(built, results)) == {"oct-skin", "cornea-laser", "seoul-clinic", "oximetry"}
    assert search(searcher, "", mode="vectors", country="DE").total == 3


def test_hits_carry_the_stores_record_and_application_names_are_searchable(built, searcher):
    results = search(searcher, "coherence", mode="bm25")
    # Neither page says "coherence": both are tagged A20, Optical coherence tomography.
    assert sorted(names(built, results)) == ["oct-retina", "oct-skin"]
    top = next(hit for hit in results.hits if hit.page_id == built[1]["oct-retina"])
    assert (top.title, top.applications, top.trl, top.country, top.organisation, top.organisation_id) == (
        "Retina OCT scanner", ["A20"], 9, "US", "Acme Optics", "acme")
    assert top.url == "https://acme.example/oct-retina" and top.page.text == PAGES["oct-retina"][2]


def test_the_real_model_finds_a_page_that_shares_no_word_with_the_query(tmp_path):
    """The one test that loads MiniLM (~10 s): the semantic side works with real embeddings, not only the fake."""
    from indexer.index.build import build_index

    settings = load_settings(tmp_path / "data", environ={})
    texts = {"oct": "Swept-source optical coherence tomography for imaging the retina.",
             "laser": "Fibre-coupled diode laser modules for industrial OEMs.",
             "about": "We are a research institute in Montreal with a canteen."}
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS[:1])
        run = store.start_crawl_run(["acme"])
        for name, text in texts.items():
            url = f"https://acme.example/{name}"
            store.record_fetch(run, FetchedPage(url, url, "acme", 200, "text/html", text.encode(), encoding="utf-8"))
            store.save_processed(ProcessedPage(store.page_id_for_url(url), name, text, "en", sha256_hex(text.encode())))
        store.finish_crawl_run(run)
        build_index(store, settings.index_dir, "whoosh")
    searcher = Searcher(settings.index_dir, settings.database_path)
    query = "ophthalmic eye scanner"  # shares no word with the OCT page
    assert search(searcher, query, mode="bm25").total == 0
    hybrid = search(searcher, query, mode="hybrid")
    assert hybrid.hits and hybrid.hits[0].url == "https://acme.example/oct"
    assert hybrid.total < len(texts), "unrelated pages stay below the similarity floor"
    searcher.close()


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([1, 2, 3], [3, 4])
    assert max(fused, key=fused.get) == 3 and fused[1] > fused[4]
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)


# -- facets, sorts, grouping ------------------------------------------------------------------------------


def test_facets_count_applications_by_area_trl_bands_market_role_and_freshness(built, searcher):
    results = search(searcher, mode="bm25")
    facets = results.facets
    assert results.total == 6
    assert dict(facets["applications"]) == {"A20": 2, "A04": 2}
    assert dict(facets["area"]) == {"diagnostics_imaging": 4, "therapy": 2}
    assert results.applications_by_area == {"diagnostics_imaging": [("A04", 2), ("A20", 2)],
                                            "therapy": [("A04", 2)]}
    assert [value for value, _ in facets["trl"]] == ["2", "4", "5", "7", "9"]
    assert facets["trl_band"] == [("research", 1), ("development", 2), ("market-ready", 2)]
    assert dict(facets["market"]) == {"usa": 2, "europe": 3, "south-korea": 1}
    assert dict(facets["role"]) == {"system-supplier": 2, "research": 3, "end-user": 1}
    # Every page was fetched during the crawl just run.
    assert facets["freshness"] == [("since-last-crawl", 6), ("last-7-days", 6), ("last-30-days", 6)]
    assert results.freshness_since["since-last-crawl"] == "last-crawl"


def test_freshness_counts_only_recent_pages(built, searcher):
    later = datetime.now(timezone.utc).date() + timedelta(days=40)
    request = parse_search_request({"q": ["oct"], "mode": ["bm25"]}, last_crawl=None)
    results = searcher.search(request, today=later)
    # Seen from 40 days on, nothing changed in the last 30 days; the last crawl is still the last one.
    assert results.facets["freshness"] == [("since-last-crawl", 2)]
    assert results.freshness_since["last-30-days"] == (later - timedelta(days=30)).isoformat()


def test_filter_parameters_narrow_like_filters_in_the_query(built, searcher):
    by_parameter = search(searcher, "", mode="bm25", area="therapy", trl_min=4)
    by_query = search(searcher, "area:therapy trl:>=4", mode="bm25")
    assert names(built, by_parameter) == names(built, by_query) == ["cornea-laser"]
    assert names(built, search(searcher, "", role="end-user")) == ["seoul-clinic"]
    assert names(built, search(searcher, "", market="south-korea")) == ["seoul-clinic"]


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_sort_by_trl_puts_unknown_last(built, searcher, mode):
    results = search(searcher, "oct", mode=mode, sort="trl")
    levels = [hit.trl for hit in results.hits]
    assert levels == ([9, 5, 2, None] if mode == "hybrid" else [9, 5])


def test_grouped_by_organisation_each_group_in_rank_order(built, searcher):
    results = search(searcher, "", mode="bm25", group="organisation", sort="trl")
    assert results.total_groups == 3
    assert [group[0].organisation_id for group in results.groups] == ["acme", "isar", "seoul-eye"]
    assert [hit.trl for hit in results.groups[1]] == [7, 4, 2]
    assert results.hits == [hit for group in results.groups for hit in group]
    second_page = search(searcher, "", mode="bm25", group="organisation", sort="trl", limit=1, page=2)
    assert [group[0].organisation_id for group in second_page.groups] == ["isar"]


def test_pages_of_results_follow_each_other(built, searcher):
    first = search(searcher, "oct", mode="hybrid", limit=2)
    second = search(searcher, "oct", mode="hybrid", limit=2, page=2)
    both = search(searcher, "oct", mode="hybrid", limit=4)
    assert [hit.page_id for hit in first.hits + second.hits] == [hit.page_id for hit in both.hits]


# -- snippets ---------------------------------------------------------------------------------------------


def test_snippets_highlight_the_words_as_the_engine_matched_them(built, searcher):
    hit = search(searcher, "scanners retina", mode="bm25").hits[0]
    matched = [segment.text for snippet in hit.snippets for segment in snippet if segment.matched]
    assert matched == ["scanner", "retina"]  # "scanners" stems like "scanner"


def test_a_semantic_only_hit_shows_its_best_passage(built, searcher):
    results = search(searcher, "oct", mode="hybrid")
    clinic = next(hit for hit in results.hits if hit.page_id == built[1]["seoul-clinic"])
    text = "".join(segment.text for snippet in clinic.snippets for segment in snippet)
    assert "Ophthalmic vision clinic" in text and not any(s.matched for sn in clinic.snippets for s in sn)


def test_snippets_are_text_never_markup(built, searcher):
    hit = next(hit for hit in search(searcher, "probes", mode="bm25").hits)
    assert any("<script>" in segment.text for snippet in hit.snippets for segment in snippet)


# -- the index and the store ------------------------------------------------------------------------------


def test_the_searcher_keeps_its_engine_until_another_generation_is_current(built, tmp_path):
    settings, _ = built
    searcher = Searcher(settings.index_dir, settings.database_path, embed=concept_embed)
    search(searcher, "oct", mode="bm25")
    engine = searcher._opened.engine
    search(searcher, "retina", mode="hybrid")
    assert searcher._opened.engine is engine and searcher._opened.location == current_index(settings.index_dir)
    searcher.close()


def test_a_missing_index_and_a_stale_one_are_errors(built, tmp_path):
    settings, _ = built
    with pytest.raises(IndexMissingError):
        Searcher(tmp_path / "nowhere", settings.database_path).search(
            parse_search_request({"q": ["oct"]}, last_crawl=None))
    empty = tmp_path / "empty.db"
    with Store.open(empty):
        pass
    stale = Searcher(settings.index_dir, empty, embed=concept_embed)
    with pytest.raises(StaleIndexError):
        stale.search(parse_search_request({"q": ["oct"]}, last_crawl=None))
    stale.close()


def test_a_read_only_store_refuses_writes(built):
    settings, _ = built
    with Store.open(settings.database_path, read_only=True) as store:
        assert store.page(1) is not None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._db.execute("DELETE FROM pages")
    with pytest.raises(Exception, match="unable to open|cannot open"):
        Store.open(settings.data_dir / "missing.db", read_only=True)
    assert not (settings.data_dir / "missing.db").exists()


def test_keyword_search_on_the_command_line_imports_no_model_and_no_web_framework(built):
    settings, _ = built
    code = (
        "import sys\n"
        "from scout.cli import main\n"
        "try:\n"
        f"    main(['search', 'oct', '--json', '--data-dir', {str(settings.data_dir)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'spacy', 'scrapy', 'flask') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert '"total": 2' in done.stdout and '"mode": "bm25"' in done.stdout


# -- through the app --------------------------------------------------------------------------------------


@pytest.fixture
def client(built):
    from search_app import create_app
    from tests.search_app.accounts import add_user, log_in

    settings, _ = built
    app = create_app(settings)
    app.testing = True
    app.config["SCOUT_SEARCHER"] = Searcher(settings.index_dir, settings.database_path, embed=concept_embed)
    return log_in(app.test_client(), settings, add_user(settings, name=f"u{id(app)}"))


@pytest.mark.parametrize("query", ["oct NOT retina", "oct -retina"])
def test_oct_not_retina_through_the_api(built, client, query):
    payload = client.get("/api/v1/search", query_string={"q": query}).get_json()
    urls = [result["url"] for result in payload["results"]]
    assert urls and all("retina" not in url for url in urls)
    assert payload["total"] == len(urls) and payload["reading"] == "oct AND NOT retina"
    details = [client.get(f"/api/v1/pages/{result['id']}").get_json() for result in payload["results"]]
    assert all("retina" not in (page["text"] + page["title"]).lower() for page in details)


def test_a_malformed_query_is_a_400_with_the_parsers_message(client):
    api = client.get("/api/v1/search", query_string={"q": '"unclosed'})
    assert api.status_code == 400
    assert api.get_json()["error"]["parameter"] == "q" and api.get_json()["error"]["code"] == "invalid_query"
    page = client.get("/", query_string={"q": "title:("})
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'role="alert">q: unknown filter &#34;title:&#34; at character 1' in body


def test_the_page_shows_the_reading_and_facet_links(client):
    body = client.get("/", query_string={"q": "oct", "mode": "bm25"}).get_data(as_text=True)
    assert "Searching for: <span>oct</span>" in body
    assert 'href="?q=oct&amp;mode=bm25&amp;trl_min=7&amp;trl_max=9"' in body  # the market-ready band
    assert 'href="?q=oct&amp;mode=bm25&amp;area=diagnostics_imaging"' in body
    assert 'href="?q=oct&amp;mode=bm25&amp;market=usa"' in body
    assert 'href="?q=oct&amp;mode=bm25&amp;role=system-supplier"' in body
    assert 'href="?q=oct&amp;mode=bm25&amp;since=last-crawl"' in body
    assert 'href="/help/search"' in body
    # Applications listed under their thematic areas.
    assert re.search(r"<h3>Diagnostics imaging</h3>\s*<ul>\s*<li>\s*<a href=\"\?q=oct&amp;mode=bm25&amp;app=A20\"", body)


def test_hostile_page_text_in_snippets_is_escaped(client):
    body = client.get("/", query_string={"q": "probes", "mode": "bm25"}).get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body
    snippet = client.get("/api/v1/search", query_string={"q": "probes"}).get_json()["results"][0]["snippet"]
    assert "<script>" in snippet  # JSON carries the text as it is; escaping is the reader's


def test_the_help_page_renders_the_grammar_and_every_example(client):
    from retrieval.query import EXAMPLES

    response = client.get("/help/search")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "or_expr" in body
    for query, meaning in EXAMPLES:
        assert str(escape(query)) in body and str(escape(meaning)) in body


def test_a_web_search_cannot_write_the_store(built, client, monkeypatch):
    refused = []
    real_open = Store.open.__func__

    def open_and_try_to_write(cls, path, read_only=False):
        store = real_open(cls, path, read_only=read_only)
        try:
            store._db.execute("UPDATE pages SET title = 'defaced'")
        except sqlite3.OperationalError as exc:
            refused.append(str(exc))
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_and_try_to_write))
    for path in ("/api/v1/search?q=oct", "/?q=oct", "/api/v1/stats"):
        assert client.get(path).status_code == 200, path
    monkeypatch.undo()
    # Each store a search or stats request opened refused the write; no title changed.
    assert refused and all("readonly" in message for message in refused)
    with Store.open(built[0].database_path, read_only=True) as store:
        assert all(page.title != "defaced" for page in store.pages(list(built[1].values())))


def escape(text: str):
    from markupsafe import escape as markup_escape

    return markup_escape(text)
