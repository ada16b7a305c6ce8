"""Comments on a report or plan section: list, add (team or expert) and resolve, audited."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports.models import ReportSection, SectionComment


def comments(db: Session, section: ReportSection) -> list[SectionComment]:
    return list(
        db.exec(
            select(SectionComment)
            .where(SectionComment.section_id == section.id)
            .order_by(col(SectionComment.id))
        ).all()
    )


def add_comment(
    db: Session, *, actor: User, engagement: Engagement, section: ReportSection, body: str
) -> SectionComment:
    """A comment on a section by a team member or an expert of the engagement."""
    ensure_writable(engagement)
    require_cleared(db, engagement, actor)
    body = (body or "").strip()
    if not body or len(body) > 2000:
        raise ValidationFailed(
            "批注内容无效", details=[{"field": "body", "message": "批注不能为空，且不超过2000字"}]
        )
    comment = SectionComment(
        section_id=section.id, engagement_id=engagement.id, author_id=actor.id, body=body
    )
    db.add(comment)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.comment.add",
        obj=comment,
        engagement_id=engagement.id,
        after={"section": section.key, "body": body},
        summary=body[:100],
    )
    return comment


def resolve_comment(
    db: Session, *, actor: User, engagement: Engagement, comment_id: int
) -> SectionComment:
    ensure_writable(engagement)
    comment = db.get(SectionComment, comment_id)
    if comment is None or comment.engagement_id != engagement.id:
        raise NotFound("批注不存在")
    if comment.resolved_at is not None:
        raise Conflict("该批注已处理")
    comment.resolved_by_id, comment.resolved_at = actor.id, utcnow()
    db.add(comment)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.comment.resolve",
        obj=comment,
        engagement_id=engagement.id,
        summary=comment.body[:100],
    )
    return comment
