"""The JSON API: tokens, engagements list/create/detail/advance, error conventions, OpenAPI."""

import re
from decimal import Decimal

from workbench.accounts.services import revoke_token


def test_token_exchange_and_bad_credentials(client, demo):
    r = client.post("/api/v1/tokens", json={"username": "demo-lead", "password": "demo12345"})
    assert r.status_code == 201 and r.json["token"].startswith("wb_")
    bad = client.post("/api/v1/tokens", json={"username": "demo-lead", "password": "nope"})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.json["error"]
    invalid = client.post("/api/v1/tokens", json={"username": ""})
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json["errors"]} == {"username", "password"}


def test_unauthenticated_and_revoked_tokens_get_401(client, demo, token_for, db):
    assert client.get("/api/v1/engagements").status_code == 401
    assert (
        client.get(
            "/api/v1/engagements", headers={"Authorization": "Bearer wb_nonsense"}
        ).status_code
        == 401
    )
    headers = token_for(demo.users["demo-lead"])
    assert client.get("/api/v1/engagements", headers=headers).status_code == 200
    from sqlmodel import select

    from workbench.accounts.models import ApiToken

    token = db.exec(select(ApiToken).where(ApiToken.user_id == demo.users["demo-lead"].id)).all()[
        -1
    ]
    revoke_token(db, user=demo.users["demo-lead"], token_id=token.id)
    db.flush()
    assert client.get("/api/v1/engagements", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(login, demo):
    assert login("demo-lead").get("/api/v1/engagements").status_code == 401


def test_list_is_scoped_to_the_caller(client, demo, token_for):
    mine = client.get("/api/v1/engagements", headers=token_for(demo.users["demo-bureau"])).json
    assert [e["title"] for e in mine["items"]] == [demo.engagement.title]
    assert mine["items"][0]["budget_amount"] == "12500000.00"
    other = client.get("/api/v1/engagements", headers=token_for(demo.users["demo-bureau2"])).json
    assert other["items"] == [] and other["total"] == 0


def test_create_with_bureau_name_and_validation(client, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    r = client.post(
        "/api/v1/engagements",
        headers=headers,
        json={
            "title": "2025年度乡村振兴衔接资金绩效评价",
            "type": "project",
            "bureau_name": "示例市财政局",
            "unit_name": "示例市农业农村局",
            "budget_year": 2025,
            "budget_amount": "8000000.50",
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["stage"] == "commission" and r.json["unit_name"] == "示例市农业农村局"
    assert Decimal(r.json["budget_amount"]) == Decimal("8000000.50")
    bad = client.post(
        "/api/v1/engagements", headers=headers, json={"title": "", "type": "nope", "budget_year": 1}
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json["errors"]}
    assert {"title", "type", "budget_year"} <= fields
    assert client.post("/api/v1/engagements", headers=headers, data="not json").status_code == 422
    wrong_kind = client.post(
        "/api/v1/engagements",
        headers=headers,
        json={"title": "x", "bureau_name": "示例市教育局", "budget_year": 2025},
    )
    assert wrong_kind.status_code == 409


def test_bureau_cannot_create(client, demo, token_for):
    r = client.post(
        "/api/v1/engagements",
        headers=token_for(demo.users["demo-bureau"]),
        json={"title": "x", "bureau_id": demo.engagement.bureau_id, "budget_year": 2025},
    )
    assert r.status_code == 403


def test_detail_has_flow_and_other_bureau_gets_404(client, demo, token_for):
    e = demo.engagement
    detail = client.get(
        f"/api/v1/engagements/{e.id}", headers=token_for(demo.users["demo-lead"])
    ).json
    assert detail["stage"] == "fieldwork" and len(detail["flow"]) == 10
    current = [s for s in detail["flow"] if s["status"] == "current"]
    assert current[0]["key"] == "fieldwork" and current[0]["blockers"]
    assert not any(s["blockers"] for s in detail["flow"] if s["status"] != "current")
    assert (
        client.get(
            f"/api/v1/engagements/{e.id}", headers=token_for(demo.users["demo-bureau2"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            "/api/v1/engagements/999999", headers=token_for(demo.users["demo-lead"])
        ).status_code
        == 404
    )


def test_advance_409_with_blockers_then_403_for_evaluator(client, demo, token_for):
    e = demo.engagement
    r = client.post(
        f"/api/v1/engagements/{e.id}/advance", headers=token_for(demo.users["demo-lead"])
    )
    assert r.status_code == 409 and r.json["blockers"]
    r = client.post(
        f"/api/v1/engagements/{e.id}/advance", headers=token_for(demo.users["demo-evaluator"])
    )
    assert r.status_code == 403


def test_advance_succeeds_when_gate_holds(client, demo, token_for, db):
    from tests.fieldwork.helpers import complete_fieldwork

    e = demo.engagement
    complete_fieldwork(db, e, demo.users)
    db.flush()
    r = client.post(
        f"/api/v1/engagements/{e.id}/advance", headers=token_for(demo.users["demo-lead"])
    )
    assert r.status_code == 200 and r.json == {"stage": "survey", "archived": False}


def test_openapi_document_describes_every_route(client, app):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = (
            rule.rule.removeprefix("/api/v1")
            .replace("<int:", "{")
            .replace("<", "{")
            .replace(">", "}")
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    assert "EngagementIn" in doc["components"]["schemas"]


def test_openapi_document_names_its_server_so_paths_resolve_to_routes(client, app):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["servers"] == [{"url": "/api/v1"}]
    adapter = app.url_map.bind("localhost")
    for path, operations in doc["paths"].items():
        url = doc["servers"][0]["url"] + path.replace("{kind}", "plan")
        url = re.sub(r"\{\w+\}", "1", url)
        for method in operations:
            endpoint, _args = adapter.match(url, method=method.upper())
            assert endpoint.startswith("api."), (url, endpoint)


def test_bearer_token_works_even_with_a_stray_session_cookie(app, demo, token_for):
    client = app.test_client()
    client.get("/login")  # the browser now holds a session cookie, without a login
    r = client.get("/api/v1/engagements", headers=token_for(demo.users["demo-lead"]))
    assert r.status_code == 200
