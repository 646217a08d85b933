"""Users for tests, and clients logged in as them, without paying for a password hash per test."""

from __future__ import annotations

import functools
import re

from flask.testing import FlaskClient

from scout.settings import Settings
from search_app import access
from store import Store

PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    return access.hash_password(PASSWORD)


def add_user(settings: Settings, name: str = "ada", cluster_id: str = "litek", role: str = "staff") -> access.User:
    """A user with PASSWORD, written straight to the store (`scout user add` is tested on its own)."""
    with Store.open(settings.database_path) as store:
        store.save_user(name, cluster_id, role, password_hash())
        record = store.user_named(name)
    return access.User(record.id, record.name, record.cluster_id, record.role)


def log_in(client: FlaskClient, settings: Settings, user: access.User) -> FlaskClient:
    """The client with a session for this user, made as /login makes one."""
    with client.session_transaction() as session:
        access.begin_session(session, settings, user)
        session.permanent = True
    return client


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, as an API client reads it."""
    return client.get("/api/v1/session").get_json()["csrf_token"]


def form_csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page, as a browser would send it."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
