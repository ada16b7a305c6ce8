"""In-app notifications (the bell) and e-mail copies when SMTP is configured.

E-mails wait in the session's outbox and leave only after the transaction commits, so a refused
or rolled-back action never mails anyone; a mail server that fails is logged, never fatal.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core.errors import NotFound
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.notices import services as notices
from workbench.review.models import Notification

log = logging.getLogger(__name__)
OUTBOX = "review.outbox"
LISTENING = "review.outbox.listening"


def _mail_settings() -> tuple[str, int, str] | None:
    if not has_app_context():
        return None
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        return None
    sender = config.get("SMTP_FROM") or f"workbench@{host}"
    return str(host), int(config.get("SMTP_PORT") or 25), str(sender)


def _absolute(link: str) -> str:
    if link.startswith("/") and has_request_context():
        return request.host_url.rstrip("/") + link
    return link


def _queue_mail(db: Session, user: User, title: str, body: str, link: str) -> None:
    settings = _mail_settings()
    if settings is None or not user.email:
        return
    host, port, sender = settings
    message = EmailMessage()
    message["Subject"] = f"【绩效评价工作台】{title}"
    message["From"] = sender
    message["To"] = user.email
    text = f"{user.display_name}，您好：\n\n{body or title}\n"
    if link:
        text += f"\n查看详情：{_absolute(link)}\n"
    message.set_content(text + "\n（本邮件由系统自动发送，请勿直接回复）")
    db.info.setdefault(OUTBOX, []).append((host, port, message))
    if not db.info.get(LISTENING):
        event.listen(db, "after_commit", send_outbox)
        event.listen(db, "after_rollback", _drop_outbox)
        db.info[LISTENING] = True


def send_outbox(db: Session) -> int:
    """Send the queued e-mails (after commit); returns how many were handed to the server."""
    queued = db.info.pop(OUTBOX, [])
    sent = 0
    by_server: dict[tuple[str, int], list[EmailMessage]] = {}
    for host, port, message in queued:
        by_server.setdefault((host, port), []).append(message)
    for (host, port), messages in by_server.items():
        try:
            with smtplib.SMTP(host, port, timeout=10) as server:
                for message in messages:
                    server.send_message(message)
                    sent += 1
        except (OSError, smtplib.SMTPException) as error:
            log.warning("notification e-mail to %s:%s failed: %s", host, port, error)
    return sent


def _drop_outbox(db: Session) -> None:
    db.info.pop(OUTBOX, None)


def notify(
    db: Session,
    *,
    users: Iterable[User],
    engagement: Engagement | None,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
) -> list[Notification]:
    """Leave a notification for each user (once per user) and queue their e-mail.

    Users who turned this kind off on their profile page (workbench/notices) get neither.
    """
    created = []
    seen: set[int] = set()
    for user in notices.wanted(db, users=users, kind=kind):
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        row = Notification(
            user_id=user.id,
            engagement_id=engagement.id if engagement else None,
            kind=kind,
            title=title[:200],
            body=body[:2000],
            link=link[:300],
        )
        db.add(row)
        created.append(row)
        _queue_mail(db, user, title, body, link)
    db.flush()
    return created


def bureau_users(db: Session, engagement: Engagement) -> list[User]:
    """Every active reviewer of the bureau that commissioned the engagement."""
    found = db.exec(
        select(User).where(User.org_id == engagement.bureau_id, col(User.active).is_(True))
    ).all()
    return [u for u in found if u.serves(engagement.agency_id)]


def lead_users(db: Session, engagement: Engagement) -> list[User]:
    ids = engagement.member_ids(MemberRole.lead)
    if not ids:
        return []
    return list(db.exec(select(User).where(col(User.id).in_(ids))).all())


def unit_users(db: Session, engagement: Engagement) -> list[User]:
    """The evaluated unit's active contacts on the engagement (they report rectification progress)."""
    ids = engagement.member_ids(MemberRole.unit)
    if not ids:
        return []
    return list(db.exec(select(User).where(col(User.id).in_(ids), col(User.active))).all())


def unread_count_column():
    """The unread count as a subquery correlated to `User.id` (loaded with the session user)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == User.id, col(Notification.read_at).is_(None))
        .scalar_subquery()
    )


def unread_count(db: Session, user: User) -> int:
    return db.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, col(Notification.read_at).is_(None))
    ).one()


def inbox_query(*, user: User, unread_only: bool = False):
    """A select of the user's own notifications (only the unread ones when asked), unordered."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(col(Notification.read_at).is_(None))
    return stmt


def list_for(
    db: Session, *, user: User, unread_only: bool = False, page: int = 1, per_page: int = 30
) -> tuple[list[Notification], int]:
    """A page of the user's notifications, newest first, with the total."""
    stmt = inbox_query(user=user, unread_only=unread_only)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(
        stmt.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def get_own(db: Session, *, user: User, notification_id: int) -> Notification:
    row = db.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound("通知不存在")
    return row


# Reading a notification is the user's own inbox state, not an engagement record: no audit entry.
def mark_read(db: Session, *, actor: User, notification: Notification) -> Notification:
    """Mark one of one's own notifications read."""
    if notification.user_id != actor.id:
        raise NotFound("通知不存在")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.add(notification)
        db.flush()
    return notification


def mark_all_read(db: Session, *, actor: User) -> int:
    """Mark all of one's unread notifications read; returns how many."""
    rows = db.exec(
        select(Notification).where(
            Notification.user_id == actor.id, col(Notification.read_at).is_(None)
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.read_at = now
        db.add(row)
    db.flush()
    return len(rows)
