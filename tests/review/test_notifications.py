"""Notifications: the bell's count, reading them, and e-mail copies sent only after commit."""

import smtplib

import pytest
from sqlmodel import select

from workbench.review import notifications, submissions
from workbench.review.models import Notification


class FakeSMTP:
    """Stands in for smtplib.SMTP: records connections and messages."""

    sent: list = []
    connections: list = []
    fail = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.fail:
            raise ConnectionRefusedError(111, "Connection refused")
        FakeSMTP.connections.append((host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture()
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.connections, FakeSMTP.fail = [], [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.cn")
    monkeypatch.setitem(app.config, "SMTP_PORT", 2525)
    monkeypatch.setitem(app.config, "SMTP_FROM", "workbench@example.cn")
    return FakeSMTP


def _with_email(db, user, address):
    user.email = address
    db.add(user)
    db.flush()


def test_email_leaves_only_after_commit(engagement, smtp, version, db, demo, people):
    _with_email(db, people.bureau, "liu@czj.example.cn")
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    assert smtp.sent == []  # still inside the transaction
    db.commit()
    [message] = smtp.sent
    assert smtp.connections == [("mail.example.cn", 2525)]
    assert message["To"] == "liu@czj.example.cn" and message["From"] == "workbench@example.cn"
    assert "正式评价报告（第 1 版）待审核" in message["Subject"]
    assert "/review/submissions/" in message.get_content()


def test_rolled_back_work_mails_nobody(engagement, smtp, version, db, demo, people):
    _with_email(db, people.bureau, "liu@czj.example.cn")
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    db.rollback()
    db.commit()
    assert smtp.sent == []


def test_no_smtp_no_mail_and_a_failing_server_is_not_fatal(
    engagement, smtp, app, version, db, demo, people, caplog
):
    _with_email(db, people.bureau, "liu@czj.example.cn")
    smtp.fail = True
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    db.commit()
    assert smtp.sent == [] and "failed" in caplog.text
    row = db.exec(
        select(Notification).where(
            Notification.user_id == people.bureau.id, Notification.engagement_id == engagement.id
        )
    ).one()
    assert row.read_at is None  # the in-app notification is there regardless


def test_users_without_address_get_only_the_bell(engagement, smtp, version, db, demo, people):
    before = notifications.unread_count(db, people.bureau)
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    db.commit()
    assert smtp.sent == []
    assert notifications.unread_count(db, people.bureau) == before + 1


def test_unread_count_and_marking_read(db, people, make_user):
    user = make_user("agency")
    for i in range(3):
        notifications.notify(db, users=[user, user], engagement=None, kind="test", title=f"通知{i}")
    assert notifications.unread_count(db, user) == 3  # one per user per call
    rows, total = notifications.list_for(db, user=user, per_page=2)
    assert total == 3 and [r.title for r in rows] == ["通知2", "通知1"]
    notifications.mark_read(db, actor=user, notification=rows[0])
    assert notifications.unread_count(db, user) == 2
    assert notifications.mark_all_read(db, actor=user) == 2
    assert notifications.unread_count(db, user) == 0
    with pytest.raises(Exception, match="通知不存在"):
        notifications.mark_read(db, actor=people.bureau, notification=rows[1])


def test_bell_pages_and_isolation(engagement, login, db, demo, people):
    [row] = notifications.notify(
        db, users=[people.lead], engagement=engagement, kind="test", title="请查看",
        link=f"/engagements/{engagement.id}/review",
    )  # fmt: skip
    db.flush()
    lead = login("demo-lead")
    page = lead.get("/notifications").get_data(as_text=True)
    assert "请查看" in page and 'data-read="no"' in page
    assert lead.get("/notifications?unread=1").status_code == 200
    other = login("demo-evaluator")
    assert "请查看" not in other.get("/notifications").get_data(as_text=True)
    refused = other.post(f"/notifications/{row.id}/read")
    assert refused.status_code == 404 and refused.headers["X-Permission-Denied"] == "404"
    response = lead.post(f"/notifications/{row.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{engagement.id}/review")
    db.refresh(row)
    assert row.read_at is not None
    assert lead.post("/notifications/read-all").status_code == 302


def test_bell_template_shows_the_unread_count(app, db, make_user):
    user = make_user("agency")
    notifications.notify(db, users=[user], engagement=None, kind="t", title="一")
    notifications.notify(db, users=[user], engagement=None, kind="t", title="二")
    db.flush()
    from flask import render_template_string
    from flask_login import login_user

    with app.test_request_context():
        login_user(user)
        html = render_template_string('{% include "review/_bell.html" %}')
    assert 'id="bell-count">2<' in html and "/notifications" in html


def test_pages_get_the_unread_count_with_the_user_row(login, db, make_user, count_queries):
    """The bell's count comes with the session user in one query, and it is the current one."""
    user = make_user("agency")
    c = login(user.username)
    notifications.notify(db, users=[user], engagement=None, kind="t", title="一")
    notifications.notify(db, users=[user], engagement=None, kind="t", title="二")
    db.flush()
    with count_queries() as counter:
        page = c.get("/").get_data(as_text=True)
    assert 'id="bell-count">2<' in page
    alone = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT COUNT")]
    assert not any("notification" in s and '"user"' not in s for s in alone), alone
    c.post("/notifications/read-all")
    assert 'id="bell-count"' not in c.get("/").get_data(as_text=True)
