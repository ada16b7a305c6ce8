"""Which actions become events, for which endpoints, with what payload."""

import json
from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from tests.finance.conftest import contract_data
from tests.permissions_roles import fresh_engagement
from workbench.accounts.models import OrgKind
from workbench.accounts.services import get_or_create_org
from workbench.core.timeutil import today_local
from workbench.engagements import flow
from workbench.engagements.stages import Stage
from workbench.fieldwork.stage_paper_models import StagePaperSetting
from workbench.finance import services as finance
from workbench.review import decisions, submissions
from workbench.webhooks import events, services
from workbench.webhooks.models import WebhookDelivery, WebhookEndpoint


def _sent(db, endpoint=None, event=None):
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint.id)
    if event is not None:
        stmt = stmt.where(WebhookDelivery.event == event)
    return [(d, json.loads(d.payload)) for d in db.exec(stmt).all()]


def _endpoint(db, agency_id, user_id, events, bureau_id=None, active=True):
    found = WebhookEndpoint(
        agency_id=agency_id, bureau_id=bureau_id, url="https://hooks.example.com/x",
        events=events, secret="whsec_t", created_by_id=user_id, active=active,
    )  # fmt: skip
    db.add(found)
    db.flush()
    return found


def test_stage_advanced_reaches_the_endpoints_that_follow_it(db, demo, engagement, people):
    admin, lead = demo.users["demo-admin"], demo.users["demo-lead"]
    agency = admin.org_id
    follows = _endpoint(db, agency, admin.id, ["engagement.stage_advanced"])
    other_event = _endpoint(db, agency, admin.id, ["rating.recorded"])
    stopped = _endpoint(db, agency, admin.id, ["engagement.stage_advanced"], active=False)
    county = get_or_create_org(db, actor=None, name="示例县财政局", kind=OrgKind.bureau)
    other_bureau = _endpoint(db, agency, admin.id, ["engagement.stage_advanced"], county.id)
    same_bureau = _endpoint(
        db, agency, admin.id, ["engagement.stage_advanced"], demo.engagement.bureau_id
    )
    other_agency = get_or_create_org(db, actor=None, name="另一评价机构", kind=OrgKind.agency)
    foreign = _endpoint(db, other_agency.id, admin.id, ["engagement.stage_advanced"])
    # The firm asks for no A- papers at commission (the stage papers are tested elsewhere).
    db.add(StagePaperSetting(agency_id=agency, stage="commission", template_keys=[]))
    assert flow.advance(db, actor=lead, engagement=engagement) == Stage.plan
    db.flush()
    got = {d.endpoint_id for d, _ in _sent(db)}
    assert got == {follows.id, same_bureau.id}
    assert not got & {other_event.id, stopped.id, other_bureau.id, foreign.id}
    [(delivery, body)] = _sent(db, follows)
    assert body["type"] == "engagement.stage_advanced" and body["type_name"] == "项目推进到下一阶段"
    assert body["id"] == delivery.event_id and delivery.engagement_id == engagement.id
    assert body["engagement"] == {
        "id": engagement.id, "title": engagement.title, "stage": "plan",
        "stage_name": "评价方案", "agency": body["engagement"]["agency"],
        "bureau": body["engagement"]["bureau"],
    }  # fmt: skip
    assert body["engagement"]["agency"] and body["engagement"]["bureau"]
    assert body["data"]["from"] == {"stage": "commission", "stage_name": "接受委托"}
    assert body["data"]["to"] == {"stage": "plan", "stage_name": "评价方案"}
    assert body["data"]["by"] == lead.display_name


