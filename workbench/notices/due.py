"""Reminders of deadlines no user action announces: the quality deposit's release and the
rectification items. Run daily by `workbench notices run` (cron); a rerun the same day sends
nothing twice, because every reminder leaves a stamp (user, kind, item, day).

How often: "due soon" once per item and due date (entering the window, or again when the date
moves); "overdue" on its first day and every OVERDUE_EVERY_DAYS days after while still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement, Member, MemberRole
from workbench.finance.services import DUE_SOON_DAYS, DepositRow, dashboard
from workbench.notices.models import NoticeStamp
from workbench.review.models import RectificationItem
from workbench.review.services import notifications
from workbench.review.states import FollowUpStatus

RECTIFICATION_DUE_SOON_DAYS = 7
OVERDUE_EVERY_DAYS = 7


@dataclass
class RunReport:
    """What one run sent, per kind (for the command's output and the tests)."""

    today: date
    sent: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        if count:
            self.sent[kind] = self.sent.get(kind, 0) + count

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def _last_stamp(db: Session, *, user_id: int, kind: str, ref: str) -> date | None:
    return db.exec(
        select(NoticeStamp.day)
        .where(NoticeStamp.user_id == user_id, NoticeStamp.kind == kind, NoticeStamp.ref == ref)
        .order_by(col(NoticeStamp.day).desc())
        .limit(1)
    ).first()


def _due_now(last: date | None, today: date, *, every: int | None) -> bool:
    """Whether to remind today, given the day of the last reminder (None: never reminded)."""
    if last is None:
        return True
    if every is None:  # once per ref
        return False
    return (today - last).days >= every


@dataclass(frozen=True)
class Reminder:
    """One reminder's kind, what it is about (`ref`), how often it repeats, and its wording."""

    kind: str
    ref: str
    every: int | None
    title: str
    body: str


def _remind(
    db: Session,
    *,
    users: list[User],
    today: date,
    reminder: Reminder,
    engagement: Engagement,
    link: str,
) -> int:
    """Notify the users not yet reminded of `ref` (per `every`), stamping each; returns how many."""
    kind, ref = reminder.kind, reminder.ref
    chosen = []
    for user in {u.id: u for u in users}.values():
        last = _last_stamp(db, user_id=user.id, kind=kind, ref=ref)
        if _due_now(last, today, every=reminder.every):
            chosen.append(user)
    created = notifications.notify(
        db,
        users=chosen,
        engagement=engagement,
        kind=kind,
        title=reminder.title,
        body=reminder.body,
        link=link,
    )
    for row in created:
        db.add(NoticeStamp(user_id=row.user_id, kind=kind, ref=ref, day=today))
    db.flush()
    return len(created)


def _agency_readers(db: Session) -> list[User]:
    """Accounts that answer for deposits: agency admins and project leads (active)."""
    leads = set(db.exec(select(Member.user_id).where(Member.role == MemberRole.lead)).all())
    users = db.exec(select(User).where(col(User.active).is_(True)).order_by(col(User.id))).all()
    return [u for u in users if u.is_agency and (u.is_admin or u.id in leads)]


def _deposit_reminder(row: DepositRow, *, today: date, overdue: bool) -> Reminder:
    """The wording for one deposit release: due within the window, or already overdue."""
    where = f"“{row.engagement.title}”（委托方：{row.bureau}）的质量保证金"
    if overdue:
        return Reminder(
            kind="deposit.overdue",
            ref=f"contract:{row.contract.id}",
            every=OVERDUE_EVERY_DAYS,
            title=f"质量保证金逾期未释放：{row.engagement.title}",
            body=f"{where}应于 {row.due:%Y-%m-%d} 释放 {row.release_outstanding:,.2f} 元，"
            f"已逾期 {(today - row.due).days} 天。请与委托方联系催收；已到账的请登记释放。",
        )
    return Reminder(
        kind="deposit.due",
        ref=f"contract:{row.contract.id}:{row.due.isoformat()}",
        every=None,
        title=f"质量保证金将于 {row.due:%Y-%m-%d} 到期释放：{row.engagement.title}",
        body=f"{where}应释放 {row.release_outstanding:,.2f} 元，还有 {(row.due - today).days} 天到期"
        f"（{DUE_SOON_DAYS} 日内）。请跟进委托方付款，到账后登记释放。",
    )


def deposit_reminders(db: Session, *, today: date, report: RunReport) -> None:
    """Each lead and admin: releases due within 30 days, and overdue ones, they answer for."""
    for user in _agency_readers(db):
        board = dashboard(db, user=user, today=today)
        rows = [(row, False) for row in board.due_soon] + [(row, True) for row in board.overdue]
        for row, overdue in rows:
            reminder = _deposit_reminder(row, today=today, overdue=overdue)
            report.add(
                reminder.kind,
                _remind(
                    db,
                    users=[user],
                    today=today,
                    reminder=reminder,
                    engagement=row.engagement,
                    link=f"/engagements/{row.engagement.id}/finance",
                ),
            )


def _rectification_reminder(item: RectificationItem, *, today: date, title: str) -> Reminder:
    """The wording for one open rectification item: due within the window, or overdue."""
    problem = item.problem if len(item.problem) <= 40 else item.problem[:40] + "…"
    if item.rectify_due < today:
        return Reminder(
            kind="rectification.overdue",
            ref=f"rectification:{item.id}",
            every=OVERDUE_EVERY_DAYS,
            title=f"整改逾期：{problem}",
            body=(
                f"“{title}”的整改事项“{problem}”应于 {item.rectify_due:%Y-%m-%d} 前"
                f"完成整改，已逾期 {(today - item.rectify_due).days} 天。"
                "请被评价单位尽快报送整改情况及佐证材料。"
            ),
        )
    return Reminder(
        kind="rectification.due",
        ref=f"rectification:{item.id}:{item.rectify_due.isoformat()}",
        every=None,
        title=f"整改期限将至：{problem}",
        body=(
            f"“{title}”的整改事项“{problem}”须于 {item.rectify_due:%Y-%m-%d} 前"
            f"完成整改（还有 {(item.rectify_due - today).days} 天）。"
            "请被评价单位按期报送整改情况及佐证材料。"
        ),
    )


def rectification_reminders(db: Session, *, today: date, report: RunReport) -> None:
    """The unit's contacts and the lead: open rectification items due soon or overdue."""
    horizon = today + timedelta(days=RECTIFICATION_DUE_SOON_DAYS)
    items = db.exec(
        select(RectificationItem)
        .where(
            RectificationItem.status != FollowUpStatus.rectified.value,
            RectificationItem.rectify_due <= horizon,
        )
        .order_by(col(RectificationItem.engagement_id), col(RectificationItem.position))
    ).all()
    engagements: dict[int, Engagement] = {}
    for item in items:
        engagement = engagements.get(item.engagement_id) or db.get(Engagement, item.engagement_id)
        engagements[item.engagement_id] = engagement
        unit_ids = [m.user_id for m in engagement.members if m.role == MemberRole.unit]
        units = list(db.exec(select(User).where(col(User.id).in_(unit_ids))).all())
        reminder = _rectification_reminder(item, today=today, title=engagement.title)
        report.add(
            reminder.kind,
            _remind(
                db,
                users=units + notifications.lead_users(db, engagement),
                today=today,
                reminder=reminder,
                engagement=engagement,
                link=f"/engagements/{engagement.id}/review/rectification",
            ),
        )


def run(db: Session, *, today: date) -> RunReport:
    """Send today's deadline reminders (idempotent for the day)."""
    report = RunReport(today)
    deposit_reminders(db, today=today, report=report)
    rectification_reminders(db, today=today, report=report)
    return report
