"""The plan stage's bureau condition: the latest plan version approved by the bureau in the app."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.core.timeutil import local
from workbench.engagements.models import Engagement
from workbench.engagements.stages import DerivedItem, Stage, registry
from workbench.reports.models import DeliverableVersion
from workbench.review.states import ReviewKind, SubmissionStatus
from workbench.review.submissions import latest

TEXT = "评价工作方案已经委托方审核通过"


def _newest_plan(db: Session, engagement: Engagement) -> DeliverableVersion | None:
    return db.exec(
        select(DeliverableVersion)
        .where(DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == "plan")
        .order_by(col(DeliverableVersion.number).desc())
    ).first()


@registry.derived(Stage.plan)
def plan_approval(db: Session, engagement: Engagement) -> list[DerivedItem]:
    """Approved when the bureau approved the newest plan version; returned or pending blocks."""
    review = f"/engagements/{engagement.id}/review"
    newest = _newest_plan(db, engagement)
    sub = latest(db, engagement, ReviewKind.plan)
    if newest is None:
        return [
            DerivedItem(TEXT, False, "尚未生成评价工作方案", f"/engagements/{engagement.id}/plan")
        ]
    if sub is None:
        return [DerivedItem(TEXT, False, "评价工作方案尚未提交委托方审核", review)]
    link = f"{review}/submissions/{sub.id}"
    if sub.status == SubmissionStatus.submitted:
        detail = f"第 {sub.version_number} 版正在委托方审核中"
        return [DerivedItem(TEXT, False, detail, link)]
    if sub.status == SubmissionStatus.returned:
        detail = f"第 {sub.version_number} 版被委托方退回，须回复审核意见、修改后重新提交"
        return [DerivedItem(TEXT, False, detail, link)]
    if sub.version_id != newest.id:
        detail = (
            f"委托方审核通过的是第 {sub.version_number} 版，之后又生成了第 {newest.number} 版，"
            "须将最新版本提交委托方审核"
        )
        return [DerivedItem(TEXT, False, detail, review)]
    when = local(sub.decided_at).strftime("%Y-%m-%d") if sub.decided_at else ""  # Beijing date
    return [DerivedItem(TEXT, True, f"第 {sub.version_number} 版，{when} 审核通过", link)]
