"""`scout demo` end to end: crawl the demo sites over loopback, process, index, then search and view."""

import json
import re

import pytest

from scout.settings import load_settings
from search_app import create_app
from tests.conftest import run_scout
from tests.search_app.accounts import form_csrf_token

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("e2e")
    completed = run_scout("demo", "--no-serve", "--data-dir", str(data_dir))
    assert "indexed" in completed.stdout
    return data_dir / "demo", completed.stdout


@pytest.fixture(scope="module")
def demo_dir(demo_run):
    return demo_run[0]


@pytest.fixture(scope="module")
def client(demo_run):
    """Logged in through the login form with the demo login the demo printed."""
    demo_dir, output = demo_run
    name, password = re.search(r"log in as (\S+) / (\S+)", output).groups()
    client = create_app(load_settings(demo_dir)).test_client()
    token = form_csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def test_the_demo_user_is_staff_of_the_cluster_with_the_demo_roster(client):
    user = client.get("/api/v1/session").get_json()["user"]
    assert user == {"id": user["id"], "name": "demo", "cluster_id": "litek", "role": "staff"}
    smes = client.get("/api/v1/smes").get_json()["smes"]
    assert smes and all("fictional demo SME" in sme["name"] for sme in smes)
    roster = client.get("/smes")
    assert roster.status_code == 200 and 'name="csrf_token"' in roster.get_data(as_text=True)


def applications(hit):
    return [tag["application"] for tag in hit["tags"]]


def search_json(demo_dir, *args):
    return json.loads(run_scout("search", *args, "--json", "--data-dir", str(demo_dir)).stdout)


def test_oct_search_finds_the_oct_product_tagged_a20_at_trl9(demo_dir):
    results = search_json(demo_dir, "optical coherence tomography")["results"]
    top = results[:3]
    assert any("retinascan-ss1" in hit["url"] and "A20" in applications(hit) for hit in top), top
    product = next(hit for hit in results if hit["url"].endswith("/products/retinascan-ss1.html"))
    assert product["trl"]["level"] == 9
    assert product["organisation"]["name"].startswith("Acme Retina")
    assert {"id", "url", "title", "organisation", "tags", "trl", "score"} <= set(product)


def test_application_and_trl_filters_on_the_cli(demo_dir):
    results = search_json(demo_dir, "laser", "--app", "A20", "--trl-min", "7")["results"]
    assert results and all("A20" in applications(hit) and hit["trl"]["level"] >= 7 for hit in results)


def test_api_detail_shows_tag_evidence_and_trl_cue(client):
    hits = client.get("/api/search?q=optical+coherence+tomography").get_json()["results"]
    product = next(hit for hit in hits if hit["url"].endswith("/products/retinascan-ss1.html"))
    detail = client.get(f"/api/page/{product['id']}").get_json()
    a20 = next(tag for tag in detail["tags"] if tag["application"] == "A20")
    assert a20["evidence"] and a20["evidence"] in detail["text"] + detail["title"]
    assert detail["trl"]["level"] == 9 and detail["trl"]["cue"]
    page = client.get(f"/page/{product['id']}").get_data(as_text=True)
    assert a20["evidence"][:40].replace("'", "&#39;") in page


def test_robots_forbidden_page_is_not_searchable(demo_dir):
    assert search_json(demo_dir, "ZEPHYRQUOKKA")["total"] == 0


def test_hostile_page_is_shown_escaped(client):
    hits = client.get("/api/search?q=aiming+beam").get_json()["results"]
    hostile = next(hit for hit in hits if "ab-520-aiming-beam" in hit["url"])
    html = client.get(f"/page/{hostile['id']}").get_data(as_text=True)
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "alert('xss-demo')" not in html  # the inline script is dropped by extraction, never rendered
    results_page = client.get("/?q=onerror").get_data(as_text=True)
    assert "<img src=x" not in results_page


def test_stats_json_reports_the_demo_crawl(demo_dir):
    stats = json.loads(run_scout("stats", "--json", "--data-dir", str(demo_dir)).stdout)
    assert stats["organisations"] == 5
    assert stats["pages"] >= 25 and stats["tagged_pages"] >= 10
    # Every demo page has text; copies and other-language versions stay out of the index.
    assert stats["duplicate_pages"] >= 1
    assert stats["indexed_documents"] == stats["pages"] - stats["duplicate_pages"]
    crawl = stats["last_crawl"]
    assert set(crawl) >= {"started_at", "finished_at", "fetched", "new", "changed", "unchanged", "gone", "failed"}
    assert crawl["new"] == crawl["fetched"] - crawl["failed"]


def test_language_versions_show_once_with_the_other_listed(client):
    hits = client.get("/api/search?q=RetinaScan").get_json()["results"]
    urls = [hit["url"] for hit in hits]
    assert any(url.endswith("/products/retinascan-ss1.html") for url in urls)
    assert not any(url.endswith("/fr/retinascan-ss1.html") for url in urls)
    product = next(hit for hit in hits if hit["url"].endswith("/products/retinascan-ss1.html"))
    detail = client.get(f"/api/page/{product['id']}").get_json()
    assert any(alias.endswith("/fr/retinascan-ss1.html") for alias in detail["aliases"])


def test_demo_ships_the_fictional_roster_and_matches_it(demo_dir):
    result = run_scout("match", "--sme", "Lumen Swept-Source Lasers (fictional demo SME)", "--cluster", "litek",
                       "--json", "--data-dir", str(demo_dir))
    top = json.loads(result.stdout)["matches"][0]
    assert top["organisation_id"] == "demo-acme-retina" and "A20" in top["applications"]


def test_the_demo_clusters_member_directory_yields_its_members_as_candidates(demo_dir):
    listed = json.loads(run_scout("candidates", "--json", "--data-dir", str(demo_dir)).stdout)["candidates"]
    assert {candidate["id"] for candidate in listed} == {
        "fuji-ish-endoscope-works", "kawa-spectro-devices", "yume-optical-components", "hikari-light-therapy-clinic"}
    assert all(c["listed_by"][0]["id"] == "demo-sakura-cluster" for c in listed)
    # The associates are demo organisations already: known, not proposed.
    assert not any("Acme" in candidate["name"] for candidate in listed)


def test_news_items_keep_their_dates_and_pages_their_publication_date(client):
    results = client.get("/api/search?q=clearance&sort=published").get_json()["results"]
    press_release = next(r for r in results if r["url"].endswith("/news/fda-clearance-ss1.html"))
    assert press_release["published_date"] == "2024-03-04"
    news = next(r for r in client.get("/api/search?q=news").get_json()["results"] if r["url"].endswith("/news/"))
    assert "4 March 2024 —" in client.get(f"/api/page/{news['id']}").get_json()["text"]
