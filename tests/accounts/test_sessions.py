"""Sessions that end: logout, a password change, an admin reset and disabling a user end every
session, remember-me login and (for passwords) API token of the user; remember-me tokens are
random, stored hashed and replaced on every use; a temporary password must be changed first."""

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from workbench.accounts import services
from workbench.accounts.models import ApiToken, RememberToken, User
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import utcnow

COOKIE = "remember_token"
NEW_PASSWORD = "fresh2026pass"


def remembered(client, username="demo-lead", password=PASSWORD):
    """Log in with "remember me" ticked; returns the remember-me cookie's value."""
    r = client.post("/login", data={"username": username, "password": password, "remember": "y"})
    assert r.status_code == 302
    return client.get_cookie(COOKIE).value


def browser_with(app, **cookies):
    """A fresh browser holding only the given cookies (as a thief who copied them would)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def logged_in(client) -> bool:
    r = client.get("/")
    return r.status_code == 200 and "/login" not in r.headers.get("Location", "")


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def actions(db, user) -> list[str]:
    rows = db.exec(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id)
    ).all()
    return [row.action for row in rows]


def test_remember_me_cookie_is_random_stored_hashed_and_short_lived(app, db, demo):
    first, second = remembered(app.test_client()), remembered(app.test_client())
    lead = demo.users["demo-lead"]
    assert first != second and len(first) >= 40
    assert "|" not in first  # not flask-login's "<user id>|<signature>"
    rows = db.exec(select(RememberToken).where(RememberToken.user_id == lead.id)).all()
    digests = {row.token_hash for row in rows}
    assert hashlib.sha256(first.encode()).hexdigest() in digests and first not in digests
    lifetime = max(row.expires_at for row in rows) - utcnow()
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_remember_me_lifetime_is_configurable(app_with, db, demo):
    client = app_with(REMEMBER_DAYS=2).test_client()
    remembered(client)
    cookie = client.get_cookie(COOKIE)
    assert timedelta(days=1) < cookie.expires - utcnow() <= timedelta(days=2)


def test_remember_me_logs_a_new_browser_in_once_and_is_replaced(app, demo):
    cookie = remembered(app.test_client())
    thief_late = browser_with(app, remember_token=cookie)
    owner = browser_with(app, remember_token=cookie)
    assert logged_in(owner)
    replacement = owner.get_cookie(COOKIE).value
    assert replacement != cookie
    assert not logged_in(thief_late)  # the cookie was spent when the owner used it
    assert logged_in(browser_with(app, remember_token=replacement))


def test_expired_remember_me_token_does_not_log_in(app, db, demo):
    cookie = remembered(app.test_client())
    row = db.exec(
        select(RememberToken).where(
            RememberToken.token_hash == hashlib.sha256(cookie.encode()).hexdigest()
        )
    ).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.flush()
    assert not logged_in(browser_with(app, remember_token=cookie))


def test_remember_me_cookie_captured_before_logout_no_longer_logs_in(app, demo):
    client = app.test_client()
    cookie = remembered(client)
    client.post("/logout")
    assert not logged_in(browser_with(app, remember_token=cookie))


def test_logout_ends_the_session_on_every_browser(app, db, login, demo):
    office, home = login("demo-lead"), login("demo-lead")
    captured = session_cookie(office)
    assert office.post("/logout").status_code == 302
    assert not logged_in(home)
    assert not logged_in(browser_with(app, session=captured))
    assert "user.logout" in actions(db, demo.users["demo-lead"])


def test_session_cookie_captured_before_a_password_change_is_refused(app, db, demo):
    client = app.test_client()
    cookie = remembered(client, "demo-evaluator")
    captured = session_cookie(client)
    r = client.post(
        "/profile", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert r.status_code == 302
    assert logged_in(client)  # the browser that changed it stays logged in
    assert not logged_in(browser_with(app, session=captured))
    assert not logged_in(browser_with(app, remember_token=cookie))


def test_password_change_revokes_api_tokens(login, token_for, client, db, demo):
    user = demo.users["demo-evaluator"]
    headers = token_for(user)
    assert client.get("/api/v1/engagements", headers=headers).status_code == 200
    c = login("demo-evaluator")
    c.post("/profile", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/api/v1/engagements", headers=headers).status_code == 401
    revoked = db.exec(select(AuditEntry).where(AuditEntry.action == "token.revoke")).all()
    assert revoked and all(entry.actor_id == user.id for entry in revoked)


def test_new_password_must_differ_from_the_current_one(login, demo):
    c = login("demo-evaluator")
    r = c.post("/profile", data={"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD})
    assert r.status_code == 200 and "新密码不能与当前密码相同" in r.get_data(as_text=True)


def test_admin_reset_ends_sessions_remember_me_and_api_tokens(
    app, client, login, token_for, db, demo
):
    lead = demo.users["demo-lead"]
    browser = app.test_client()
    cookie = remembered(browser)
    captured = session_cookie(browser)
    headers = token_for(lead)
    assert client.get("/api/v1/engagements", headers=headers).status_code == 200

    admin = login("demo-admin")
    assert admin.post(f"/admin/users/{lead.id}/reset").status_code == 302

    assert not logged_in(browser)
    assert not logged_in(browser_with(app, session=captured))
    assert not logged_in(browser_with(app, remember_token=cookie))
    assert client.get("/api/v1/engagements", headers=headers).status_code == 401
    token = db.exec(select(ApiToken).where(ApiToken.user_id == lead.id)).one()
    assert token.revoked_at is not None
    revoke = db.exec(select(AuditEntry).where(AuditEntry.action == "token.revoke")).one()
    assert revoke.actor_id == demo.users["demo-admin"].id and "管理员重置密码" in revoke.summary
    assert "user.password_reset" in actions(db, lead)


def test_disabling_a_user_ends_their_session_for_good(login, db, demo):
    unit = login("demo-unit")
    assert logged_in(unit)
    admin = login("demo-admin")
    url = f"/admin/users/{demo.users['demo-unit'].id}/active"
    admin.post(url, data={"active": "0"})
    assert not logged_in(unit)
    admin.post(url, data={"active": "1"})
    assert not logged_in(unit)  # enabling again does not bring the old session back


def test_a_session_from_before_session_generations_does_not_load(login, demo):
    old = login("demo-lead")
    with old.session_transaction() as stored:
        stored["_user_id"] = str(demo.users["demo-lead"].id)  # what flask-login wrote until now
    assert not logged_in(old)


@pytest.fixture()
def temporary(db, demo):
    """demo-lead's password reset by the admin: the temporary password."""
    return services.reset_password(
        db, actor=demo.users["demo-admin"], user_id=demo.users["demo-lead"].id
    )


