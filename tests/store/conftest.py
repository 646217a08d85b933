"""A fresh store with one organisation, and fetched pages to put in it."""

import pytest

from store import FetchedPage, Store


@pytest.fixture()
def store(tmp_path):
    with Store.open(tmp_path / "scout.sqlite3") as opened:
        opened.upsert_organisations([{"id": "acme", "name": "Acme", "country": "US", "languages": ["en"]}])
        yield opened


def fetched_page(url="http://a.test/x", body=b"<p>hello</p>", **changes) -> FetchedPage:
    values = dict(url=url, final_url=url, organisation_id="acme", http_status=200, content_type="text/html",
                  body=body, encoding="utf-8")
    values.update(changes)
    return FetchedPage(**values)
