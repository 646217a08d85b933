"""A tiny store and index in tmp_path, built through the real store and indexer APIs, and a test client."""

from __future__ import annotations

import pytest

from indexer.index.fulltext import build_index
from scout.settings import load_settings
from search_app import create_app
from store import Store

from .search_app_fixtures import DEMO_PAGES, ORGANISATIONS, store_pages


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def page_ids(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
        ids = store_pages(store, DEMO_PAGES)
        build_index(store, settings.index_dir)
    return ids


@pytest.fixture
def client(settings, page_ids):
    app = create_app(settings)
    app.testing = True
    return app.test_client()


@pytest.fixture
def client_without_index(settings):
    app = create_app(settings)
    app.testing = True
    return app.test_client()
