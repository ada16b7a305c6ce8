"""One engagement driven through the API alone (issue 21), stage by stage, with a bearer token
per role. It goes as far as the API reaches today: from creation through the commission stage
into the plan, whose plan is written, generated, submitted and approved by the bureau — and
stops at the plan gate's one condition the API has no route for yet, the experts' review of the
plan (experts/plan_reviews.py, which another engineer's experts API is adding)."""

from __future__ import annotations

import io

from tests.surveys.helpers import question_dicts, sample
from workbench.accounts.models import Organisation

JOURNEY_USERS = ("admin", "lead", "evaluator", "reviewer", "unit", "bureau")

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
# Three leaves: one judged by a paper (boolean), one measured (ratio), one from the survey.
TREE = [
    {"path": ["决策", "项目立项", "立项依据充分性"], "weight": "20", "rule": "boolean",
     "actual": "是"},
    {"path": ["产出", "产出数量", "学校覆盖率"], "weight": "50", "rule": "ratio",
     "target": "100", "actual": "95"},
    {"path": ["效益", "满意度", "家长满意度"], "weight": "30", "rule": "satisfaction",
     "target": "90"},
]  # fmt: skip
JUSTIFICATION = {
    "held_on": "2026-03-10", "method": "内部讨论", "participants": "李项目、张评价、赵复核",
    "basis": "以项目支出绩效评价共性指标框架为基础，共 3 项三级指标。",
    "checks": [{"item": "分值合计为100分，权重分配与指标重要性相称", "result": "符合"}],
    "conclusion": "指标体系框架完整，评分标准可操作，同意按此开展评价。",
}  # fmt: skip

DESK_REVIEW = {
    "scope": "立项批复、预算批复和学校名册。", "reviewed_on": "2026-04-01",
    "conclusion": "立项依据充分；学校覆盖率 95%。",
}  # fmt: skip


def _approved_paper(client, t, eid: int, template: str, fields: dict, *,
                    indicator_paths=(), findings=()) -> int:  # fmt: skip
    made = client.post(f"/api/v1/engagements/{eid}/workpapers", headers=t["evaluator"],
                       json={"template": template, "title": template, "fields": fields,
                             "indicator_paths": list(indicator_paths)})  # fmt: skip
    assert made.status_code == 201, made.json
    wid = made.json["id"]
    for path, text in zip(indicator_paths, findings, strict=True):
        found = client.post(f"/api/v1/workpapers/{wid}/findings", headers=t["evaluator"],
                            json={"text": text, "indicator_path": path})  # fmt: skip
        assert found.status_code == 201, found.json
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


