"""Nothing under review can be edited: the lock check the reports domain consults."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.core.errors import Locked
from workbench.engagements.models import Engagement
from workbench.reports.services import lock_check
from workbench.review.models import Submission
from workbench.review.states import (
    REVIEW_KIND_NAMES,
    ReviewKind,
    SubmissionStatus,
    review_kinds_of,
)


def _review_kinds(kind: str) -> list[ReviewKind]:
    if kind in ReviewKind.__members__:
        return [ReviewKind(kind)]
    return review_kinds_of(kind)


@lock_check
def under_review(db: Session, engagement: Engagement, kind: str) -> str | None:
    """Why a deliverable of this kind is locked: a version awaits the bureau, or the final is approved."""
    kinds = _review_kinds(kind)
    if not kinds:
        return None
    rows = db.exec(
        select(Submission)
        .where(
            Submission.engagement_id == engagement.id,
            col(Submission.kind).in_([k.value for k in kinds]),
            col(Submission.status).in_([SubmissionStatus.submitted, SubmissionStatus.approved]),
        )
        .order_by(col(Submission.id))
    ).all()
    for row in rows:
        name = REVIEW_KIND_NAMES[ReviewKind(row.kind)]
        if row.status == SubmissionStatus.submitted:
            return f"{name}（第 {row.version_number} 版）已提交委托方审核，审核结束前不能修改"
    for row in rows:
        if row.kind == ReviewKind.final_report:
            return "正式评价报告已经委托方审核通过，不能再修改"
    return None


def ensure_editable(db: Session, engagement: Engagement, kind: str) -> None:
    """Refuse an edit of a deliverable that is under review (services call this, not only pages)."""
    reason = under_review(db, engagement, kind)
    if reason:
        raise Locked(reason)
