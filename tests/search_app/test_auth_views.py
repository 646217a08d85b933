"""Logging in and out through the app, and the rules every request passes: login, CSRF, roles, headers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import jsonify

from search_app import access, create_app
from search_app.auth_views import role_required

from .accounts import PASSWORD, add_user, csrf_token, form_csrf_token, log_in


@pytest.fixture
def app(settings, user):
    """The app with two extra routes standing in for the ones other parts add: a JSON POST and a staff-only view."""
    app = create_app(settings)
    app.testing = True

    @app.post("/api/v1/echo")
    def echo():
        return jsonify({"received": True})

    @app.get("/staff-only")
    @role_required("staff", "admin")
    def staff_only():
        return "staff business"

    return app


@pytest.fixture
def browser(app):
    return app.test_client()


def log_in_by_form(browser, name="ada", password=PASSWORD, next_path="/", address="10.0.0.1"):
    token = form_csrf_token(browser.get("/login").get_data(as_text=True))
    return browser.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": next_path},
                        environ_base={"REMOTE_ADDR": address})


def session_cookie(response):
    [cookie] = [header for header in response.headers.getlist("Set-Cookie") if header.startswith("scout_session=")]
    return cookie


# -- without a login ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/?q=oct&app=A20", "/page/1", "/coverage", "/nowhere"])
def test_html_routes_redirect_to_login_with_the_way_back(browser, path):
    response = browser.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("method, path", [("get", "/api/search?q=oct"), ("get", "/api/stats"), ("get", "/api/page/1"),
                                          ("get", "/api/v1/session"), ("get", "/?q=oct&format=json"),
                                          ("post", "/api/v1/echo"), ("get", "/api/nowhere")])
def test_api_routes_answer_401_with_the_error_shape(browser, method, path):
    response = getattr(browser, method)(path)
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and "log in" in error["message"] and error["parameter"] is None


def test_login_page_health_check_and_static_files_are_public(browser):
    assert browser.get("/login").status_code == 200
    assert browser.get("/healthz").get_json() == {"status": "ok"}
    assert browser.get("/static/style.css").status_code == 200


def test_nobody_is_logged_in_on_public_routes(browser):
    html = browser.get("/login").get_data(as_text=True)
    assert "Log out" not in html and 'name="password"' in html


# -- logging in ---------------------------------------------------------------------------------------


def test_login_with_the_right_password_goes_where_the_user_was_going(browser):
    response = log_in_by_form(browser, next_path="/coverage?x=1")
    assert response.status_code == 303 and response.headers["Location"] == "/coverage?x=1"
    assert browser.get("/api/v1/session").get_json()["user"] == {
        "id": 1, "name": "ada", "cluster_id": "litek", "role": "staff"}
    html = browser.get("/login", follow_redirects=True).get_data(as_text=True)
    assert "ada · litek · staff" in html and "Log out" in html


def test_login_with_a_wrong_password_or_name_shows_one_message_and_no_session(browser):
    for name, password in (("ada", "not the password"), ("nobody", PASSWORD)):
        response = log_in_by_form(browser, name=name, password=password)
        assert response.status_code == 401
        assert "wrong user name or password" in response.get_data(as_text=True)
        assert browser.get("/api/v1/session").status_code == 401


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                       "javascript:alert(1)"])
def test_login_never_redirects_off_site(browser, next_path):
    response = log_in_by_form(browser, next_path=next_path)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    login_page = browser.get(f"/login?next={next_path}")
    assert login_page.status_code == 302 and login_page.headers["Location"] == "/"  # already logged in


def test_the_login_form_carries_only_a_safe_next_path(browser):
    html = browser.get("/login?next=//evil.example/").get_data(as_text=True)
    assert 'name="next" value="/"' in html


def test_repeated_failures_are_refused_with_429_even_with_the_right_password(browser):
    for _ in range(access.LOGIN_ATTEMPTS):
        assert log_in_by_form(browser, password="not the password").status_code == 401
    refused = log_in_by_form(browser, password=PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "too many failed logins" in refused.get_data(as_text=True)
    assert browser.get("/api/v1/session").status_code == 401
    # The lockout is per address: the same user elsewhere still gets in.
    assert log_in_by_form(browser, password=PASSWORD, address="10.0.0.9").status_code == 303


def test_session_cookie_is_httponly_samesite_lax_limited_and_not_secure_over_http(browser):
    cookie = session_cookie(log_in_by_form(browser))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert re.search(r"Expires=\w{3}, ", cookie)  # a limited lifetime, not forever


def test_session_cookie_is_secure_over_https(app):
    browser = app.test_client()
    token = form_csrf_token(browser.get("/login", base_url="https://scout.example").get_data(as_text=True))
    response = browser.post("/login", base_url="https://scout.example",
                            data={"name": "ada", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303 and "; Secure" in session_cookie(response)


def test_session_cookie_is_secure_behind_a_tls_proxy_when_configured(settings, user, monkeypatch):
    monkeypatch.setenv("SCOUT_SECURE_COOKIES", "1")
    app = create_app(settings)
    response = app.test_client().get("/login")
    assert "; Secure" in session_cookie(response)


def test_sessions_survive_a_restart_of_the_app(settings, browser):
    log_in_by_form(browser)
    cookie = browser.get_cookie("scout_session").value
    restarted = create_app(settings).test_client()
    restarted.set_cookie("scout_session", cookie)
    assert restarted.get("/api/v1/session").status_code == 200


def test_a_forged_session_cookie_is_ignored(browser):
    browser.set_cookie("scout_session", "eyJ1c2VyX2lkIjoxfQ.forged.signature")
    assert browser.get("/api/v1/session").status_code == 401


def test_logout_ends_the_session(browser):
    log_in_by_form(browser)
    token = csrf_token(browser)
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert browser.get("/api/v1/session").status_code == 401
    assert browser.get("/").status_code == 302


def test_logout_is_post_only(browser):
    log_in_by_form(browser)
    assert browser.get("/logout").status_code == 405
    assert browser.get("/api/v1/session").status_code == 200


def test_session_api_gives_the_user_and_the_token_for_api_clients(client):
    body = client.get("/api/v1/session").get_json()
    assert set(body) == {"user", "csrf_token"} and body["user"]["cluster_id"] == "litek"
    assert client.post("/api/v1/echo", headers={"X-CSRF-Token": body["csrf_token"]}).get_json() == {"received": True}


# -- CSRF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}])
def test_api_posts_without_the_right_token_are_refused_with_the_error_shape(client, headers):
    response = client.post("/api/v1/echo", headers=headers, json={})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert response.get_json()["error"]["parameter"] == "csrf_token"


@pytest.mark.parametrize("data", [{}, {"csrf_token": "wrong"}])
def test_html_forms_without_the_right_token_are_refused_with_a_page(client, data):
    response = client.post("/logout", data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "CSRF token" in response.get_data(as_text=True)
    assert client.get("/api/v1/session").status_code == 200  # still logged in


def test_login_needs_the_token_of_its_own_form(browser):
    response = browser.post("/login", data={"name": "ada", "password": PASSWORD})
    assert response.status_code == 400 and "CSRF token" in response.get_data(as_text=True)
    other_browser_token = form_csrf_token(browser.application.test_client().get("/login").get_data(as_text=True))
    forged = browser.post("/login", data={"name": "ada", "password": PASSWORD, "csrf_token": other_browser_token})
    assert forged.status_code == 400


def test_the_token_changes_at_login(browser):
    before = form_csrf_token(browser.get("/login").get_data(as_text=True))
    log_in_by_form(browser)
    assert csrf_token(browser) != before


# -- roles ----------------------------------------------------------------------------------------------


def test_role_required_refuses_a_scout_and_admits_staff(app, settings, user):
    scout = log_in(app.test_client(), settings, add_user(settings, "sam", "litek", "scout"))
    refused = scout.get("/staff-only")
    assert refused.status_code == 403 and "needs the staff or admin role" in refused.get_data(as_text=True)
    staff = log_in(app.test_client(), settings, user)
    assert staff.get("/staff-only").get_data(as_text=True) == "staff business"


def test_role_required_names_only_known_roles():
    with pytest.raises(ValueError, match="owner"):
        role_required("owner")


# -- headers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/", "/api/stats"])
def test_every_answer_forbids_framing_and_inline_script(browser, path):
    response = browser.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_page_has_no_inline_script_or_handlers(browser):
    html = browser.get("/login").get_data(as_text=True)
    assert "<script" not in html and not re.search(r"\son\w+=", html)
