"""One engagement driven through the API alone (issue 21), stage by stage, with a bearer token
per role: created, commissioned, its plan written, approved by the bureau and reviewed by an
expert; its indicators confirmed, judged by an approved paper and by a 问卷星 survey; scored and
signed; its report written, signed at three levels, sent to the unit for opinions and answered;
the formal report approved by the bureau, which rates its quality — and the engagement moves on
to the archive. Each gate's blockers are read before and after the step that clears them."""

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


def _write_sections(client, t, eid: int, deliverable: str) -> None:
    sections = client.get(f"/api/v1/engagements/{eid}/{deliverable}/sections", headers=t["lead"])
    for item in sections.json["items"]:
        saved = client.put(
            f"/api/v1/engagements/{eid}/sections/{item['id']}",
            headers={**t["evaluator"], "If-Match": f'W/"{item["version"]}"'},
            json={"content": f"<p>{item['heading']}：按委托要求编写。</p>"},
        )
        assert saved.status_code == 200 and saved.json["state"] == "written", saved.json


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
    _write_sections(client, t, eid, "plan")
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

    # 报告撰写: every outline section written, then 编制 → 复核 → 批准 by three people.
    stage, blockers = _stage(client, t, eid)
    assert (stage, len(blockers)) == ("report", 18)
    assert blockers[0] == "报告章节尚未撰写：一、基本情况 （一）项目概况"
    assert blockers[-3:] == ["评价报告尚未编制签字（编制人）", "评价报告尚未复核签字（复核人）",
                             "评价报告尚未批准签字（项目负责人）"]  # fmt: skip
    _write_sections(client, t, eid, "report")
    for role, level in (("evaluator", "prepare"), ("reviewer", "review"), ("lead", "approve")):
        signed = client.post(f"/api/v1/engagements/{eid}/report/signoffs", headers=t[role],
                             json={"level": level})  # fmt: skip
        assert signed.status_code == 201, (level, signed.json)
        assert signed.json["holds"] is True
    assert _stage(client, t, eid) == ("report", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "consultation", moved.json

    # 征求意见: the draft sent to the unit, one opinion, completed by the unit, answered.
    assert _stage(client, t, eid) == ("consultation", ["尚未向被评价单位发送征求意见稿"])
    draft = client.post(f"/api/v1/engagements/{eid}/documents/report", headers=t["lead"],
                        json={"label": "征求意见稿"})  # fmt: skip
    draft.close()
    assert draft.status_code == 200 and draft.headers["X-Deliverable-Version"] == "1"
    sent = client.post(f"/api/v1/engagements/{eid}/consultation", headers=t["lead"], json={
        "version_id": int(draft.headers["X-Deliverable-Id"]),
        "recipient_id": demo.users["demo-unit"].id, "due_date": "2026-06-30",
    })  # fmt: skip
    assert sent.status_code == 201, sent.json
    opinion = client.post(f"/api/v1/engagements/{eid}/feedback/opinions", headers=t["unit"],
                          json={"reference": "第四部分", "content": "建议补充覆盖学校名单。"})  # fmt: skip
    assert opinion.status_code == 201 and opinion.json["number"] == 1
    done = client.post(f"/api/v1/engagements/{eid}/feedback/complete", headers=t["unit"])
    assert done.status_code == 200 and done.json["closed"] is True
    assert _stage(client, t, eid) == ("consultation", ["第1条意见尚未答复"])
    url = f"/api/v1/engagements/{eid}/opinions/{opinion.json['id']}"
    tag = client.get(url, headers=t["evaluator"]).headers["ETag"]
    answered = client.put(f"{url}/answer", headers={**t["evaluator"], "If-Match": tag},
                          json={"adoption": "采纳", "reason": "已在附件补充学校名单。"})  # fmt: skip
    assert answered.status_code == 200 and answered.json["adoption"] == "采纳", answered.json
    assert _stage(client, t, eid) == ("consultation", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200 and moved.json["stage"] == "bureau_review", moved.json

    # 提交与审核: the formal report submitted, approved by the bureau, which then rates quality.
    assert _stage(client, t, eid) == ("bureau_review", [
        "正式评价报告尚未提交委托方审核", "委托方尚未完成质量考核",
    ])  # fmt: skip
    # The report check warns that the survey's scale is unreliable (the 问卷星 sample's α is
    # negative); the lead reads the warning and acknowledges it before the formal draft.
    check = client.get(f"/api/v1/engagements/{eid}/report-check", headers=t["lead"]).json
    assert (check["errors"], check["warnings"], check["acknowledged"]) == (0, 1, False)
    assert check["findings"][0]["message"].startswith("Cronbach's α为-0.11（负值）")
    acknowledged = client.post(f"/api/v1/engagements/{eid}/report-check/acknowledgement",
                               headers=t["lead"], json={"fingerprint": check["fingerprint"]})  # fmt: skip
    assert acknowledged.status_code == 201, acknowledged.json
    assert acknowledged.json["warnings"] == 1
    final = client.post(f"/api/v1/engagements/{eid}/documents/report", headers=t["lead"],
                        json={"label": "正式稿"})  # fmt: skip
    assert final.status_code == 200, final.json
    final.close()
    assert final.headers["X-Deliverable-Version"] == "2"
    submitted = client.post(f"/api/v1/engagements/{eid}/submissions", headers=t["lead"],
                            json={"kind": "final_report"})  # fmt: skip
    assert submitted.status_code == 201, submitted.json
    assert (submitted.json["status"], submitted.json["version_number"]) == ("submitted", 2)
    assert _stage(client, t, eid) == ("bureau_review", [
        "正式评价报告正在委托方审核中", "委托方尚未完成质量考核",
    ])  # fmt: skip
    decided = client.post(f"/api/v1/submissions/{submitted.json['id']}/decision",
                          headers=t["bureau"], json={"decision": "approve"})  # fmt: skip
    assert decided.status_code == 200 and decided.json["status"] == "approved", decided.json
    assert _stage(client, t, eid) == ("bureau_review", ["委托方尚未完成质量考核"])
    rated = client.put(f"/api/v1/engagements/{eid}/quality-rating", headers=t["bureau"],
                       json={"rubric": "builtin:deduction", "deductions": {}})  # fmt: skip
    assert rated.status_code == 200, rated.json
    assert (rated.json["total"], rated.json["deposit_computed"]) == ("100.00", True)
    deposit = client.get(f"/api/v1/engagements/{eid}/deposit", headers=t["lead"]).json
    assert (deposit["deposit"], deposit["quality_score"], deposit["release_fraction"]) == (
        "48000.00", "100.00", "1.00")  # fmt: skip
    assert deposit["status"] == "due"
    assert _stage(client, t, eid) == ("bureau_review", [])
    moved = client.post(f"/api/v1/engagements/{eid}/advance", headers=t["lead"])
    assert moved.status_code == 200, moved.json
    assert moved.json == {"stage": "archive", "archived": False}
    detail = client.get(f"/api/v1/engagements/{eid}", headers=t["lead"]).json
    assert detail["stage_name"] == "归档"
    assert [step["status"] for step in detail["flow"]] == ["done"] * 9 + ["current"]
