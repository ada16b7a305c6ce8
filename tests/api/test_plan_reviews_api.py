"""An assigned expert signs the plan review through the API (issue 21): the page's service, its
checks and messages, nothing written on a refusal, a retry answered once."""

from __future__ import annotations

from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.experts.plan_review_models import PlanReview

OPINION = {"conclusion": "passed_after_changes", "opinion": "抽样方案需补充学校分层依据。"}


def _url(engagement) -> str:
    return f"/api/v1/engagements/{engagement.id}/plan-reviews"


def _reviews(db, engagement) -> list[PlanReview]:
    return list(db.exec(select(PlanReview).where(PlanReview.engagement_id == engagement.id)).all())


def test_the_assigned_expert_signs_on_the_newest_plan(client, db, demo, token_for):
    before = len(_reviews(db, demo.engagement))
    signed = client.post(_url(demo.engagement), json=OPINION,
                         headers=token_for(demo.users["demo-expert"]))  # fmt: skip
    assert signed.status_code == 201, signed.json
    assert signed.json["expert_name"] == "陈专家"
    assert signed.json["conclusion_name"] == "修改后通过"
    assert signed.json["on_paper"] is False and signed.json["current"] is True
    row = db.get(PlanReview, signed.json["id"])
    assert row.signed_by_id == demo.users["demo-expert"].id
    assert row.opinion == OPINION["opinion"] and len(_reviews(db, demo.engagement)) == before + 1
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "plan_review.sign")).all()
    assert [a.object_id for a in audit][-1] == row.id
    listed = client.get(_url(demo.engagement), headers=token_for(demo.users["demo-lead"])).json
    assert listed["items"][0]["id"] == row.id and listed["items"][0]["current"] is True


def test_a_missing_conclusion_or_opinion_is_refused_and_nothing_is_written(
    client, db, demo, token_for
):
    before = len(_reviews(db, demo.engagement))
    headers = token_for(demo.users["demo-expert"])
    wrong = client.post(_url(demo.engagement), json={"conclusion": "maybe", "opinion": "好"},
                        headers=headers)  # fmt: skip
    assert wrong.status_code == 422
    assert wrong.json["errors"] == [
        {"field": "conclusion", "message": "请选择评审结论：通过、修改后通过或不通过"}
    ]
    blank = client.post(_url(demo.engagement), json={"conclusion": "passed", "opinion": "  "},
                        headers=headers)  # fmt: skip
    assert blank.status_code == 422
    assert blank.json["errors"] == [{"field": "opinion", "message": "请填写专家评审意见"}]
    extra = client.post(_url(demo.engagement), json={**OPINION, "expert_id": 1}, headers=headers)
    assert extra.status_code == 422 and extra.json["errors"][0]["field"] == "expert_id"
    assert len(_reviews(db, demo.engagement)) == before


def test_only_the_assigned_expert_signs_and_others_do_not_see_the_engagement(
    client, db, demo, token_for, make_user
):
    before = len(_reviews(db, demo.engagement))
    lead = client.post(
        _url(demo.engagement), json=OPINION, headers=token_for(demo.users["demo-lead"])
    )
    assert lead.status_code == 403
    stranger = make_user("expert", managed_by=None)
    for user in (stranger, demo.users["demo-bureau2"]):
        hidden = client.post(_url(demo.engagement), json=OPINION, headers=token_for(user))
        assert hidden.status_code == 404
    assert len(_reviews(db, demo.engagement)) == before


def test_a_retry_with_the_same_key_signs_once(client, db, demo, token_for):
    before = len(_reviews(db, demo.engagement))
    headers = {**token_for(demo.users["demo-expert"]), "Idempotency-Key": "plan-review-1"}
    first = client.post(_url(demo.engagement), json=OPINION, headers=headers)
    again = client.post(_url(demo.engagement), json=OPINION, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert len(_reviews(db, demo.engagement)) == before + 1
