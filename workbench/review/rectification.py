"""Rectification follow-up (整改): the approved report's problems tracked to their due dates.

The follow-up outlives the archive: the bureau sends the results and the unit rectifies weeks
after the report is approved, so items are created, edited and progressed after 完成归档 too
(each change audited; the archive package's addendum carries them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from flask import current_app, has_app_context
from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit, itemised, itemised_rows
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import local, utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import require_cleared
from workbench.reports.models import DeliverableVersion
from workbench.review import notifications, reading
from workbench.review.models import RectificationItem, RectificationReport, Submission
from workbench.review.saving import flush
from workbench.review.states import (
    FOLLOW_UP_MOVES,
    FOLLOW_UP_NAMES,
    FollowUpStatus,
    ReviewKind,
    SubmissionStatus,
)
from workbench.review.submissions import latest, section_titles

FEEDBACK_DAYS = 20  # the bureau sends the results within 20 days (DOMAIN.md §3)
RECTIFY_DAYS = 30  # the unit rectifies within 30 days of the feedback
STALE = "该整改事项已被他人修改，请刷新后重试"
NOTE_REFUSALS = {  # the headline and the field's message
    itemised.Refusal.note_missing: ("请说明整改情况", "登记已整改须说明整改情况"),
    itemised.Refusal.note_too_long: ("说明过长", "说明不能超过 2000 字"),
}


def default_days() -> tuple[int, int]:
    """Feedback and rectification periods: app config RECTIFICATION_*_DAYS, else 20 and 30."""
    if not has_app_context():
        return FEEDBACK_DAYS, RECTIFY_DAYS
    config = current_app.config
    return (
        int(config.get("RECTIFICATION_FEEDBACK_DAYS", FEEDBACK_DAYS)),
        int(config.get("RECTIFICATION_DAYS", RECTIFY_DAYS)),
    )


def items_of(db: Session, engagement: Engagement) -> list[RectificationItem]:
    return itemised_rows.items_of(
        db, RectificationItem, owner="engagement_id", owner_id=engagement.id, number="position"
    )


def approved_final(db: Session, engagement: Engagement) -> Submission | None:
    final = latest(db, engagement, ReviewKind.final_report)
    return final if final is not None and final.status == SubmissionStatus.approved else None


def candidates(db: Session, engagement: Engagement) -> list[str]:
    """The problems found, read from the approved final report's 'problems' sections."""
    final = approved_final(db, engagement)
    if final is None:
        return []
    version = db.get(DeliverableVersion, final.version_id)
    return reading.extract_problems(version.sections if version else None, section_titles())


def get_item(db: Session, engagement: Engagement, item_id: int) -> RectificationItem:
    return itemised_rows.item_of(
        db, RectificationItem, item_id, owner="engagement_id", owner_id=engagement.id,
        missing="整改事项不存在",
    )  # fmt: skip


def _require_lead(db: Session, engagement: Engagement, actor: User) -> None:
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以维护整改事项")
    require_cleared(db, engagement, actor)


def require_final(db: Session, engagement: Engagement, actor: User) -> Submission:
    """The approved final report items are created from, once the lead may create them."""
    _require_lead(db, engagement, actor)
    final = approved_final(db, engagement)
    if final is None:
        raise Conflict("正式评价报告经委托方审核通过后，方可建立整改跟踪事项")
    return final


def due_dates(
    final: Submission, feedback_due: date | None = None, rectify_due: date | None = None
) -> tuple[date, date]:
    """The dates given, else the create form's defaults: counted from the approval, then on."""
    feedback_days, rectify_days = default_days()
    if feedback_due is None:
        feedback_due = local(final.decided_at).date() + timedelta(days=feedback_days)
    return feedback_due, rectify_due or feedback_due + timedelta(days=rectify_days)


def _item_errors(
    problem: str, requirement: str, feedback_due: date | None, rectify_due: date | None
) -> list[dict]:
    """What is wrong with one item's own fields (the edit form's and an imported row's rules)."""
    errors = []
    if not problem:
        errors.append({"field": "problem", "message": "问题描述不能为空"})
    if len(problem) > 2000 or len(requirement) > 2000:
        errors.append({"field": "problem", "message": "问题描述和整改要求均不能超过 2000 字"})
    if feedback_due is None or rectify_due is None:
        errors.append({"field": "feedback_due", "message": "请填写反馈期限和整改期限"})
    elif rectify_due < feedback_due:
        errors.append({"field": "rectify_due", "message": "整改期限不能早于反馈期限"})
    return errors


