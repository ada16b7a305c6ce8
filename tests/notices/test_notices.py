"""Notices: who is told of what, each user's choice of kinds, and the daily deadline reminders."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlmodel import col, func, select

from tests.conftest import PASSWORD
from tests.fieldwork.helpers import PDF, signed_paper
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import today_local
from workbench.fieldwork import requests, review
from workbench.finance import services as finance
from workbench.notices import due, preferences
from workbench.notices.kinds import KINDS
from workbench.notices.models import NoticeMute
from workbench.review.models import Notification, RectificationItem

TODAY = today_local()


def inbox(db, user, kind=None, *, about=None) -> list[Notification]:
    """The user's notices (of one kind; about one paper, when given: the demo has its own)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if about is not None:
        stmt = stmt.where(
            Notification.link == f"/engagements/{about.engagement_id}/papers/{about.id}"
        )
    return list(db.exec(stmt.order_by(col(Notification.id))).all())


def test_returned_and_approved_papers_tell_the_preparer(db, demo):
    evaluator, lead = demo.users["demo-evaluator"], demo.users["demo-lead"]
    paper = signed_paper(db, demo, levels=("prepare", "review"))
    review.return_paper(
        db, actor=lead, engagement=demo.engagement, paper=paper, reason="核查结论缺少依据"
    )
    [told] = inbox(db, evaluator, "paper.returned", about=paper)
    assert told.title == f"工作底稿被退回修改：{paper.label}"
    assert "退回原因：核查结论缺少依据" in told.body and told.link.endswith(f"/papers/{paper.id}")
    assert (
        inbox(db, lead, "paper.returned", about=paper) == []
    )  # the one who returned it is not told
    approved = signed_paper(db, demo)
    [told] = inbox(db, evaluator, "paper.approved", about=approved)
    assert approved.label in told.title and "三级复核完成" in told.body


