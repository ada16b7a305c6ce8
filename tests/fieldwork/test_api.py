"""The working-paper API: templates, list/create, one paper, sign-offs with 409 on two levels."""

from tests.fieldwork.helpers import SITE_VALUES, indicators, paper


def test_templates(client, demo, token_for):
    r = client.get("/api/v1/workpaper-templates", headers=token_for(demo.users["demo-evaluator"]))
    assert r.status_code == 200
    assert {"key": "site_visit", "name": "现场核查记录", "stage": "fieldwork"} in r.json
    assert (
        client.get(
            "/api/v1/workpaper-templates", headers=token_for(demo.users["demo-bureau"])
        ).status_code
        == 403
    )
    assert client.get("/api/v1/workpaper-templates").status_code == 401


def test_create_list_and_sign(client, db, demo, token_for):
    indicators(db, demo.engagement)
    e = demo.engagement
    evaluator = token_for(demo.users["demo-evaluator"])
    body = {
        "template": "indicator_scoring",
        "title": "资金使用合规性评分",
        "indicator_paths": [["过程", "资金管理", "资金使用合规性"]],
        "fields": {"judgement": "基本合规", "score": "3.5"},
    }
    r = client.post(f"/api/v1/engagements/{e.id}/workpapers", json=body, headers=evaluator)
    assert r.status_code == 201, r.json
    created = r.json
    assert created["index"].startswith("D-08-") and created["status"] == "draft"
    assert created["indicator_paths"] == [["过程", "资金管理", "资金使用合规性"]]
    assert created["fields"]["score"] == "3.5"
    wid = created["id"]
    r = client.post(
        f"/api/v1/workpapers/{wid}/signoffs", json={"level": "prepare"}, headers=evaluator
    )
    assert (
        r.status_code == 201
        and r.json["paper_status"] == "prepared"
        and len(r.json["content_hash"]) == 64
    )
    r = client.post(
        f"/api/v1/workpapers/{wid}/signoffs", json={"level": "prepare"}, headers=evaluator
    )
    assert r.status_code == 409 and "不能重复签字" in r.json["error"]
    lead = token_for(demo.users["demo-lead"])
    assert (
        client.post(
            f"/api/v1/workpapers/{wid}/signoffs", json={"level": "review"}, headers=lead
        ).status_code
        == 201
    )
    r = client.post(f"/api/v1/workpapers/{wid}/signoffs", json={"level": "approve"}, headers=lead)
    assert r.status_code == 409 and "同一人不能在同一底稿上担任两级签字" in r.json["error"]
    r = client.get(f"/api/v1/workpapers/{wid}", headers=evaluator)
    assert [s["level"] for s in r.json["signoffs"]] == ["prepare", "review"]
    assert r.json["signoffs"][1]["user_name"] == "李项目"
    listed = client.get(
        f"/api/v1/engagements/{e.id}/workpapers?status=reviewed", headers=evaluator
    ).json
    assert wid in [p["id"] for p in listed["items"]]
    assert all(p["status"] == "reviewed" for p in listed["items"])
    assert listed["total"] == len(listed["items"])


def test_bad_requests(client, db, demo, token_for):
    indicators(db, demo.engagement)
    e = demo.engagement
    evaluator = token_for(demo.users["demo-evaluator"])
    url = f"/api/v1/engagements/{e.id}/workpapers"
    r = client.post(
        url,
        json={"template": "site_visit", "indicator_paths": [["决策", "x", "y"]]},
        headers=evaluator,
    )
    assert r.status_code == 422 and "不在本项目的指标体系中" in r.json["errors"][0]["message"]
    r = client.post(
        url, json={"template": "site_visit", "fields": {"visit_date": "下周"}}, headers=evaluator
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "f-visit_date"
    r = client.post(url, json={"template": "nope"}, headers=evaluator)
    assert r.status_code == 422 and "不存在或已停用" in r.json["error"]
    r = client.post(url, json={"template": "site_visit", "colour": "red"}, headers=evaluator)
    assert r.status_code == 422
    created = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    r = client.post(
        f"/api/v1/workpapers/{created.id}/signoffs", json={"level": "bless"}, headers=evaluator
    )
    assert r.status_code == 422


def test_scope(client, db, demo, token_for):
    created = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    url = f"/api/v1/workpapers/{created.id}"
    assert client.get(url, headers=token_for(demo.users["demo-bureau2"])).status_code == 404
    assert client.get(url, headers=token_for(demo.users["demo-bureau"])).status_code == 403
    assert client.get(url, headers=token_for(demo.users["demo-unit"])).status_code == 403
    assert client.get(url, headers=token_for(demo.users["demo-expert"])).status_code == 200
    r = client.post(
        f"{url}/signoffs", json={"level": "prepare"}, headers=token_for(demo.users["demo-expert"])
    )
    assert r.status_code == 403
    assert (
        client.get(
            "/api/v1/workpapers/999999", headers=token_for(demo.users["demo-lead"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/engagements/{demo.engagement.id}/workpapers",
            headers=token_for(demo.users["demo-bureau2"]),
        ).status_code
        == 404
    )


def test_openapi_documents_the_fieldwork_operations(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "/workpapers/{wid}/signoffs" in doc["paths"]
    assert "409" in doc["paths"]["/workpapers/{wid}/signoffs"]["post"]["responses"]
    schema = doc["components"]["schemas"]["TemplateList"]
    assert schema["type"] == "array"
