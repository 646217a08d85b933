"""A tiny store and index in tmp_path, built through the real store and indexer APIs, and test clients logged in
as a staff user of the litek cluster (`user`)."""

from __future__ import annotations

import pytest

from scout.settings import load_settings
from search_app import create_app
from store import Store
from tests.search_index import build_search_index, fake_embeddings  # noqa: F401 (a fixture)

from .accounts import add_user, log_in
from .search_app_fixtures import DEMO_PAGES, ORGANISATIONS, store_pages


@pytest.fixture(autouse=True)
def no_model(fake_embeddings):
    """No test here loads the embedding model: indexing and queries embed with tests.search_index."""


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "data", environ={})


@pytest.fixture
def page_ids(settings):
    with Store.open(settings.database_path) as store:
        store.upsert_organisations(ORGANISATIONS)
        ids = store_pages(store, DEMO_PAGES)
        build_search_index(store, settings.index_dir)
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