def _days(value: int | None, field: str, label: str, errors: list[dict]) -> int:
    if value is None or not 1 <= value <= 365:
        errors.append({"field": field, "message": f"{label}须为 1–365 天"})
        return 1
    return value


def create_items(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    text: str,
    base_date: date | None = None,
    feedback_days: int | None = None,
    rectify_days: int | None = None,
) -> list[RectificationItem]:
    """One follow-up item per line ("问题 | 整改要求"), due feedback_days and then rectify_days later."""
    final = require_final(db, engagement, actor)
    defaults = default_days()
    errors: list[dict] = []
    feedback_days = _days(
        defaults[0] if feedback_days is None else feedback_days, "feedback_days", "反馈期限", errors
    )
    rectify_days = _days(
        defaults[1] if rectify_days is None else rectify_days, "rectify_days", "整改期限", errors
    )
    rows = []
    for line in itemised.split_lines(text, maxsplit=1):
        n, problem, requirement = line.number, line.cell(0), line.cell(1)
        if not problem:
            errors.append({"row": n, "field": "problems", "message": f"第 {n} 行缺少问题描述"})
        elif len(problem) > 2000 or len(requirement) > 2000:
            errors.append({"row": n, "field": "problems", "message": f"第 {n} 行超过 2000 字"})
        rows.append((problem, requirement))
    if not rows and not errors:
        errors.append({"field": "problems", "message": "请至少填写一个问题（每行一个）"})
    if errors:
        raise ValidationFailed("整改事项有误", details=errors)
    start = base_date or local(final.decided_at).date()
    feedback_due = start + timedelta(days=feedback_days)
    rectify_due = feedback_due + timedelta(days=rectify_days)
    positions = itemised.numbers_after(len(items_of(db, engagement)), len(rows))
    created = []
    for position, (problem, requirement) in zip(positions, rows, strict=True):
        item = RectificationItem(
            engagement_id=engagement.id,
            submission_id=final.id,
            position=position,
            problem=problem,
            requirement=requirement,
            feedback_due=feedback_due,
            rectify_due=rectify_due,
            created_by_id=actor.id,
        )
        db.add(item)
        created.append(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review.rectification_create",
        object_type="rectification_item",
        engagement_id=engagement.id,
        after={"problems": [p for p, _ in rows], "feedback_due": feedback_due,
               "rectify_due": rectify_due},
        summary=f"建立 {len(created)} 项整改跟踪事项",
    )  # fmt: skip
    announce(db, engagement=engagement, items=created)
    return created


def add_item(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    problem: str,
    requirement: str = "",
    feedback_due: date | None = None,
    rectify_due: date | None = None,
) -> RectificationItem:
    """One item with its own due dates (an imported row); announce() tells the bureau and unit.

    A date left out is the create form's default: feedback due the configured days after the
    approval, rectification the configured days after the feedback.
    """
    final = require_final(db, engagement, actor)
    problem, requirement = (problem or "").strip(), (requirement or "").strip()
    feedback_due, rectify_due = due_dates(final, feedback_due, rectify_due)
    errors = _item_errors(problem, requirement, feedback_due, rectify_due)
    if errors:
        raise ValidationFailed("整改事项有误", details=errors)
    item = RectificationItem(
        engagement_id=engagement.id,
        submission_id=final.id,
        position=itemised.numbers_after(len(items_of(db, engagement)), 1)[0],
        problem=problem,
        requirement=requirement,
        feedback_due=feedback_due,
        rectify_due=rectify_due,
        created_by_id=actor.id,
    )
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review.rectification_create",
        obj=item,
        engagement_id=engagement.id,
        after=audit.snapshot(item, ["problem", "requirement", "feedback_due", "rectify_due"]),
        summary=problem[:100],
    )
    return item


def announce(db: Session, *, engagement: Engagement, items: Sequence[RectificationItem]) -> None:
    """Tell the bureau the items were created, and ask the unit to report on them by their dates."""
    if not items:
        return
    dues = {(i.feedback_due, i.rectify_due) for i in items}
    if len(dues) == 1:
        [(feedback_due, rectify_due)] = dues
        body = f"反馈期限 {feedback_due:%Y-%m-%d}，整改期限 {rectify_due:%Y-%m-%d}。"
    else:
        body = (
            f"最早的反馈期限 {min(f for f, _ in dues):%Y-%m-%d}，"
            f"最早的整改期限 {min(r for _, r in dues):%Y-%m-%d}，各项期限见整改清单。"
        )
    notifications.notify(
        db,
        users=notifications.bureau_users(db, engagement),
        engagement=engagement,
        kind="review.rectification",
        title=f"{engagement.title}：已建立 {len(items)} 项整改跟踪事项",
        body=body,
        link=f"/engagements/{engagement.id}/review/rectification",
    )
    notifications.notify(
        db,
        users=notifications.unit_users(db, engagement),
        engagement=engagement,
        kind="review.rectification",
        title=f"{engagement.title}：请按期反馈 {len(items)} 项问题的整改情况",
        body=body,
        link=f"/engagements/{engagement.id}/rectification/unit",
    )