def test_one_engagement_from_creation_to_the_bureaus_approval_through_the_api(
    client, db, demo, token_for, make_user
):
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

    # The experts' review: an expert of the pool without ties to this unit, assigned by the lead,
    # signs their declarations and their opinion on the plan's newest version.
    expert_user = make_user("expert", managed_by=db.get(Organisation, demo.engagement.agency_id))
    db.flush()
    t["expert"] = token_for(expert_user)
    pooled = client.post("/api/v1/experts", headers=t["admin"],
                         json={"name": "吴专家", "title": "教授", "user_id": expert_user.id})  # fmt: skip
    assert pooled.status_code == 201, pooled.json
    assigned = client.post(f"/api/v1/engagements/{eid}/experts", headers=t["lead"],
                           json={"expert_id": pooled.json["id"], "duty": "方案评审"})  # fmt: skip
    assert assigned.status_code == 201, assigned.json
    assert assigned.json["conflicts"] == ""
    declare("expert")
    assert _stage(client, t, eid) == ("plan", [
        "评价工作方案已经专家评审：尚无专家评审意见（专家在线签署或登记纸质意见）"
    ])  # fmt: skip
    reviewed = client.post(f"/api/v1/engagements/{eid}/plan-reviews", headers=t["expert"],
                           json={"conclusion": "passed", "opinion": "方案完整可行，同意实施。"})  # fmt: skip
    assert reviewed.status_code == 201, reviewed.json
    assert (reviewed.json["expert_name"], reviewed.json["plan_version_number"]) == ("吴专家", 1)
    assert reviewed.json["conclusion_name"] == "通过"
    assert _stage(client, t, eid) == ("plan", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "indicators", moved.json

    # 指标体系: the tree (weights 100), its justification paper, the lead's confirmation.
    assert _stage(client, t, eid) == ("indicators", [
        "工作底稿“指标论证记录（C-01）”已批准：尚未编制（本机构要求本阶段编制该底稿）",
        "指标体系没有任何三级指标", "项目负责人尚未确认指标体系",
    ])  # fmt: skip
    tree = client.put(f"/api/v1/engagements/{eid}/indicators", headers=t["lead"],
                      json={"indicators": TREE})  # fmt: skip
    assert tree.status_code == 200, tree.json
    assert (tree.json["imported"], tree.json["created"]) == (3, 3)
    _approved_paper(client, t, eid, "indicator_justification", JUSTIFICATION)
    confirmed = client.post(f"/api/v1/engagements/{eid}/indicators/confirmation",
                            headers=t["lead"])  # fmt: skip
    assert confirmed.status_code == 200, confirmed.json
    assert _stage(client, t, eid) == ("indicators", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "fieldwork", moved.json

    # 资料收集与现场评价: a desk review paper judging the two leaves not fed by the survey.
    assert _stage(client, t, eid) == ("fieldwork", [
        "指标“决策/项目立项/立项依据充分性”尚无已批准的工作底稿对其作出判断",
        "指标“产出/产出数量/学校覆盖率”尚无已批准的工作底稿对其作出判断",
    ])  # fmt: skip
    judged = [leaf["path"] for leaf in TREE[:2]]
    _approved_paper(client, t, eid, "desk_review", DESK_REVIEW, indicator_paths=judged,
                    findings=["立项批复齐全，依据充分。", "应覆盖学校 100 所，已覆盖 95 所。"])  # fmt: skip
    assert _stage(client, t, eid) == ("fieldwork", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "survey", moved.json

    # 满意度调查: the questionnaire, the 问卷星 export, the sample plan, closed, the leaf linked.
    assert _stage(client, t, eid) == ("survey", [
        "尚未建立满意度调查问卷", "满意度指标“家长满意度”尚未关联问卷结果",
    ])  # fmt: skip
    made = client.post(f"/api/v1/engagements/{eid}/surveys", headers=t["evaluator"],
                       json={"title": "家长满意度调查", "questions": question_dicts()})  # fmt: skip
    assert made.status_code == 201, made.json
    sid = made.json["id"]
    imported = client.post(f"/api/v1/surveys/{sid}/imports", headers=t["evaluator"],
                           data={"file": (io.BytesIO(sample("wjx_satisfaction_text.xlsx")),
                                          "wjx_satisfaction_text.xlsx")},
                           content_type="multipart/form-data")  # fmt: skip
    assert imported.status_code == 200, imported.json
    assert imported.json["imported"] == 240
    record = client.get(f"/api/v1/surveys/{sid}", headers=t["evaluator"])
    assert (record.json["status"], record.json["valid"], record.json["required_sample"]) == (
        "draft", 240, None)  # fmt: skip
    planned = client.put(f"/api/v1/surveys/{sid}/sample-plan",
                         headers={**t["evaluator"], "If-Match": record.headers["ETag"]},
                         json={"population": None, "confidence": "0.95", "margin": "0.1"})  # fmt: skip
    assert planned.status_code == 200, planned.json
    assert planned.json["required_sample"] == 97
    closed = client.post(f"/api/v1/surveys/{sid}/state", headers=t["evaluator"],
                         json={"action": "close"})  # fmt: skip
    assert closed.status_code == 200, closed.json
    assert (closed.json["status"], closed.json["status_name"]) == ("closed", "已结束")
    linked = client.post(f"/api/v1/surveys/{sid}/links", headers=t["evaluator"],
                         json={"indicator_path": TREE[2]["path"], "metric": "rate"})  # fmt: skip
    assert linked.status_code == 200, linked.json
    assert [link["indicator_path"] for link in linked.json["links"]] == [TREE[2]["path"]]
    assert _stage(client, t, eid) == ("survey", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "scoring", moved.json

    # 综合评分: every leaf scored by its rule, the lead signs the result.
    assert _stage(client, t, eid) == ("scoring", ["项目负责人尚未签字确认评分结果"])
    scores = client.get(f"/api/v1/engagements/{eid}/scores", headers=t["lead"]).json
    assert [leaf["score"] for leaf in scores["indicators"]] == ["20.00", "47.50", "26.83"]
    assert (scores["total"], scores["grade"]) == ("94.33", "优")
    signed = client.post(f"/api/v1/engagements/{eid}/scores/signoff", headers=t["lead"])
    assert signed.status_code == 200, signed.json
    assert _stage(client, t, eid) == ("scoring", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "report", moved.json
    print("REPORT", _stage(client, t, eid))
    print(client.get(f"/api/v1/engagements/{eid}/report/sections", headers=t["lead"]).json)