def test_a_muted_kind_is_neither_stored_nor_mailed(db, demo, app_with, monkeypatch):
    evaluator = demo.users["demo-evaluator"]
    evaluator.email = "evaluator@example.cn"
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(("mail", message["To"], message["Subject"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    preferences.save(
        db, actor=evaluator, enabled=[k.key for k in KINDS if k.key != "paper.returned"]
    )
    with app_with(SMTP_HOST="mail.example.cn").app_context():
        paper = signed_paper(db, demo, levels=("prepare", "review"))
        review.return_paper(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, paper=paper, reason="x"
        )
        assert inbox(db, evaluator, "paper.returned", about=paper) == []
        db.info.pop("review.outbox", None)  # only what follows is mailed
        approved = signed_paper(db, demo)  # approved: still wanted, so queued for the mail
        assert len(inbox(db, evaluator, "paper.approved", about=approved)) == 1
        from workbench.review.notifications import send_outbox

        send_outbox(db)
    mails = [s for s in sent if s[0] == "mail"]
    assert len(mails) == 1 and mails[0][1] == "evaluator@example.cn"
    assert mails[0][2].startswith("【绩效评价工作台】工作底稿已批准：")


def test_received_items_tell_the_requester(ctx, db, demo):
    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]
    created = requests.create_request(
        db,
        actor=lead,
        engagement=demo.engagement,
        title="补充资料清单",
        items=requests.parse_item_lines("营养餐供餐记录", default_due=TODAY + timedelta(days=5)),
    )
    requests.send_request(
        db, actor=lead, engagement=demo.engagement, request=created, contact_user_id=unit.id
    )
    item = requests.items_of(db, [created.id])[created.id][0]
    requests.upload_to_item(
        db,
        actor=unit,
        engagement=demo.engagement,
        request=created,
        item_id=item.id,
        files=[("供餐记录.pdf", PDF)],
        max_mb=10,
    )
    link = f"/engagements/{demo.engagement.id}/requests/{created.id}"
    [told] = [n for n in inbox(db, lead, "request.received") if n.link == link]
    assert told.title == "收到资料：补充资料清单—营养餐供餐记录"
    assert "提交了 1 个文件" in told.body


def test_preferences_form_on_the_profile_page(db, demo, login):
    client = login("demo-evaluator")
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="notice-preferences"' in page and "工作底稿被退回修改" in page
    assert page.count('name="kinds"') == len(KINDS) and page.count("checked") >= len(KINDS)
    keep = [k.key for k in KINDS if k.key not in ("paper.approved", "request.received")]
    response = client.post("/profile/notices", data={"kinds": keep})
    assert response.status_code == 302 and response.location.endswith("/profile#notices")
    evaluator = demo.users["demo-evaluator"]
    assert preferences.muted(db, user_id=evaluator.id) == {"paper.approved", "request.received"}
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.notice_preferences")).one()
    assert entry.actor_id == evaluator.id and entry.after == {
        "muted": ["工作底稿已批准", "资料清单收到被评价单位提交的资料"]
    }
    page = client.get("/profile").get_data(as_text=True)
    assert "通知设置已保存：接收 12 类，关闭 2 类" in page
    assert page.count("checked") == len(KINDS) - 2


def test_an_unknown_kind_is_refused_and_nothing_changes(db, demo, login):
    client = login("demo-evaluator")
    response = client.post(
        "/profile/notices", data={"kinds": ["paper.returned", "no.such"]}, follow_redirects=True
    )
    assert "没有“no.such”这种通知" in response.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(NoticeMute)).one() == 0


def test_the_preferences_form_needs_its_csrf_token(db, demo, app_with):
    import re

    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', client.get("/login").text)[1]
    login = {"username": "demo-evaluator", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    response = client.post("/profile/notices", data={"kinds": ["paper.returned"]})
    assert response.status_code == 400 and "请刷新页面后重新提交" in response.text
    assert db.exec(select(func.count()).select_from(NoticeMute)).one() == 0


@pytest.fixture()
def rated(db, demo):
    """The demo contract rated 95 twenty days ago: the release is due in ten days."""
    finance.apply_quality_rating(
        db,
        actor=demo.users["demo-bureau"],
        engagement=demo.engagement,
        score=Decimal("95"),
        rated_at=TODAY - timedelta(days=20),
    )
    db.flush()
    return demo.engagement


def test_deposit_due_and_overdue_reminders_once_a_day(db, demo, rated):
    lead, admin = demo.users["demo-lead"], demo.users["demo-admin"]
    report = due.run(db, today=TODAY)
    assert report.sent == {"deposit.due": 2}  # the lead and the agency admin
    [told] = inbox(db, lead, "deposit.due")
    assert "还有 10 天到期" in told.body and told.link.endswith("/finance")
    assert len(inbox(db, admin, "deposit.due")) == 1
    assert due.run(db, today=TODAY).total == 0  # cron again the same day: nothing twice
    assert due.run(db, today=TODAY + timedelta(days=1)).total == 0  # due-soon: once
    late = TODAY + timedelta(days=11)
    assert due.run(db, today=late).sent == {"deposit.overdue": 2}
    assert "已逾期 1 天" in inbox(db, lead, "deposit.overdue")[0].body
    assert due.run(db, today=late + timedelta(days=3)).total == 0
    assert due.run(db, today=late + timedelta(days=7)).sent == {"deposit.overdue": 2}
    bureau = inbox(db, demo.users["demo-bureau"])
    assert [n for n in bureau if n.kind.startswith("deposit.")] == []


def test_rectification_reminders_to_the_unit_and_the_lead(db, demo):
    item = RectificationItem(
        engagement_id=demo.engagement.id,
        problem="部分学校供餐记录不完整",
        feedback_due=TODAY,
        rectify_due=TODAY + timedelta(days=5),
        created_by_id=demo.users["demo-lead"].id,
    )
    db.add(item)
    db.flush()
    report = due.run(db, today=TODAY)
    assert report.sent == {"rectification.due": 2}
    [told] = inbox(db, demo.users["demo-unit"], "rectification.due")
    assert told.title == "整改期限将至：部分学校供餐记录不完整" and "还有 5 天" in told.body
    assert len(inbox(db, demo.users["demo-lead"], "rectification.due")) == 1
    assert due.run(db, today=TODAY).total == 0
    assert due.run(db, today=TODAY + timedelta(days=6)).sent == {"rectification.overdue": 2}
    item.status = "rectified"
    db.add(item)
    db.flush()
    assert due.run(db, today=TODAY + timedelta(days=20)).total == 0


def test_a_muted_reminder_is_skipped_and_not_stamped(db, demo, rated):
    lead = demo.users["demo-lead"]
    preferences.save(db, actor=lead, enabled=[k.key for k in KINDS if k.key != "deposit.due"])
    assert due.run(db, today=TODAY).sent == {"deposit.due": 1}  # the admin only
    assert inbox(db, lead, "deposit.due") == []
    preferences.save(db, actor=lead, enabled=[k.key for k in KINDS])
    assert due.run(db, today=TODAY).sent == {"deposit.due": 1}  # now the lead, once


def test_cli_runs_the_reminders(db, demo, rated, monkeypatch):
    from contextlib import contextmanager

    from workbench import cli
    from workbench import db as database

    @contextmanager
    def scope():
        yield None

    @contextmanager
    def session_scope(*args, **kwargs):
        yield db

    monkeypatch.setattr(cli, "_app_scope", scope)
    monkeypatch.setattr(database, "session_scope", session_scope)
    result = CliRunner().invoke(cli.main, ["notices", "run", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert (
        "已发送 2 条提醒" in result.output and "质量保证金 30 日内到期应释放：2 条" in result.output
    )
    again = CliRunner().invoke(cli.main, ["notices", "run", "--date", TODAY.isoformat()])
    assert "没有需要发送的提醒" in again.output
    bad = CliRunner().invoke(cli.main, ["notices", "run", "--date", "明天"])
    assert bad.exit_code != 0


def test_consultation_draft_tells_the_unit_and_its_answer_tells_the_lead(ctx, db, demo):
    from tests.reports.report_helpers import sign_three
    from workbench.reports import consultation, services

    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]
    sign_three(db, demo)
    draft = services.generate(
        db, actor=lead, engagement=demo.engagement, kind="report", label="征求意见稿"
    )
    consultation.send(
        db,
        actor=lead,
        engagement=demo.engagement,
        version_id=draft.id,
        recipient_id=unit.id,
        due_date=TODAY + timedelta(days=7),
    )
    [told] = inbox(db, unit, "consultation.sent")
    assert told.title == f"征求意见稿待您反馈：{demo.engagement.title}"
    assert f"请于 {TODAY + timedelta(days=7):%Y年%m月%d日} 前反馈意见" in told.body
    assert told.link.endswith("/consultation")
    consultation.add_opinion(
        db, actor=unit, engagement=demo.engagement, reference="第三部分", content="数据口径需说明"
    )
    consultation.complete(db, actor=unit, engagement=demo.engagement)
    [answered] = inbox(db, lead, "consultation.answered")
    assert "提出 1 条意见" in answered.body
