"""The bundled demo websites: served correctly, politely configured, and clearly marked as demo data."""

from __future__ import annotations

import html
import http.client
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pypdf
import pytest

from scout.demo_site import DEMO_SITE_ROOT, DemoSites

BANNER = "Demo data — fictional organisation for Scout's demo"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ROBOTS_SITE = "demo-acme-retina"
LATIN1_PAGE = "/fr/retinascan-ss1.html"
PRIVATE_MARKER = "ZEPHYRQUOKKA"


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None, raw_path: str | None = None) -> Response:
    """One request without redirects or URL normalisation, so raw paths such as /../ reach the server."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request(method, raw_path or parts.path or "/", headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def decoded_text(response: Response) -> str:
    charset = response.headers.get_content_charset() or "utf-8"
    return html.unescape(response.body.decode(charset))


def sitemap_urls(demo: DemoSites, org_id: str) -> list[str]:
    response = fetch(demo.url(org_id, "/sitemap.xml"))
    assert response.status == 200
    return [loc.text for loc in ET.fromstring(response.body).findall("sm:url/sm:loc", SITEMAP_NS)]


def html_paths(org: dict) -> list[str]:
    """URL paths of every HTML file in an organisation's folder, including unlisted ones."""
    folder = DEMO_SITE_ROOT / org["folder"]
    return ["/" + path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*.html"))]


@pytest.fixture(scope="module")
def demo():
    with DemoSites() as sites:
        yield sites


def test_each_organisation_is_served_on_its_own_free_port_and_stops(demo):
    sites = DemoSites()
    with sites:
        ports = {urlsplit(org["website"]).port for org in sites.organisations}
        assert len(ports) == len(sites.organisations) == 5
        for org in sites.organisations:
            assert org["start_urls"] == [org["website"]] == [sites.base_url(org["id"]) + "/"]
            assert fetch(org["website"]).status == 200
        first_website = sites.organisations[0]["website"]
    assert sites.organisations == []
    with pytest.raises(OSError):
        fetch(first_website)


def test_organisation_entries_are_fictional_and_complete(demo):
    for org in demo.organisations:
        assert org["id"].startswith("demo-")
        assert re.fullmatch(r"[A-Z]{2}", org["country"])
        assert {"name", "market", "type", "languages", "folder"} <= org.keys()
    assert {org["market"] for org in demo.organisations} == {"usa", "canada", "singapore", "south-korea", "japan"}


def test_every_sitemap_page_is_served_with_the_real_base(demo):
    for org in demo.organisations:
        urls = sitemap_urls(demo, org["id"])
        assert len(urls) >= 4
        for url in urls:
            assert url.startswith(demo.base_url(org["id"]) + "/"), url
            assert fetch(url).status == 200, url


def test_robots_txt_disallows_private_only_on_one_site(demo):
    for org in demo.organisations:
        robots_url = demo.url(org["id"], "/robots.txt")
        response = fetch(robots_url)
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert f"Sitemap: {demo.base_url(org['id'])}/sitemap.xml" in response.body.decode()
        parser = RobotFileParser(robots_url)
        parser.parse(response.body.decode().splitlines())
        private_url = demo.url(org["id"], "/private/internal-roadmap.html")
        assert parser.can_fetch("ScoutBot", private_url) is (org["id"] != ROBOTS_SITE)
        assert parser.can_fetch("ScoutBot", demo.url(org["id"], "/"))


def test_disallowed_page_exists_is_linked_and_holds_the_only_marker(demo):
    private_page = fetch(demo.url(ROBOTS_SITE, "/private/internal-roadmap.html"))
    assert private_page.status == 200 and PRIVATE_MARKER in private_page.body.decode()
    assert 'href="private/internal-roadmap.html"' in fetch(demo.url(ROBOTS_SITE, "/about.html")).body.decode()
    files_with_marker = [path for path in DEMO_SITE_ROOT.rglob("*") if path.is_file()
                         and PRIVATE_MARKER.encode() in path.read_bytes()]
    assert [path.name for path in files_with_marker] == ["internal-roadmap.html"]
    assert not any("/private/" in url for url in sitemap_urls(demo, ROBOTS_SITE))


def test_conditional_get_answers_304(demo):
    url = demo.url("demo-acme-retina", "/products/retinascan-ss1.html")
    first = fetch(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status == 200 and etag and last_modified

    by_etag = fetch(url, headers={"If-None-Match": etag})
    by_date = fetch(url, headers={"If-Modified-Since": last_modified})
    for response in (by_etag, by_date):
        assert response.status == 304
        assert response.body == b""
        assert response.headers["ETag"] == etag

    assert fetch(url, headers={"If-None-Match": '"something-else"'}).status == 200
    assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}).status == 200


