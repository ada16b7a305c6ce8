"""One engagement driven through the API alone (issue 21), stage by stage, with a bearer token
per role. It goes as far as the API reaches today: from creation through the commission stage
into the plan, whose plan is written, generated, submitted and approved by the bureau — and
stops at the plan gate's one condition the API has no route for yet, the experts' review of the
plan (experts/plan_reviews.py, which another engineer's experts API is adding)."""

from __future__ import annotations

JOURNEY_USERS = ("lead", "evaluator", "reviewer", "unit", "bureau")

# The fields of the papers the firm requires at commission and plan (fieldwork/stage_papers.py).
ACCEPTANCE = {
    "client": "示例市财政局", "subject": "接口全程项目", "budget": "800000.00",
    "assessed_on": "2026-03-01",
    "checks": [{"item": "委托事项属于本机构业务范围，委托方具有委托权限", "result": "符合"},
               {"item": "业务风险可控", "result": "基本符合", "note": "社会关注度较高"}],
    "risks": "现场核查按资金规模分层抽取学校。", "decision": "承接",
    "conclusion": "委托事项明确，本机构具备承接能力，风险可控，同意承接。",
}  # fmt: skip
INDEPENDENCE = {
    "assessed_on": "2026-03-01",
    "checks": [{"item": "本机构与被评价单位存在经济利益关系或业务往来", "result": "不存在"},
               {"item": "评价收费与评价结论挂钩", "result": "不存在"}],
    "declarations": "工作组成员均已在工作台签署回避声明和保密承诺。",
    "conclusion": "独立性不受影响",
}  # fmt: skip
RESEARCH = {
    "held_on": "2026-03-05", "place": "示例县教育局", "participants": "李项目、张评价",
    "items": [{"topic": "资金来源、预算安排和拨付情况", "finding": "按学期拨付到校",
               "source": "预算批复"}],
    "scope": "评价范围覆盖资金分配、拨付、使用和管理全过程。",
    "materials": "立项批复、预算批复、资金拨付凭证。",
}  # fmt: skip
CONTRACT = {
    "number": "JT-HT-1", "signed_on": "2026-03-01", "fee": "480000.00", "deposit_rate": "10",
    "instalments": [{"event": "signing", "percent": "90"},
                    {"event": "deposit_release", "percent": "10"}],
    "bands": [{"min_score": "90", "fraction": "1"}, {"min_score": "0", "fraction": "0"}],
    "release_days": 30,
}  # fmt: skip


def _approved_paper(client, t, eid: int, template: str, fields: dict) -> int:
    made = client.post(f"/api/v1/engagements/{eid}/workpapers", headers=t["evaluator"],
                       json={"template": template, "title": template, "fields": fields})  # fmt: skip
    assert made.status_code == 201, made.json
    wid = made.json["id"]
    for role, level, status in (("evaluator", "prepare", "prepared"),
                                ("reviewer", "review", "reviewed"),
                                ("lead", "approve", "approved")):  # fmt: skip
        signed = client.post(f"/api/v1/workpapers/{wid}/signoffs", headers=t[role],
                             json={"level": level})  # fmt: skip
        assert signed.status_code == 201, (template, level, signed.json)
        assert signed.json["paper_status"] == status
    return wid


def _stage(client, t, eid: int) -> tuple[str, list[str]]:
    detail = client.get(f"/api/v1/engagements/{eid}", headers=t["lead"]).json
    current = next(step for step in detail["flow"] if step["status"] == "current")
    return detail["stage"], current["blockers"]


def test_one_engagement_from_creation_to_the_plan_review_through_the_api(client, demo, token_for):
    unit_name = next(o.name for o in demo.orgs.values() if o.id == demo.engagement.unit_id)
    t = {role: token_for(demo.users[f"demo-{role}"]) for role in JOURNEY_USERS}
    created = client.post("/api/v1/engagements", headers=t["lead"], json={
        "title": "接口全程项目", "type": "project", "bureau_id": demo.engagement.bureau_id,
        "unit_name": unit_name, "budget_year": 2026, "budget_amount": "800000.00",
    })  # fmt: skip
    assert created.status_code == 201, created.json
    eid = created.json["id"]
    assert (created.json["stage"], created.json["stage_name"]) == ("commission", "接受委托")

    # 接受委托: the team, everyone's declarations, the contract, the A papers.
    def declare(role: str) -> None:
        for kind in ("independence", "confidentiality"):
            signed = client.post(
                f"/api/v1/engagements/{eid}/declarations", headers=t[role], json={"kind": kind}
            )
            assert signed.status_code == 201, signed.json

    declare("lead")  # the lead works on the engagement only once signed
    for role in ("evaluator", "reviewer", "unit"):
        added = client.post(
            f"/api/v1/engagements/{eid}/team",
            headers=t["lead"],
            json={"username": f"demo-{role}", "role": role},
        )
        assert added.status_code == 201, added.json
    for role in ("evaluator", "reviewer"):
        declare(role)
    refused = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert refused.status_code == 409
    assert refused.json["error"] == "“接受委托”尚未完成，不能进入下一阶段"
    contract = client.post(f"/api/v1/engagements/{eid}/contract", headers=t["lead"], json=CONTRACT)
    assert contract.status_code == 201, contract.json
    _approved_paper(client, t, eid, "engagement_acceptance", ACCEPTANCE)
    _approved_paper(client, t, eid, "independence", INDEPENDENCE)
    assert _stage(client, t, eid) == ("commission", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "plan"

    # 评价方案: every plan section written, the plan generated, submitted and approved.
    sections = client.get(f"/api/v1/engagements/{eid}/plan/sections", headers=t["lead"]).json
    for item in sections["items"]:
        saved = client.put(
            f"/api/v1/engagements/{eid}/sections/{item['id']}",
            headers={**t["evaluator"], "If-Match": f'W/"{item["version"]}"'},
            json={"content": f"<p>{item['heading']}：按委托要求编写。</p>"},
        )
        assert saved.status_code == 200 and saved.json["state"] == "written", saved.json
    _approved_paper(client, t, eid, "preliminary_research", RESEARCH)
    plan = client.post(f"/api/v1/engagements/{eid}/documents/plan", headers=t["lead"],
                       json={"label": "送审稿"})  # fmt: skip
    plan.close()
    assert plan.status_code == 200 and plan.headers["X-Deliverable-Version"] == "1"
    submitted = client.post(f"/api/v1/engagements/{eid}/submissions", headers=t["lead"],
                            json={"kind": "plan"})  # fmt: skip
    assert submitted.status_code == 201, submitted.json
    decided = client.post(f"/api/v1/submissions/{submitted.json['id']}/decision",
                          headers=t["bureau"], json={"decision": "approve"})  # fmt: skip
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "approved"

    # The experts' review of the plan has no API route yet: the gate says so, and nothing else.
    stage, blockers = _stage(client, t, eid)
    assert stage == "plan"
    assert blockers == ["评价工作方案已经专家评审：尚无专家评审意见（专家在线签署或登记纸质意见）"]
    stuck = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert stuck.status_code == 409 and stuck.json["blockers"] == blockers
