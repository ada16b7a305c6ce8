"""Security headers on every page type, session cookie flags, password policy, CSRF on every form."""

from __future__ import annotations

import re

import pytest

from workbench.accounts.services import password_problems
from workbench.core.security import CSP

PAGE_PATHS = [
    "/login",  # public form
    "/healthz",  # trivial JSON
    "/",  # dashboard
    "/library",  # top-level list
    "/profile",  # form page
    "/api/v1/engagements",  # API JSON
    "/no-such-page",  # error page
]


def _assert_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_security_headers_on_every_page_type(login, demo, path):
    client = login("demo-lead")
    response = client.get(path)
    assert response.status_code in {200, 401, 404}
    _assert_headers(response)


def test_security_headers_on_engagement_pages_and_downloads(login, demo):
    client = login("demo-lead")
    eid = demo.engagement.id
    for path in (
        f"/engagements/{eid}",
        f"/engagements/{eid}/team",
        f"/engagements/{eid}/indicators",
        f"/engagements/{eid}/indicators/export",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_headers(response)


def test_no_inline_script_in_rendered_pages(login, demo):
    client = login("demo-lead")
    for path in ("/", f"/engagements/{demo.engagement.id}", "/library", "/profile"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline handler on {path}"
    assert "script-src 'self'" in CSP


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def test_session_cookie_httponly_samesite(app, client, demo):
    response = client.post("/login", data={"username": "demo-lead", "password": "demo12345"})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=(Lax|Strict)", cookie)
    assert "Secure" not in cookie


def test_session_cookie_secure_when_configured(app, client, demo):
    saved = app.config["SESSION_COOKIE_SECURE"]
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post("/login", data={"username": "demo-lead", "password": "demo12345"})
        cookie = _session_cookie(response)
        assert "; Secure" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = saved


@pytest.mark.parametrize(
    ("password", "bad"),
    [
        ("short1", True),
        ("lettersonly", True),
        ("1234567890", True),
        ("Demo-Lead1", True),  # the username itself
        ("Str0ngPassw0rd", False),
    ],
)
def test_password_policy(password, bad):
    problems = password_problems(password, username="demo-lead1")
    assert bool(problems) is bad
    assert all(isinstance(p, str) and p for p in problems)


def _url(rule) -> str:
    """Fill every URL variable: CSRF is checked before the view loads anything."""

    def fill(match: re.Match) -> str:
        converter = match.group(1) or "string"
        return "1" if converter == "int" else ("a.txt" if converter == "path" else "x")

    return re.sub(r"<(?:(\w+):)?\w+>", fill, rule.rule)


def _form_routes(app) -> list:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if not rule.rule.startswith("/api/")
            and rule.methods & {"POST", "PUT", "DELETE", "PATCH"}
        ),
        key=lambda r: r.rule,
    )


def test_every_state_changing_page_route_refuses_missing_csrf_token(app, login, demo):
    client = login("demo-admin")
    routes = _form_routes(app)
    assert len(routes) > 40  # the whole app, not a handful
    saved = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    accepted = []
    try:
        for rule in routes:
            for method in sorted(rule.methods & {"POST", "PUT", "DELETE", "PATCH"}):
                response = client.open(_url(rule), method=method, data={"x": "1"})
                if response.status_code != 400:
                    accepted.append((method, rule.rule, response.status_code))
    finally:
        app.config["WTF_CSRF_ENABLED"] = saved
    assert accepted == []


def test_csrf_token_accepted_when_present(app, login, demo):
    """The refusal above is CSRF's: the same logout with a valid token succeeds."""
    client = login("demo-lead")
    saved = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get("/profile").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'<meta name="csrf-token" content="([^"]+)"', html
        )
        assert token, "no CSRF token rendered on the profile page"
        assert client.post("/logout", data={}).status_code == 400
        assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = saved
