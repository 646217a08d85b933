"""A tiny store and index in tmp_path, built through the real store and indexer APIs, and test clients logged in
as a staff user of the litek cluster (`user`)."""

from __future__ import annotations

import pytest

from indexer.index.fulltext import build_index
from scout.settings import load_settings
from search_app import create_app
from store import Store

from .accounts import add_user, log_in
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
def user(settings):
    return add_user(settings)


@pytest.fixture
def app(settings, user):
    app = create_app(settings)
    app.testing = True
    return app


@pytest.fixture
def anonymous_client(app, page_ids):
    return app.test_client()


@pytest.fixture
def client(app, settings, user, page_ids):
    return log_in(app.test_client(), settings, user)


@pytest.fixture
def client_without_index(app, settings, user):
    return log_in(app.test_client(), settings, user)
