"""Password guessing is throttled per client and per account, /login and POST /api/v1/tokens share
the buckets, /profile's current-password check draws on the account's, and every 429 says when to
come back. Behind one trusted proxy the client is the one named in X-Forwarded-For."""

import pytest

from tests import live_server
from tests.conftest import PASSWORD


@pytest.fixture()
def strict(app_with, demo):
    """Five tries a minute, behind one trusted proxy, as a production deployment behind nginx."""
    return app_with(LOGIN_LIMIT="5 per minute", TRUSTED_PROXIES=1)


def from_ip(n: int) -> dict:
    return {"X-Forwarded-For": f"203.0.113.{n}"}


def login_post(client, username, password, n):
    return client.post(
        "/login", data={"username": username, "password": password}, headers=from_ip(n)
    )


def assert_retry_after(response):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_sixth_wrong_password_for_one_account_is_throttled_from_any_client(strict):
    client = strict.test_client()
    codes = [login_post(client, "demo-lead", "wrong", n).status_code for n in range(1, 6)]
    assert codes == [200] * 5
    sixth = login_post(client, "demo-lead", "wrong", 6)
    assert_retry_after(sixth)
    assert "登录尝试过于频繁" in sixth.get_data(as_text=True)
    # The account is held for the window, whoever asks; another account is not.
    assert login_post(client, "demo-lead", PASSWORD, 7).status_code == 429
    assert login_post(client, "demo-evaluator", PASSWORD, 8).status_code == 302


def test_successful_logins_do_not_count_against_the_account(strict):
    client = strict.test_client()
    for n in range(1, 8):
        assert login_post(client, "demo-lead", PASSWORD, n).status_code == 302


def test_login_and_the_token_api_share_the_account_bucket(strict):
    client = strict.test_client()
    for n in range(1, 4):
        assert login_post(client, "demo-lead", "wrong", n).status_code == 200
    for n in range(4, 6):
        r = client.post(
            "/api/v1/tokens", json={"username": "demo-lead", "password": "x"}, headers=from_ip(n)
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/tokens", json={"username": "DEMO-LEAD ", "password": PASSWORD}, headers=from_ip(6)
    )
    assert_retry_after(r)
    assert r.json["error"] == "登录尝试过于频繁，请稍后再试" and r.json["retry_after"] >= 1


def test_login_and_the_token_api_share_the_client_bucket(strict):
    client = strict.test_client()
    for name in ("a1", "a2", "a3"):
        assert login_post(client, name, "x", 9).status_code == 200
    for name in ("a4", "a5"):
        r = client.post(
            "/api/v1/tokens", json={"username": name, "password": "x"}, headers=from_ip(9)
        )
        assert r.status_code == 401
    assert_retry_after(login_post(client, "a6", "x", 9))
    assert login_post(client, "a7", "x", 10).status_code == 200  # another client is not held


def test_profile_password_check_is_throttled(strict):
    client = strict.test_client()
    assert login_post(client, "demo-evaluator", PASSWORD, 1).status_code == 302
    wrong = {"current": "guess1234", "new": "newpass123", "confirm": "newpass123"}
    for _ in range(5):
        r = client.post("/profile", data=wrong, headers=from_ip(1))
        assert r.status_code == 200 and "当前密码不正确" in r.get_data(as_text=True)
    throttled = client.post("/profile", data=wrong, headers=from_ip(1))
    assert_retry_after(throttled)
    assert "密码验证失败次数过多" in throttled.get_data(as_text=True)
    # The same account's bucket: logging in as that user is held as well.
    assert login_post(strict.test_client(), "demo-evaluator", PASSWORD, 2).status_code == 429


def test_survey_rate_limit_answers_with_retry_after(app_with, db, demo):
    from tests.surveys.helpers import make_survey
    from workbench.surveys.design import surveys as service

    survey = make_survey(db, demo, title="限流问卷")
    service.open_survey(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=survey
    )
    db.flush()
    client = app_with(SURVEY_SUBMIT_LIMIT="1 per minute").test_client()
    client.post(f"/s/{survey.token}", data={})
    r = client.post(f"/s/{survey.token}", data={})
    assert_retry_after(r)
    assert "提交过于频繁" in r.get_data(as_text=True)


def test_logins_go_on_and_stay_throttled_while_the_shared_counter_is_down(tmp_path):
    """Redis (the nodes' shared counter) unreachable: each process counts in memory meanwhile,
    with the same limits; nobody is locked out by an error page. A real server: the limiter's
    storage is the process's."""
    instance = live_server.prepare(tmp_path)
    port = live_server.free_port()
    server = live_server.start(
        instance,
        port,
        settings={"LOGIN_LIMIT": "5 per minute", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"},
    )
    try:
        client = live_server.Client(f"http://127.0.0.1:{port}")
        client.login("demo-lead")  # 302: the page answers although the counter is down
        guesser = live_server.Client(f"http://127.0.0.1:{port}")
        form = live_server.form_fields(guesser.get("/login").text)
        fields = [(k, v) for k, v in form if k not in {"username", "password"}]
        attempt = fields + [("username", "demo-evaluator"), ("password", "wrong")]
        codes = [guesser.post("/login", attempt).status for _ in range(4)]
        assert codes == [200] * 4  # with the lead's login, five tries from this address
        refused = guesser.post("/login", attempt)
        assert refused.status == 429
        assert "登录尝试过于频繁" in refused.text
    finally:
        live_server.stop(server)
