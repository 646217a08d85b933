"""Users and access: who may use Scout, how they log in, and what a logged-in request knows about them.

Every route of the web app needs a logged-in user but /login, /healthz and static files (the guard is
installed by search_app/auth_views.py). For every request, `flask.g.user` is a `User` — `id`, `name`,
`cluster_id`, `role` — or None on those public routes when nobody is logged in.

`g.user.cluster_id` is the partner cluster the user belongs to (a registry organisation id whose roles
include partner-cluster). The crawled index is shared by all clusters; a cluster's own records (SME
rosters, matches, shortlists) must be read and written for `g.user.cluster_id` only, in HTML and API
alike, and looked up by id *within* that cluster, so that another cluster's id answers 404.

Roles: `scout` (search and keep findings), `staff` (a cluster's staff: rosters, exports), `admin`. A view
that needs staff or admin is decorated with `search_app.auth_views.role_required("staff", "admin")`.

This module holds no Flask: the CLI (`scout user add/list`) and the views call the same functions, and
session helpers work on any mutable mapping (Flask's session in the app).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.security import check_password_hash, generate_password_hash

from scout.registry import Role, load_registry
from scout.settings import Settings
from store import Store, UserRecord

ROLES = ("scout", "staff", "admin")
MIN_PASSWORD_LENGTH = 10
# Longer inputs are cut before hashing and storing: a name or password of megabytes must cost nothing.
MAX_NAME_LENGTH = 64
MAX_PASSWORD_LENGTH = 1024
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")

# After LOGIN_ATTEMPTS failures for one user name from one address within LOGIN_WINDOW, further tries from
# there are refused unchecked until the oldest of those failures leaves the window.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW = timedelta(minutes=15)

# A session ends after SESSION_IDLE without a request (the cookie's signed age) and SESSION_MAX after login.
SESSION_IDLE = timedelta(hours=8)
SESSION_MAX = timedelta(hours=24)

SECRET_KEY_FILE = "secret_key"


class AccessError(ValueError):
    """Input `scout user add` (or a caller) cannot use; the message says what and why."""


class LoginFailed(Exception):
    """Wrong user name or password; the message does not say which, so names cannot be probed."""


class LoginThrottled(Exception):
    """Too many failed logins for this name from this address; `retry_after` seconds until the next try."""

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(f"too many failed logins; try again in {minutes} minute{'s' if minutes > 1 else ''}")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    id: int
    name: str
    cluster_id: str
    role: str


def _user(record: UserRecord) -> User:
    return User(record.id, record.name, record.cluster_id, record.role)


# -- users ------------------------------------------------------------------------------------------


def partner_cluster_ids() -> list[str]:
    return sorted(org.id for org in load_registry() if Role.PARTNER_CLUSTER in org.roles)


def add_user(settings: Settings, name: str, cluster_id: str, role: str, password: str) -> bool:
    """Adds a user, or updates the cluster, role and password of an existing one; True when added."""
    check_user(name, cluster_id, role)
    check_password(password)
    with Store.open(settings.database_path) as store:
        return store.save_user(name, cluster_id, role, hash_password(password))


def check_user(name: str, cluster_id: str, role: str) -> None:
    if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise AccessError(f"user name {name!r}: use 1-{MAX_NAME_LENGTH} lowercase letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit")
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    clusters = partner_cluster_ids()
    if cluster_id not in clusters:
        raise AccessError(f"unknown cluster {cluster_id!r}; the partner clusters are: {', '.join(clusters)}")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccessError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    # Werkzeug's default KDF (scrypt, salted), whose parameters travel in the hash so they can be raised later.
    return generate_password_hash(password)


def list_users(settings: Settings) -> list[User]:
    with Store.open(settings.database_path) as store:
        return [_user(record) for record in store.users()]


# -- logging in -------------------------------------------------------------------------------------


@functools.cache
def _decoy_hash() -> str:
    """Checked when the name is unknown, so that an unknown name takes as long to refuse as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def normalise_name(name: str) -> str:
    return name.strip().lower()[:MAX_NAME_LENGTH]


