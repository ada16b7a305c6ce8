"""Gates of the `bureau_review` and `archive` stages; registers the under-review lock check."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.review import (
    archive_followup,  # noqa: F401 - registers the rectification check
    locking,  # noqa: F401 - registers the lock check with reports
    plan_gate,  # noqa: F401 - registers the plan's bureau condition
    seal,  # noqa: F401 - seals the archive package at 完成归档
)
from workbench.review.archive_checklist import checklist
from workbench.review.rating import get as get_rating
from workbench.review.states import ReviewKind, SubmissionStatus
from workbench.review.submissions import latest


@registry.gate(Stage.bureau_review)
def bureau_review_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """The final report approved by the bureau and the quality rating recorded."""
    link = f"/engagements/{engagement.id}/review"
    final = latest(db, engagement, ReviewKind.final_report)
    blockers = []
    if final is None:
        blockers.append(Blocker("正式评价报告尚未提交委托方审核", link))
    elif final.status == SubmissionStatus.submitted:
        blockers.append(Blocker("正式评价报告正在委托方审核中", link))
    elif final.status == SubmissionStatus.returned:
        blockers.append(Blocker("正式评价报告被委托方退回，请回复意见并修改后重新提交", link))
    if get_rating(db, engagement) is None:
        blockers.append(Blocker("委托方尚未完成质量考核", f"{link}/rating"))
    return blockers


@registry.gate(Stage.archive)
def archive_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """Every item of the archive checklist present."""
    return [
        Blocker(f"{i.label}：{i.detail}", i.link) for i in checklist(db, engagement) if not i.ok
    ]
