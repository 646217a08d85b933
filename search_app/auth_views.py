"""Logging in and out, and the access rules every request passes (see search_app/access.py for the rules).

`install(app)` wires it into the app: the signed session cookie, `g.user` and the login requirement for
every route but /login, /healthz and static files, the CSRF check on every unsafe method, and the
`csrf_token()` template global. HTML forms send the token as the hidden field `csrf_token`; API clients
read it from GET /api/v1/session and send it as the header `X-CSRF-Token`.

The CSRF check is a per-session random token compared in constant time: that is all a same-site,
session-cookie app needs, and it keeps the token valid as long as the session rather than on a clock of
its own (as Flask-WTF's would, besides pulling in WTForms, which Scout does not use).
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

from flask import (Blueprint, Flask, abort, current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask.sessions import SecureCookieSessionInterface

from scout import shapes
from search_app import access
from search_app.service import RequestError

auth = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.healthz", "static"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Set to 1 where Scout is reached over https through a proxy that terminates TLS (the app then sees http):
# cookies are marked Secure anyway whenever the request itself came over https.
SECURE_COOKIES_VARIABLE = "SCOUT_SECURE_COOKIES"


def install(app: Flask) -> None:
    """Sessions, the login requirement and CSRF for the whole app; call before registering other blueprints."""
    settings = app.config["SCOUT_SETTINGS"]
    # Without a data directory there is no store and nobody to log in; a throwaway key avoids creating one.
    app.secret_key = (access.secret_key(settings.data_dir) if settings.data_dir.is_dir()
                      else os.urandom(32))
    app.session_interface = _SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="scout_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get(SECURE_COOKIES_VARIABLE, "").lower() in ("1", "true", "yes"),
        PERMANENT_SESSION_LIFETIME=access.SESSION_IDLE,
    )
    # First of all hooks, so that every later one (and every view) can rely on g.user.
    app.before_request_funcs.setdefault(None, []).insert(0, _require_login_and_csrf)
    app.jinja_env.globals["csrf_token"] = lambda: access.csrf_token(session)
    app.register_blueprint(auth)


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _require_login_and_csrf() -> Any:
    g.user = access.session_user(session, current_app.config["SCOUT_SETTINGS"])
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if _is_api_request():
            return jsonify(shapes.error("unauthorized", "log in first: POST /login, then send the session cookie")), 401
        return redirect(url_for("auth.login", next=access.safe_next_path(request.full_path.rstrip("?"))))
    # A request no route takes (404, 405) changes nothing, so it gets that answer rather than a CSRF refusal.
    if request.method in UNSAFE_METHODS and request.routing_exception is None:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
        if not access.csrf_valid(session, sent):
            raise RequestError(f"missing or wrong CSRF token: reload the form and try again (API clients send the "
                               f"{CSRF_HEADER} header from GET /api/v1/session)", CSRF_FIELD, code="csrf_failed")
    return None


def _is_api_request() -> bool:
    # The same rule as the app's error handlers: JSON under /api/ and for ?format=json.
    return request.path.startswith("/api/") or request.args.get("format") == "json"


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view only users with one of these roles may use; others get 403 (HTML page or JSON error)."""
    unknown = set(roles) - set(access.ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user is None or g.user.role not in roles:
                abort(403, description=f"this needs the {' or '.join(roles)} role")
            return view(*args, **kwargs)

        return wrapper

    return decorator


# -- routes -------------------------------------------------------------------------------------------


@auth.route("/login", methods=["GET", "POST"])
def login():
    next_path = access.safe_next_path(request.values.get("next"))
    if request.method == "GET":
        if g.user is not None:
            return redirect(next_path)
        return render_template("login.html", next_path=next_path, name="", error=None)
    name = request.form.get("name", "")
    settings = current_app.config["SCOUT_SETTINGS"]
    try:
        user = access.authenticate(settings, name, request.form.get("password", ""), request.remote_addr or "")
    except access.LoginThrottled as exc:
        response = current_app.make_response(
            (render_template("login.html", next_path=next_path, name=name, error=str(exc)), 429))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except access.LoginFailed as exc:
        return render_template("login.html", next_path=next_path, name=name, error=str(exc)), 401
    access.begin_session(session, settings, user)
    session.permanent = True  # the cookie expires after SESSION_IDLE rather than living until the browser closes
    return redirect(next_path, code=303)


@auth.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"), code=303)


@auth.get("/api/v1/session")
def session_api():
    return jsonify({"user": shapes.user(g.user), "csrf_token": access.csrf_token(session)})


@auth.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})
