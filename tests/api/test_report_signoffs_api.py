"""The report's 三级复核 through the API (issue 21): order, three people, edits clear signatures."""

from __future__ import annotations

from sqlmodel import select

from tests.api.record_helpers import engagement, write_report
from workbench.core.audit import AuditEntry
from workbench.reports.models import ReportSignoff


def _signs(client, eid, headers, level, **extra):
    return client.post(
        f"/api/v1/engagements/{eid}/report/signoffs",
        headers=headers,
        json={"level": level, **extra},
    )


def test_three_people_sign_in_order_and_an_edit_clears_the_later_signatures(
    client, db, demo, token_for
):
    e = engagement(db, demo, "报告签字")
    lead, evaluator, reviewer = (
        token_for(demo.users[f"demo-{r}"]) for r in ("lead", "evaluator", "reviewer")
    )
    url = f"/api/v1/engagements/{e.id}/report/signoffs"
    empty = client.get(url, headers=lead).json
    assert [(lv["level"], lv["signoff"]) for lv in empty["levels"]] == [
        ("prepare", None), ("review", None), ("approve", None),
    ]  # fmt: skip
    assert empty["approved"] is False and empty["missing_sections"]
    unwritten = _signs(client, e.id, evaluator, "prepare")
    assert unwritten.status_code == 409 and unwritten.json["error"] == "以下章节尚未撰写，不能签字"
    assert unwritten.json["blockers"] == empty["missing_sections"]
    ids = write_report(client, evaluator, e.id)

    early = _signs(client, e.id, reviewer, "review")
    assert early.status_code == 409 and early.json["error"] == "报告尚未编制签字，不能复核"
    prepared = _signs(client, e.id, evaluator, "prepare", comment="已自查")
    assert prepared.status_code == 201, prepared.json
    assert prepared.json["level"] == "prepare" and prepared.json["level_name"] == "编制"
    assert prepared.json["user_name"] == demo.users["demo-evaluator"].display_name
    assert (prepared.json["comment"], prepared.json["holds"]) == ("已自查", True)
    twice = _signs(client, e.id, evaluator, "prepare")
    assert twice.status_code == 409 and twice.json["error"] == "您已作为编制人签字，不能重复签字"
    not_reviewer = _signs(client, e.id, evaluator, "review")
    assert not_reviewer.status_code == 403
    assert not_reviewer.json["error"] == "只有复核人或项目负责人可以复核签字"
    assert _signs(client, e.id, reviewer, "review").status_code == 201
    assert _signs(client, e.id, reviewer, "approve").status_code == 403
    approved = _signs(client, e.id, lead, "approve")
    assert approved.status_code == 201
    state = client.get(url, headers=lead).json
    assert state["approved"] is True and state["missing_sections"] == []
    assert [lv["signoff"]["user_id"] for lv in state["levels"]] == [
        demo.users[f"demo-{r}"].id for r in ("evaluator", "reviewer", "lead")
    ]
    assert all(lv["signoff"]["holds"] for lv in state["levels"])

    # Approved: the sections are locked until the lead withdraws the approval.
    section = f"/api/v1/engagements/{e.id}/sections/{ids['overview']}"
    tag = client.get(section, headers=lead).headers["ETag"]
    locked = client.put(section, headers={**lead, "If-Match": tag}, json={"content": "改"})
    assert locked.status_code == 409 and "已批准" in locked.json["error"]
    too_early = client.post(f"{url}/withdraw", headers=reviewer, json={"level": "review"})
    assert too_early.status_code == 409 and too_early.json["error"] == "请先撤销批准签字"
    withdrawn = client.post(f"{url}/withdraw", headers=lead, json={"level": "approve"})
    assert withdrawn.status_code == 200 and withdrawn.json["approved"] is False
    assert withdrawn.json["history"][0]["cleared_reason"].endswith("撤销")

    asked = client.put(section, headers={**lead, "If-Match": tag}, json={"content": "改"})
    assert asked.status_code == 409
    assert asked.json["error"].startswith("修改章节“（一）项目概况”将清除")
    assert "（复核人）" in asked.json["error"]
    body = {"content": "<p>改写后的概况。</p>", "confirm_clear_signoffs": True}
    assert client.put(section, headers={**lead, "If-Match": tag}, json=body).status_code == 200
    after = client.get(url, headers=lead).json
    prepare, review, approve = after["levels"]
    assert (review["signoff"], approve["signoff"]) == (None, None)
    assert prepare["signoff"]["holds"] is False  # signed before the edit
    stale = _signs(client, e.id, reviewer, "review")
    assert stale.status_code == 409
    assert stale.json["error"].startswith("编制签字后章节内容有修改，须由编制人核对后重新编制签字")
    resigned = _signs(client, e.id, evaluator, "prepare")
    assert resigned.status_code == 201 and resigned.json["holds"] is True
    actions = [a.action for a in db.exec(
        select(AuditEntry).where(AuditEntry.engagement_id == e.id).order_by(AuditEntry.id)
    ).all()]  # fmt: skip
    assert actions.count("report.sign") == 4
    assert "report.signoff.withdraw" in actions and "report.signoff.clear" in actions


def test_bad_sign_offs_change_nothing_and_a_retry_is_the_same_signature(
    client, db, demo, token_for, make_user
):
    e = engagement(db, demo, "报告签字错误")
    evaluator = token_for(demo.users["demo-evaluator"])
    write_report(client, evaluator, e.id)
    url = f"/api/v1/engagements/{e.id}/report/signoffs"
    for bad in ({}, {"level": "编制"}, {"level": "prepare", "comment": "x" * 1001},
                {"level": "prepare", "x": 1}):  # fmt: skip
        assert client.post(url, headers=evaluator, json=bad).status_code == 422, bad
    withdraw = client.post(f"{url}/withdraw", headers=evaluator, json={"level": "prepare"})
    assert withdraw.status_code == 409 and withdraw.json["error"] == "该级签字不存在或已撤销"
    assert db.exec(select(ReportSignoff).where(ReportSignoff.engagement_id == e.id)).all() == []

    key = {"Idempotency-Key": "sign-prepare-1"}
    first = client.post(url, headers={**evaluator, **key}, json={"level": "prepare"})
    retry = client.post(url, headers={**evaluator, **key}, json={"level": "prepare"})
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    rows = db.exec(select(ReportSignoff).where(ReportSignoff.engagement_id == e.id)).all()
    assert [r.id for r in rows] == [first.json["id"]]

    outsider = token_for(make_user("agency", role="admin"))
    assert client.get(url, headers=outsider).status_code == 404
    assert client.post(url, headers=outsider, json={"level": "prepare"}).status_code == 404
    unit = token_for(demo.users["demo-unit"])
    assert client.post(url, headers=unit, json={"level": "prepare"}).status_code == 403