def test_temporary_password_leads_to_the_change_page_and_nowhere_else(client, db, demo, temporary):
    engagement = demo.engagement.id
    r = client.post(
        f"/login?next=/engagements/{engagement}",
        data={"username": "demo-lead", "password": temporary},
    )
    assert r.status_code == 302 and r.headers["Location"].startswith("/password")
    page = client.get(r.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "修改临时密码" in text and "临时密码" in text
    assert 'href="/engagements/' not in text  # no navigation until it is changed

    for url in ("/", f"/engagements/{engagement}", "/profile"):
        moved = client.get(url)
        assert moved.status_code == 302 and moved.headers["Location"].startswith("/password")
    refused = client.post("/profile/tokens", data={"label": "x"})
    assert refused.status_code == 403 and "临时密码" in refused.json["error"]

    same = client.post(
        "/password", data={"current": temporary, "new": temporary, "confirm": temporary}
    )
    assert same.status_code == 200 and "新密码不能与当前密码相同" in same.get_data(as_text=True)

    done = client.post(
        f"/password?next=/engagements/{engagement}",
        data={"current": temporary, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.headers["Location"] == f"/engagements/{engagement}"
    assert client.get(f"/engagements/{engagement}").status_code == 200
    lead = db.get(User, demo.users["demo-lead"].id)
    db.refresh(lead)
    assert not lead.must_change_password
    assert "user.password_change" in actions(db, lead)


def test_temporary_password_cannot_get_an_api_token(client, demo, temporary):
    r = client.post("/api/v1/tokens", json={"username": "demo-lead", "password": temporary})
    assert r.status_code == 403 and "临时密码" in r.json["error"]


def test_change_password_page_sends_others_to_their_profile(login, demo):
    r = login("demo-lead").get("/password")
    assert r.status_code == 302 and r.headers["Location"] == "/profile"
