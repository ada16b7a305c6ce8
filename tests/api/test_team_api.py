"""The team and declarations through the API (issue 21): the 工作组与声明 page's rules and refusals."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from workbench.core.audit import AuditEntry


def _staff(make_user, demo, username: str):
    return make_user("agency", org=demo.orgs["示例绩效评价咨询有限公司"], username=username)


def test_the_team_with_roles_duties_and_declarations(client, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    answer = client.get(f"/api/v1/engagements/{demo.engagement.id}/team", headers=lead)
    assert answer.status_code == 200
    by_name = {m["username"]: m for m in answer.json["items"]}
    evaluator = by_name["demo-evaluator"]
    assert (evaluator["role"], evaluator["role_name"], evaluator["name"]) == (
        "evaluator", "评价人员", "张评价",
    )  # fmt: skip
    assert evaluator["duty"] == "资料审核、现场核查、问卷调查"
    assert {d["kind"] for d in evaluator["declarations"]} == {"independence", "confidentiality"}
    assert by_name["demo-unit"]["declarations"] == []  # the unit's contact signs none
    unit = token_for(demo.users["demo-unit"])
    assert (
        client.get(f"/api/v1/engagements/{demo.engagement.id}/team", headers=unit).status_code
        == 403
    )


def test_adding_and_removing_members_follow_the_pages_rules(client, db, demo, token_for, make_user):
    e = demo.engagement
    lead = token_for(demo.users["demo-lead"])
    url = f"/api/v1/engagements/{e.id}/team"
    newcomer = _staff(make_user, demo, "api-newcomer")
    added = client.post(url, headers=lead, json={"username": "API-Newcomer", "role": "evaluator",
                                                  "duty": "满意度调查"})  # fmt: skip
    assert added.status_code == 201, added.json
    assert (added.json["user_id"], added.json["duty"], added.json["declarations"]) == (
        newcomer.id, "满意度调查", [],
    )  # fmt: skip
    again = client.post(url, headers=lead, json={"user_id": newcomer.id, "role": "reviewer"})
    assert again.status_code == 409 and "已是项目成员" in again.json["error"]
    bureau = client.post(url, headers=lead, json={"username": "demo-bureau", "role": "evaluator"})
    assert bureau.status_code == 422
    unknown = client.post(url, headers=lead, json={"username": "nobody", "role": "evaluator"})
    assert unknown.status_code == 404
    for bad in (
        {"role": "evaluator"},
        {"user_id": 1, "username": "x", "role": "evaluator"},
        {"username": "x", "role": "组长"},
        {"username": "x", "role": "lead", "extra": 1},
    ):
        assert client.post(url, headers=lead, json=bad).status_code == 422, bad  # fmt: skip
    removed = client.delete(f"{url}/{added.json['id']}", headers=lead)
    assert removed.status_code == 204
    actions = [a.action for a in db.exec(select(AuditEntry)).all()]
    assert actions.count("member.add") >= 1 and actions[-1] == "member.remove"
    lead_member = next(m for m in e.members if m.role == "lead")
    last_lead = client.delete(f"{url}/{lead_member.id}", headers=lead)
    assert last_lead.status_code == 409 and "项目负责人" in last_lead.json["error"]
    other = fresh_engagement(db, demo, "别的项目")
    theirs = next(m for m in other.members if m.role == "evaluator")
    assert client.delete(f"{url}/{theirs.id}", headers=lead).status_code == 404
    evaluator = token_for(demo.users["demo-evaluator"])
    denied = client.post(url, headers=evaluator, json={"user_id": newcomer.id, "role": "evaluator"})
    assert denied.status_code == 403


def test_a_new_engagement_is_worked_on_once_its_lead_has_signed(client, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    created = client.post("/api/v1/engagements", headers=lead, json={
        "title": "接口新建项目", "budget_year": 2026, "bureau_name": "示例市财政局"})  # fmt: skip
    eid = created.json["id"]
    paper = {"template": "forum", "title": "座谈会"}
    refused = client.post(f"/api/v1/engagements/{eid}/workpapers", headers=lead, json=paper)
    assert refused.status_code == 403 and "请先签署独立性声明和保密承诺" in refused.json["error"]
    url = f"/api/v1/engagements/{eid}/declarations"
    conflict = client.post(url, headers=lead, json={"kind": "independence", "has_conflict": True})
    assert conflict.status_code == 422  # a declared conflict needs its description
    for kind in ("independence", "confidentiality"):
        signed = client.post(url, headers=lead, json={"kind": kind})
        assert signed.status_code == 201 and signed.json["kind"] == kind
    twice = client.post(url, headers=lead, json={"kind": "confidentiality"})
    assert twice.status_code == 409
    assert client.post(url, headers=lead, json={"kind": "loyalty"}).status_code == 422
    made = client.post(f"/api/v1/engagements/{eid}/workpapers", headers=lead, json=paper)
    assert made.status_code == 201
    team = client.get(f"/api/v1/engagements/{eid}/team", headers=lead).json["items"]
    assert [len(m["declarations"]) for m in team if m["role"] == "lead"] == [2]