def authenticate(settings: Settings, name: str, password: str, address: str,
                 now: datetime | None = None) -> User:
    """The user with this name and password, or LoginFailed / LoginThrottled; failures are counted per name+address."""
    name, password = normalise_name(name), password[:MAX_PASSWORD_LENGTH]
    if not settings.database_path.is_file():  # no store, no users; don't create one as a side effect
        check_password_hash(_decoy_hash(), password)
        raise LoginFailed("wrong user name or password")
    now = now or datetime.now(timezone.utc)
    window_start = _timestamp(now - LOGIN_WINDOW)
    with Store.open(settings.database_path) as store:
        store.clear_login_failures(name, address, before=window_start)
        failures = store.login_failure_times(name, address, since=window_start)
        if len(failures) >= LOGIN_ATTEMPTS:
            oldest = datetime.fromisoformat(failures[0])
            raise LoginThrottled(max(1, int((oldest + LOGIN_WINDOW - now).total_seconds())))
        record = store.user_named(name)
        if not check_password_hash(record.password_hash if record else _decoy_hash(), password) or record is None:
            store.record_login_failure(name, address, _timestamp(now))
            raise LoginFailed("wrong user name or password")
        store.clear_login_failures(name, address)
        return _user(record)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


# -- sessions -------------------------------------------------------------------------------------


def begin_session(session: MutableMapping[str, Any], settings: Settings, user: User,
                  now: datetime | None = None) -> None:
    """Starts a fresh session for this user (nothing of the one before survives, its CSRF token included)."""
    with Store.open(settings.database_path, read_only=True) as store:
        record = store.user_by_id(user.id)
    session.clear()
    session["user_id"] = user.id
    session["stamp"] = _credential_stamp(record)
    session["since"] = _timestamp(now or datetime.now(timezone.utc))
    session["csrf_token"] = secrets.token_urlsafe(32)


def session_user(session: MutableMapping[str, Any], settings: Settings, now: datetime | None = None) -> User | None:
    """The session's user, or None: not logged in, logged in too long ago, or the password changed since."""
    user_id, stamp, since = session.get("user_id"), session.get("stamp"), session.get("since")
    if not isinstance(user_id, int) or not isinstance(stamp, str) or not isinstance(since, str):
        return None
    try:
        started = datetime.fromisoformat(since)
    except ValueError:
        return None
    if (now or datetime.now(timezone.utc)) - started > SESSION_MAX or not settings.database_path.is_file():
        return None
    # Every request checks its session: read-only, so that check can never write the store.
    with Store.open(settings.database_path, read_only=True) as store:
        record = store.user_by_id(user_id)
    if record is None or not hmac.compare_digest(stamp, _credential_stamp(record)):
        return None
    return _user(record)


def _credential_stamp(record: UserRecord) -> str:
    # Cookies cannot be revoked server-side; tying them to the password hash ends every session when it changes.
    return hashlib.sha256(record.password_hash.encode()).hexdigest()[:32]


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use (the login form needs one before anyone logs in)."""
    token = session.get("csrf_token")
    if not isinstance(token, str) or not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf_token")
    return bool(isinstance(expected, str) and expected and sent) and hmac.compare_digest(expected, str(sent))


def safe_next_path(value: str | None, default: str = "/") -> str:
    """`value` if it is a path on this site ("/page/3?q=x"), else `default`: never another host or scheme."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 or char == "\\" for char in value):  # browsers read "\" as "/" and drop tabs
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def secret_key(data_dir: Path) -> bytes:
    """The key that signs session cookies: made once per data directory (mode 0600), so restarts keep sessions."""
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        # Written whole under another name, then linked into place: a second process starting at the same
        # moment either wins the link or reads the winner's complete key, never a half-written file.
        draft = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) < 32:
        raise AccessError(f"{path} holds no usable key; delete it to have a new one made")
    return key
