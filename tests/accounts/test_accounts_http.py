"""Login, throttling, CSRF, profile, tokens and the admin pages over HTTP."""

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from workbench import create_app
from workbench.accounts.models import ApiToken, User


def test_login_page_and_wrong_password(client, demo):
    assert "登录绩效评价工作台" in client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "demo-lead", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_redirects_to_safe_next_only(client, demo):
    r = client.post("/login?next=/profile", data={"username": "demo-lead", "password": PASSWORD})
    assert r.headers["Location"] == "/profile"
    client.post("/logout")
    r = client.post(
        "/login?next=https://evil.example/", data={"username": "demo-lead", "password": PASSWORD}
    )
    assert r.headers["Location"] == "/"


def test_pages_require_login(client):
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_disabled_user_cannot_log_in(client, demo, db):
    demo.users["demo-unit"].active = False
    db.add(demo.users["demo-unit"])
    db.flush()
    r = client.post("/login", data={"username": "demo-unit", "password": PASSWORD})
    assert "已停用" in r.get_data(as_text=True)


def test_logout(login, demo):
    c = login("demo-lead")
    assert c.post("/logout").status_code == 302
    assert c.get("/").status_code == 302


def test_change_password_checks_current_and_policy(login, demo, db):
    c = login("demo-evaluator")
    r = c.post("/profile", data={"current": "bad", "new": "abc12345x", "confirm": "abc12345x"})
    assert "当前密码不正确" in r.get_data(as_text=True)
    r = c.post("/profile", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "密码至少 8 位" in r.get_data(as_text=True)
    r = c.post("/profile", data={"current": PASSWORD, "new": "newpass123", "confirm": "other1234"})
    assert "两次输入的新密码不一致" in r.get_data(as_text=True)
    r = c.post("/profile", data={"current": PASSWORD, "new": "newpass123", "confirm": "newpass123"})
    assert r.status_code == 302
    c.post("/logout")
    assert (
        c.post("/login", data={"username": "demo-evaluator", "password": "newpass123"}).status_code
        == 302
    )


def test_tokens_created_shown_once_and_revoked(login, demo, db):
    c = login("demo-lead")
    r = c.post("/profile/tokens", data={"label": "报表系统"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "只显示这一次" in text and "wb_" in text
    token = db.exec(select(ApiToken).where(ApiToken.label == "报表系统")).one()
    assert len(token.token_hash) == 64 and "wb_" not in token.token_hash
    c.post(f"/profile/tokens/{token.id}/revoke")
    db.refresh(token)
    assert token.revoked_at is not None


def test_admin_creates_disables_and_resets_users(login, demo, db):
    c = login("demo-admin")
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    r = c.post(
        "/admin/users",
        data={
            "username": "new.person",
            "display_name": "新同事",
            "email": "",
            "org_id": agency.id,
            "system_role": "staff",
            "password": "weak",
        },
    )
    assert "密码至少 8 位" in r.get_data(as_text=True) or "用户信息有误" in r.get_data(as_text=True)
    assert db.exec(select(User).where(User.username == "new.person")).first() is None
    r = c.post(
        "/admin/users",
        data={
            "username": "new.person",
            "display_name": "新同事",
            "email": "",
            "org_id": agency.id,
            "system_role": "staff",
            "password": "goodpass1",
        },
    )
    assert r.status_code == 302
    user = db.exec(select(User).where(User.username == "new.person")).one()
    c.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.refresh(user)
    assert not user.active
    r = c.post(f"/admin/users/{user.id}/reset", follow_redirects=True)
    assert "临时密码" in r.get_data(as_text=True)
    assert "new.person" in c.get("/admin/users?q=new").get_data(as_text=True)


def test_admin_cannot_disable_self(login, demo):
    c = login("demo-admin")
    r = c.post(
        f"/admin/users/{demo.users['demo-admin'].id}/active",
        data={"active": "0"},
        follow_redirects=True,
    )
    assert "不能停用自己的账号" in r.get_data(as_text=True)


def test_admin_orgs_page_adds_an_org(login, demo):
    c = login("demo-admin")
    c.post("/admin/orgs", data={"name": "示例市卫生健康委员会", "kind": "unit", "code": ""})
    assert "示例市卫生健康委员会" in c.get("/admin/orgs").get_data(as_text=True)
    r = c.post(
        "/admin/orgs", data={"name": "示例市卫生健康委员会", "kind": "unit"}, follow_redirects=True
    )
    assert "已存在" in r.get_data(as_text=True)


def test_language_switch_to_english(login, demo):
    c = login("demo-lead")
    c.post("/lang/en", data={"next": "/"})
    assert "My engagements" in c.get("/").get_data(as_text=True)
    c.post("/lang/zh", data={"next": "/"})
    assert "我的项目" in c.get("/").get_data(as_text=True)


@pytest.fixture()
def strict_app(engine, instance_dir, tmp_path):
    """An app with CSRF and login throttling switched on, as in production."""
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": instance_dir,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test",
            "LOGIN_LIMIT": "3 per minute",
        }
    )
    return application


def test_csrf_rejects_a_form_without_token(strict_app, app, db, demo):
    from workbench.db import BIND_KEY

    strict_app.extensions[BIND_KEY] = app.extensions[BIND_KEY]
    c = strict_app.test_client()
    r = c.post("/login", data={"username": "demo-lead", "password": PASSWORD})
    assert r.status_code == 400
    assert "表单安全校验未通过，没有保存任何内容" in r.get_data(as_text=True)


def test_login_throttling_after_three_attempts(strict_app, app, db, demo):
    from workbench.db import BIND_KEY
    from workbench.extensions import limiter

    strict_app.extensions[BIND_KEY] = app.extensions[BIND_KEY]
    strict_app.config["WTF_CSRF_ENABLED"] = False
    with strict_app.app_context():
        limiter.reset()
    c = strict_app.test_client()
    codes = [
        c.post("/login", data={"username": "demo-lead", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    last = c.post("/login", data={"username": "demo-lead", "password": "x"})
    assert "登录尝试过于频繁" in last.get_data(as_text=True)