def test_submission_sent_and_decided(db, demo, engagement, people, version):
    admin = demo.users["demo-admin"]
    hook = _endpoint(db, admin.org_id, admin.id, ["submission.sent", "submission.decided"])
    sent = submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    db.flush()
    [(_, body)] = _sent(db, hook, "submission.sent")
    assert body["data"]["submission_id"] == sent.id
    assert (body["data"]["kind"], body["data"]["version"], body["data"]["round"]) == (
        "final_report", sent.version_number, 1,
    )  # fmt: skip
    decisions.decide(
        db, actor=people.bureau, engagement=engagement, submission=sent,
        decision="approve", note="同意",
    )  # fmt: skip
    db.flush()
    [(_, decided)] = _sent(db, hook, "submission.decided")
    assert (
        decided["data"]["decision"] == "approve" and decided["data"]["decision_name"] == "审核通过"
    )
    assert decided["data"]["note"] == "同意" and decided["data"]["by"] == people.bureau.display_name


def test_rating_and_the_daily_deposit_events(db, demo, ctx):
    admin, lead, bureau = (
        demo.users["demo-admin"],
        demo.users["demo-lead"],
        demo.users["demo-bureau"],
    )
    hook = _endpoint(
        db, admin.org_id, admin.id, ["rating.recorded", "deposit.due", "deposit.overdue"]
    )
    today = today_local()
    soon, late = fresh_engagement(db, demo, "即将到期"), fresh_engagement(db, demo, "逾期")
    for e, accepted in ((soon, today - timedelta(days=20)), (late, today - timedelta(days=40))):
        finance.create_contract(
            db,
            actor=lead,
            engagement=e,
            data=contract_data(number=f"HT-{e.id}", fee=Decimal("100000.00")),
        )
        finance.apply_quality_rating(
            db, actor=bureau, engagement=e, score=Decimal("95"), rated_at=accepted
        )
    db.flush()
    ratings = _sent(db, hook, "rating.recorded")
    assert [b["engagement"]["id"] for _, b in ratings] == [soon.id, late.id]
    assert ratings[0][1]["data"]["quality_score"] == "95.00"
    assert events.deposit_events(db, today=today) == 2
    [(_, due)] = _sent(db, hook, "deposit.due")
    [(_, overdue)] = _sent(db, hook, "deposit.overdue")
    assert due["engagement"]["id"] == soon.id and overdue["engagement"]["id"] == late.id
    assert due["data"]["days"] > 0 > overdue["data"]["days"]
    assert Decimal(due["data"]["outstanding"]) > 0
    # The same day again, and the next six days: nothing new; a week later, overdue again.
    assert events.deposit_events(db, today=today) == 0
    assert events.deposit_events(db, today=today + timedelta(days=1)) == 0
    late_day = today + timedelta(days=7)
    assert events.deposit_events(db, today=late_day) >= 1
    assert len(_sent(db, hook, "deposit.overdue")) == 2


def test_an_action_that_fails_sends_nothing(login, db, demo):
    """A stage advance refused by its gate rolls back: no delivery exists."""
    admin = demo.users["demo-admin"]
    _endpoint(db, admin.org_id, admin.id, ["engagement.stage_advanced"])
    engagement = fresh_engagement(db, demo, "未满足条件")  # no contract: the gate refuses
    db.commit()
    page = login("demo-lead").post(f"/engagements/{engagement.id}/advance", follow_redirects=True)
    assert "合同" in page.get_data(as_text=True)
    assert _sent(db) == []


def test_endpoint_checks_refuse_bad_input_and_save_nothing(db, demo, ctx, receiver):
    import pytest

    from workbench.core.errors import ValidationFailed

    admin = demo.users["demo-admin"]
    county = get_or_create_org(db, actor=None, name="未合作县财政局", kind=OrgKind.bureau)
    cases = [
        (dict(url="", events=["ping"]), {"url", "events"}),
        (dict(url="http://10.9.9.9/x", events=["deposit.due"]), {"url"}),
        (dict(url=receiver.url, events=[]), {"events"}),
        (dict(url=receiver.url, events=["deposit.due"], bureau_id=county.id), {"bureau_id"}),
        (dict(url=receiver.url + "/" + "x" * 500, events=["deposit.due"]), {"url"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(ValidationFailed) as refused:
            services.create_endpoint(db, admin=admin, **kwargs)
        assert {d["field"] for d in refused.value.details} == fields
    assert db.exec(select(WebhookEndpoint)).all() == []
