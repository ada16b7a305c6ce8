"""Notices that follow a recorded action: each listener reads the audited object and tells the
person who waits for it, in the same transaction (a refused or rolled-back action tells no one).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core.audit import AuditEntry, on_record
from workbench.engagements.models import Engagement
from workbench.fieldwork.models import DocumentRequest, PaperSignoff
from workbench.review.services import notifications


def _users(db: Session, *ids: int | None) -> list[User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return []
    return list(db.exec(select(User).where(col(User.id).in_(wanted))).all())


def _preparer_id(db: Session, paper) -> int | None:
    """Who prepared the paper: the latest 编制 signature, cleared or not, else its creator."""
    found = db.exec(
        select(PaperSignoff.user_id)
        .where(PaperSignoff.paper_id == paper.id, PaperSignoff.level == "prepare")
        .order_by(col(PaperSignoff.signed_at).desc(), col(PaperSignoff.id).desc())
        .limit(1)
    ).first()
    return found or paper.created_by_id


def _paper_link(paper) -> str:
    return f"/engagements/{paper.engagement_id}/papers/{paper.id}"


@on_record("working_paper.return")
def paper_returned(db: Session, *, entry: AuditEntry, obj) -> None:
    engagement = db.get(Engagement, obj.engagement_id)
    reason = (entry.after or {}).get("reason", "")
    notifications.notify(
        db,
        users=[u for u in _users(db, _preparer_id(db, obj)) if u.id != entry.actor_id],
        engagement=engagement,
        kind="paper.returned",
        title=f"工作底稿被退回修改：{obj.label}",
        body=f"{entry.actor_name}退回了您编制的工作底稿“{obj.label}”，退回原因：{reason}。"
        "请修改后重新签字提交复核。",
        link=_paper_link(obj),
    )


@on_record("working_paper.approve")
def paper_approved(db: Session, *, entry: AuditEntry, obj) -> None:
    engagement = db.get(Engagement, obj.engagement_id)
    notifications.notify(
        db,
        users=[u for u in _users(db, _preparer_id(db, obj)) if u.id != entry.actor_id],
        engagement=engagement,
        kind="paper.approved",
        title=f"工作底稿已批准：{obj.label}",
        body=f"{entry.actor_name}已批准您编制的工作底稿“{obj.label}”，三级复核完成。",
        link=_paper_link(obj),
    )


@on_record("document_request.upload")
def request_received(db: Session, *, entry: AuditEntry, obj) -> None:
    request = db.get(DocumentRequest, obj.request_id)
    if request is None:
        return
    engagement = db.get(Engagement, request.engagement_id)
    count = len((entry.after or {}).get("files", []))
    notifications.notify(
        db,
        users=_users(db, request.sent_by_id or request.created_by_id),
        engagement=engagement,
        kind="request.received",
        title=f"收到资料：{request.title}—{obj.name}",
        body=f"{entry.actor_name}就资料清单“{request.title}”中的“{obj.name}”提交了 {count} 个文件，"
        "请及时审阅。",
        link=f"/engagements/{request.engagement_id}/requests/{request.id}",
    )


@on_record("consultation.send")
def consultation_sent(db: Session, *, entry: AuditEntry, obj) -> None:
    engagement = db.get(Engagement, obj.engagement_id)
    due = f"请于 {obj.due_date:%Y年%m月%d日} 前反馈意见。" if obj.due_date else "请及时反馈意见。"
    notifications.notify(
        db,
        users=_users(db, obj.recipient_id),
        engagement=engagement,
        kind="consultation.sent",
        title=f"征求意见稿待您反馈：{engagement.title}",
        body=f"评价机构发来“{engagement.title}”评价报告征求意见稿，{due}"
        + (f"说明：{obj.message}" if obj.message else ""),
        link=f"/engagements/{engagement.id}/consultation",
    )


@on_record("consultation.complete")
def consultation_answered(db: Session, *, entry: AuditEntry, obj) -> None:
    engagement = db.get(Engagement, obj.engagement_id)
    count = (entry.after or {}).get("opinions", 0)
    what = f"提出 {count} 条意见" if count else "无意见"
    notifications.notify(
        db,
        users=notifications.lead_users(db, engagement),
        engagement=engagement,
        kind="consultation.answered",
        title=f"被评价单位已反馈征求意见：{engagement.title}",
        body=f"{entry.actor_name}已完成对征求意见稿的反馈（{what}），请逐条处理并形成意见采纳情况表。",
        link=f"/engagements/{engagement.id}/consultation",
    )
