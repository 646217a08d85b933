"""The access service: users, password hashes, logging in with rate limiting, sessions, CSRF, next= paths."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest

from search_app import access
from store import Store

from .accounts import PASSWORD, add_user

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def ada(settings):
    return add_user(settings, "ada", "litek", "staff")


def test_add_user_stores_only_a_salted_hash(settings):
    assert access.add_user(settings, "ada", "litek", "staff", "a long secret phrase") is True
    assert access.add_user(settings, "bob", "litek", "staff", "a long secret phrase") is True
    with Store.open(settings.database_path) as store:
        ada, bob = store.user_named("ada"), store.user_named("bob")
    assert ada.password_hash.startswith(("scrypt:", "pbkdf2:")) and ada.password_hash != bob.password_hash
    assert b"a long secret phrase" not in settings.database_path.read_bytes()


def test_adding_an_existing_user_replaces_role_cluster_and_password(settings):
    access.add_user(settings, "ada", "litek", "scout", "first password")
    assert access.add_user(settings, "ada", "biocat", "admin", "second password") is False
    assert access.list_users(settings) == [access.User(1, "ada", "biocat", "admin")]
    with pytest.raises(access.LoginFailed):
        access.authenticate(settings, "ada", "first password", "10.0.0.1")
    assert access.authenticate(settings, "ada", "second password", "10.0.0.1").role == "admin"


@pytest.mark.parametrize("name, cluster, role, password, message", [
    ("ada", "no-such-cluster", "staff", PASSWORD, "the partner clusters are: biocat, "),
    ("ada", "acme", "staff", PASSWORD, "unknown cluster 'acme'"),
    ("ada", "litek", "owner", PASSWORD, "unknown role 'owner'"),
    ("Ada Lovelace", "litek", "staff", PASSWORD, "user name 'Ada Lovelace'"),
    ("", "litek", "staff", PASSWORD, "user name ''"),
    ("ada", "litek", "staff", "123456789", "at least 10 characters"),
    ("ada", "litek", "staff", "x" * 1025, "at most 1024 characters"),
])
def test_add_user_refuses_bad_input_saying_why(settings, name, cluster, role, password, message):
    with pytest.raises(access.AccessError, match=message):
        access.add_user(settings, name, cluster, role, password)
    assert not settings.database_path.exists()


def test_partner_clusters_are_the_registry_organisations_with_that_role():
    assert {"litek", "opticsvalley", "medicen", "biocat", "optence"} <= set(access.partner_cluster_ids())


def test_authenticate_returns_the_user_and_refuses_wrong_passwords_and_names_alike(settings, ada):
    assert access.authenticate(settings, " Ada ", PASSWORD, "10.0.0.1") == ada
    with pytest.raises(access.LoginFailed) as wrong_password:
        access.authenticate(settings, "ada", PASSWORD + "!", "10.0.0.1")
    with pytest.raises(access.LoginFailed) as unknown_name:
        access.authenticate(settings, "eve", PASSWORD, "10.0.0.1")
    assert str(wrong_password.value) == str(unknown_name.value) == "wrong user name or password"


def test_authenticate_without_a_store_fails_and_creates_none(tmp_path):
    from scout.settings import load_settings

    settings = load_settings(tmp_path / "nowhere", environ={})
    with pytest.raises(access.LoginFailed):
        access.authenticate(settings, "ada", PASSWORD, "10.0.0.1")
    assert not settings.database_path.exists()


def test_failed_logins_lock_that_name_from_that_address_until_the_window_passes(settings, ada):
    for minute in range(access.LOGIN_ATTEMPTS):
        with pytest.raises(access.LoginFailed):
            access.authenticate(settings, "ada", "wrong password", "10.0.0.1", now=NOW + timedelta(minutes=minute))
    # Even the right password is refused now, unchecked, with the time until the oldest failure expires.
    later = NOW + timedelta(minutes=access.LOGIN_ATTEMPTS)
    with pytest.raises(access.LoginThrottled) as throttled:
        access.authenticate(settings, "ada", PASSWORD, "10.0.0.1", now=later)
    assert throttled.value.retry_after == (access.LOGIN_WINDOW - timedelta(minutes=access.LOGIN_ATTEMPTS)).seconds
    assert "try again in 10 minutes" in str(throttled.value)
    # Other addresses and other names are not locked out by it.
    assert access.authenticate(settings, "ada", PASSWORD, "10.0.0.2", now=later) == ada
    with pytest.raises(access.LoginFailed):
        access.authenticate(settings, "bob", "wrong password", "10.0.0.1", now=later)
    # Once the oldest failure leaves the window, one more try is allowed.
    after_window = NOW + access.LOGIN_WINDOW + timedelta(seconds=1)
    assert access.authenticate(settings, "ada", PASSWORD, "10.0.0.1", now=after_window) == ada


def test_a_successful_login_forgets_earlier_failures(settings, ada):
    for _ in range(access.LOGIN_ATTEMPTS - 1):
        with pytest.raises(access.LoginFailed):
            access.authenticate(settings, "ada", "wrong password", "10.0.0.1", now=NOW)
    access.authenticate(settings, "ada", PASSWORD, "10.0.0.1", now=NOW)
    for _ in range(access.LOGIN_ATTEMPTS - 1):
        with pytest.raises(access.LoginFailed):
            access.authenticate(settings, "ada", "wrong password", "10.0.0.1", now=NOW)
    assert access.authenticate(settings, "ada", PASSWORD, "10.0.0.1", now=NOW) == ada


def test_a_session_names_its_user_until_it_is_too_old(settings, ada):
    session = {"csrf_token": "from before login", "other": 1}
    access.begin_session(session, settings, ada, now=NOW)
    assert "other" not in session and session["csrf_token"] != "from before login"
    assert access.session_user(session, settings, now=NOW + timedelta(hours=1)) == ada
    assert access.session_user(session, settings, now=NOW + access.SESSION_MAX + timedelta(seconds=1)) is None


def test_a_password_change_ends_existing_sessions(settings, ada):
    session: dict = {}
    access.begin_session(session, settings, ada, now=NOW)
    access.add_user(settings, "ada", "litek", "staff", "a brand new password")
    assert access.session_user(session, settings, now=NOW) is None


@pytest.mark.parametrize("session", [{}, {"user_id": "1", "stamp": "x", "since": "2024-05-01T12:00:00+00:00"},
                                     {"user_id": 1, "stamp": "forged", "since": "2024-05-01T12:00:00+00:00"},
                                     {"user_id": 1, "stamp": "x", "since": "yesterday"}])
def test_incomplete_or_forged_sessions_name_nobody(settings, ada, session):
    assert access.session_user(session, settings, now=NOW) is None


def test_csrf_token_is_made_once_per_session_and_compared_exactly():
    session: dict = {}
    token = access.csrf_token(session)
    assert len(token) >= 40 and access.csrf_token(session) == token
    assert access.csrf_valid(session, token)
    assert not access.csrf_valid(session, token[:-1]) and not access.csrf_valid(session, None)
    assert not access.csrf_valid({}, "") and not access.csrf_valid({}, None)


@pytest.mark.parametrize("value, expected", [
    ("/page/3?q=oct", "/page/3?q=oct"),
    ("/", "/"),
    (None, "/"),
    ("", "/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("page/3", "/"),
])
def test_next_paths_stay_on_this_site(value, expected):
    assert access.safe_next_path(value) == expected


def test_the_secret_key_is_made_once_per_data_directory_readable_only_by_its_owner(tmp_path):
    key = access.secret_key(tmp_path)
    assert len(key) == 32 and access.secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / access.SECRET_KEY_FILE).stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == [access.SECRET_KEY_FILE]  # no draft left behind
    assert access.secret_key(tmp_path / ".." / tmp_path.name) == key


def test_a_damaged_secret_key_file_is_a_clear_error(tmp_path):
    (tmp_path / access.SECRET_KEY_FILE).write_bytes(b"short")
    with pytest.raises(access.AccessError, match="delete it"):
        access.secret_key(tmp_path)