def open_items(db: Session, engagement: Engagement) -> list[RectificationItem]:
    """Items not yet confirmed rectified (the archive gate warns or blocks on them)."""
    rectified = FollowUpStatus.rectified
    return list(
        itemised.progress(items_of(db, engagement), answered=lambda i: i.status == rectified).open
    )


def update_item(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    item_id: int,
    problem: str,
    requirement: str,
    feedback_due: date | None,
    rectify_due: date | None,
    version: int,
) -> RectificationItem:
    """The lead edits an item's problem, requirement and due dates."""
    _require_lead(db, engagement, actor)
    item = get_item(db, engagement, item_id)
    require_version(version, item.version, stale=STALE)
    problem, requirement = (problem or "").strip(), (requirement or "").strip()
    errors = _item_errors(problem, requirement, feedback_due, rectify_due)
    if errors:
        raise ValidationFailed("整改事项有误", details=errors)
    fields = ["problem", "requirement", "feedback_due", "rectify_due"]
    before = audit.snapshot(item, fields)
    item.problem, item.requirement = problem, requirement
    item.feedback_due, item.rectify_due = feedback_due, rectify_due
    item.updated_by_id, item.updated_at = actor.id, utcnow()
    db.add(item)
    flush(db, STALE)
    audit.record(
        db,
        actor=actor,
        action="review.rectification_update",
        obj=item,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(item, fields),
        summary=problem[:100],
    )
    return item


def record_progress(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    item_id: int,
    status: str,
    note: str,
    version: int,
) -> RectificationItem:
    """The lead or the bureau records feedback received or rectification done."""
    authorize(
        actor, "review.follow_up", engagement, message="只有项目负责人和委托方可以登记整改进展"
    )
    if engagement.can_manage(actor):
        require_cleared(db, engagement, actor)
    item = get_item(db, engagement, item_id)
    require_version(version, item.version, stale=STALE)
    refusal = itemised.refuse_choice(item.status, status, FOLLOW_UP_MOVES)
    if refusal == itemised.Refusal.unknown_choice:
        raise ValidationFailed.of_field("status", "状态无效")
    if refusal:
        raise Conflict(
            f"整改事项当前为“{FOLLOW_UP_NAMES[FollowUpStatus(item.status)]}”，"
            f"不能改为“{FOLLOW_UP_NAMES[FollowUpStatus(status)]}”"
        )
    note = (note or "").strip()
    refusal = itemised.refuse_note(
        status, note, required_for={FollowUpStatus.rectified}, limit=2000
    )
    if refusal:
        headline, message = NOTE_REFUSALS[refusal]
        raise ValidationFailed(headline, details=[{"field": "note", "message": message}])
    before = {"status": item.status}
    now = utcnow()
    if status == FollowUpStatus.feedback_received:
        item.feedback_note, item.feedback_at = note, now
    else:
        item.rectified_note, item.rectified_at = note, now
    item.status = status
    item.updated_by_id, item.updated_at = actor.id, now
    db.add(item)
    flush(db, STALE)
    audit.record(
        db,
        actor=actor,
        action="review.rectification_progress",
        obj=item,
        engagement_id=engagement.id,
        before=before,
        after={"status": status, "note": note},
        summary=f"{FOLLOW_UP_NAMES[FollowUpStatus(status)]}：{item.problem[:80]}",
    )
    return item


def delete_item(db: Session, *, actor: User, engagement: Engagement, item_id: int) -> None:
    """The lead removes an item created by mistake (only while nothing was recorded on it)."""
    _require_lead(db, engagement, actor)
    item = get_item(db, engagement, item_id)
    if itemised.refuse_edit(answered=item.status != FollowUpStatus.open):
        raise Conflict("已登记进展的整改事项不能删除")
    reported = db.exec(
        select(RectificationReport.id).where(RectificationReport.item_id == item.id)
    ).first()
    if reported is not None:
        raise Conflict("被评价单位已报送整改情况的事项不能删除")
    audit.record(
        db,
        actor=actor,
        action="review.rectification_delete",
        obj=item,
        engagement_id=engagement.id,
        before=audit.snapshot(item, ["problem", "requirement", "feedback_due", "rectify_due"]),
    )
    db.delete(item)
    db.flush()