def test_head_sends_headers_without_body(demo):
    url = demo.url("demo-maple-institute", "/")
    get, head = fetch(url), fetch(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body))
    assert head.headers["ETag"] == get.headers["ETag"]


def test_directories_serve_index_and_missing_files_404(demo):
    assert fetch(demo.url("demo-acme-retina", "/products/")).body == fetch(
        demo.url("demo-acme-retina", "/products/index.html")).body
    redirect = fetch(demo.url("demo-acme-retina", "/products"))
    assert redirect.status == 301 and redirect.headers["Location"] == "/products/"
    assert fetch(demo.url("demo-acme-retina", "/no-such-page.html")).status == 404


def test_pdf_brochure_is_valid_and_has_extractable_text(demo):
    url = demo.url("demo-merlion-lasers", "/brochure.pdf")
    assert url in sitemap_urls(demo, "demo-merlion-lasers")
    response = fetch(url)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body), strict=True)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "FC-808 fibre-coupled diode laser module" in text
    assert "Available now from stock. Order online" in text


@pytest.mark.parametrize("raw_path", [
    "/../organisations.yaml",
    "/%2e%2e/organisations.yaml",
    "/products/../../merlion-lasers/index.html",
    "/..%2forganisations.yaml",
    "/..\\organisations.yaml",
])
def test_path_traversal_is_rejected(demo, raw_path):
    response = fetch(demo.url("demo-acme-retina"), raw_path=raw_path)
    assert response.status == 403
    assert b"organisations:" not in response.body


def test_latin1_page_is_served_with_its_declared_charset(demo):
    response = fetch(demo.url("demo-acme-retina", LATIN1_PAGE))
    assert response.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "système d'imagerie rétinienne".encode("iso-8859-1") in response.body
    with pytest.raises(UnicodeDecodeError):
        response.body.decode("utf-8")
    assert "Commandez dès maintenant" in decoded_text(response)


def test_every_html_page_carries_the_demo_banner(demo):
    for org in demo.organisations:
        for path in html_paths(org):
            response = fetch(demo.url(org["id"], path))
            assert response.status == 200, path
            assert response.headers.get_content_type() == "text/html"
            assert BANNER in decoded_text(response), f"{org['id']}{path}"


def test_placeholders_are_replaced_with_live_addresses(demo):
    members = fetch(demo.url("demo-sakura-cluster", "/members.html")).body.decode()
    assert "{site:" not in members and "{base}" not in members
    for org in demo.organisations:
        if org["id"] != "demo-sakura-cluster":
            assert f'href="{org["website"]}"' in members


def test_hostile_page_keeps_its_script_for_escaping_tests(demo):
    body = fetch(demo.url("demo-merlion-lasers", "/products/ab-520-aiming-beam.html")).body.decode()
    assert "<script>alert('xss-demo')</script>" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_demo_data_is_small():
    total = sum(path.stat().st_size for path in Path(DEMO_SITE_ROOT).rglob("*") if path.is_file())
    assert total < 1_000_000
