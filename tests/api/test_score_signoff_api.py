"""The indicator confirmation and the score sign-off through the API (issue 21): the sign-off
holds only while the scores are the ones signed."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from tests.api.record_helpers import engagement, put_tree
from workbench.core.audit import AuditEntry
from workbench.indicators.models import Indicator, IndicatorSystem


def test_the_lead_confirms_the_tree_and_signs_the_scores(client, db, demo, token_for):
    e = engagement(db, demo, "评分签字")
    lead, evaluator = token_for(demo.users["demo-lead"]), token_for(demo.users["demo-evaluator"])
    put_tree(client, lead, e.id)
    base = f"/api/v1/engagements/{e.id}"
    state = client.get(f"{base}/scores/signoff", headers=evaluator).json
    assert (state["signed"], state["holds"], state["total"], state["grade"]) == (
        False, False, "90.00", "优",
    )  # fmt: skip
    assert state["blockers"] == ["指标体系尚未经项目负责人确认（确认后修改过的须重新确认）"]
    early = client.post(f"{base}/scores/signoff", headers=lead)
    assert early.status_code == 409 and early.json["error"] == "评分尚未完成，不能签字确认"
    assert early.json["blockers"] == state["blockers"]

    assert client.post(f"{base}/indicators/confirmation", headers=evaluator).status_code == 403
    confirmed = client.post(f"{base}/indicators/confirmation", headers=lead)
    assert confirmed.status_code == 200, confirmed.json
    assert (confirmed.json["confirmed"], confirmed.json["confirmed_by_name"]) == (
        True, demo.users["demo-lead"].display_name,
    )  # fmt: skip
    again = client.post(f"{base}/indicators/confirmation", headers=lead)
    assert again.status_code == 409 and again.json["error"] == "指标体系已确认"

    assert client.post(f"{base}/scores/signoff", headers=evaluator).status_code == 403
    signed = client.post(f"{base}/scores/signoff", headers=lead)
    assert signed.status_code == 200, signed.json
    assert (signed.json["signed"], signed.json["holds"], signed.json["stale"]) == (
        True,
        True,
        False,
    )
    assert (signed.json["signed_total"], signed.json["signed_grade"]) == ("90.00", "优")
    assert signed.json["signed_by_id"] == demo.users["demo-lead"].id
    assert signed.json["blockers"] == []
    twice = client.post(f"{base}/scores/signoff", headers=lead)
    assert twice.status_code == 409 and twice.json["error"] == "评分结果已签字确认"

    # A score moves by a path that does not clear the sign-off: it no longer holds.
    leaf = db.exec(select(Indicator).where(Indicator.engagement_id == e.id,
                                           Indicator.name == "实际完成率")).one()  # fmt: skip
    leaf.score = Decimal("30")
    db.add(leaf)
    db.flush()
    moved = client.get(f"{base}/scores/signoff", headers=lead).json
    assert (moved["signed"], moved["holds"], moved["stale"]) == (True, False, True)
    assert (moved["signed_total"], moved["total"], moved["grade"]) == ("90.00", "84.00", "良")
    assert moved["stale_message"] == (
        "评分签字后得分已变化（签字时 90 分、优，现为 84 分、良），须项目负责人重新签字确认"
    )
    resigned = client.post(f"{base}/scores/signoff", headers=lead)
    assert resigned.status_code == 200
    assert (resigned.json["holds"], resigned.json["signed_total"]) == (True, "84.00")

    withdrawn = client.delete(f"{base}/scores/signoff", headers=lead)
    assert withdrawn.status_code == 200
    assert (withdrawn.json["signed"], withdrawn.json["signed_total"]) == (False, None)
    not_signed = client.delete(f"{base}/scores/signoff", headers=lead)
    assert not_signed.status_code == 409 and not_signed.json["error"] == "评分结果尚未签字确认"
    actions = [a.action for a in db.exec(
        select(AuditEntry).where(AuditEntry.engagement_id == e.id).order_by(AuditEntry.id)
    ).all()]  # fmt: skip
    assert actions.count("scoring.sign") == 2 and "indicators.confirm" in actions


def test_withdrawing_the_confirmation_asks_before_clearing_the_sign_off(
    client, db, demo, token_for, make_user
):
    e = engagement(db, demo, "撤销确认")
    lead = token_for(demo.users["demo-lead"])
    base = f"/api/v1/engagements/{e.id}"
    empty = client.post(f"{base}/indicators/confirmation", headers=lead)
    assert empty.status_code == 409 and empty.json["error"] == "指标体系尚有问题，不能确认"
    put_tree(client, lead, e.id)
    client.post(f"{base}/indicators/confirmation", headers=lead)
    client.post(f"{base}/scores/signoff", headers=lead)
    for bad in ({"confirm_clear_signoffs": "是"}, {"x": 1}, []):
        answer = client.post(f"{base}/indicators/confirmation/withdraw", headers=lead, json=bad)
        assert answer.status_code == 422, bad
    asked = client.post(f"{base}/indicators/confirmation/withdraw", headers=lead, json={})
    assert asked.status_code == 409
    assert asked.json["error"].startswith(
        f"撤销指标体系的确认将清除{demo.users['demo-lead'].display_name}（项目负责人）的评分签字，"
        "评分须重新签字"
    )
    system = db.exec(select(IndicatorSystem).where(IndicatorSystem.engagement_id == e.id)).one()
    assert system.confirmed_at is not None and system.scores_signed_at is not None
    done = client.post(f"{base}/indicators/confirmation/withdraw", headers=lead,
                       json={"confirm_clear_signoffs": True})  # fmt: skip
    assert done.status_code == 200 and done.json["confirmed"] is False
    state = client.get(f"{base}/scores/signoff", headers=lead).json
    assert state["signed"] is False

    outsider = token_for(make_user("agency", role="admin"))
    for method, path in (("GET", "scores/signoff"), ("POST", "scores/signoff"),
                         ("DELETE", "scores/signoff"), ("GET", "indicators/confirmation"),
                         ("POST", "indicators/confirmation")):  # fmt: skip
        assert client.open(f"{base}/{path}", method=method, headers=outsider).status_code == 404
