"""Review kinds, submission and follow-up statuses, the timeline and overdue rules (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from workbench.core import itemised


class ReviewKind(StrEnum):
    """What goes to the bureau: the plan, the draft report and the final report."""

    plan = "plan"
    draft_report = "draft_report"
    final_report = "final_report"


REVIEW_KIND_NAMES = {
    ReviewKind.plan: "评价工作方案",
    ReviewKind.draft_report: "评价报告初稿",
    ReviewKind.final_report: "正式评价报告",
}

# DeliverableVersion kinds each review kind may carry (the ex-ante report is a report too).
REPORT_VERSION_KINDS = ("report", "ex_ante_report")
VERSION_KINDS: dict[ReviewKind, tuple[str, ...]] = {
    ReviewKind.plan: ("plan",),
    ReviewKind.draft_report: REPORT_VERSION_KINDS,
    ReviewKind.final_report: REPORT_VERSION_KINDS,
}


def review_kinds_of(version_kind: str) -> list[ReviewKind]:
    """The review kinds a deliverable-version kind can be submitted as."""
    return [kind for kind, kinds in VERSION_KINDS.items() if version_kind in kinds]


def parse_review_kind(value: str, *, stage: str = "") -> ReviewKind | None:
    """A review kind from user input; plain `report` means final at bureau review, else draft."""
    text = (value or "").strip()
    if text in ("report", "ex_ante_report"):
        late = stage in ("bureau_review", "archive")
        return ReviewKind.final_report if late else ReviewKind.draft_report
    return ReviewKind(text) if text in ReviewKind.__members__ else None


class SubmissionStatus(StrEnum):
    submitted = "submitted"
    returned = "returned"
    approved = "approved"


STATUS_NAMES = {
    SubmissionStatus.submitted: "待审核",
    SubmissionStatus.returned: "已退回",
    SubmissionStatus.approved: "已通过",
}


class Decision(StrEnum):
    approve = "approve"
    return_ = "return"


DECISION_NAMES = {Decision.approve: "审核通过", Decision.return_: "退回修改"}


@dataclass(frozen=True)
class Event:
    """One step of a deliverable's timeline."""

    at: datetime
    label: str
    detail: str
    submission_id: int
    status: str


def timeline(submissions: Iterable[Any], comment_counts: dict[int, int]) -> list[Event]:
    """Submitted → returned (with comments) → resubmitted → approved, oldest first."""
    events: list[Event] = []
    for sub in sorted(submissions, key=lambda s: (s.round, s.id)):
        label = "提交审核" if sub.round == 1 else f"第 {sub.round} 次提交（修改后重新提交）"
        detail = f"第 {sub.version_number} 版"
        events.append(Event(sub.submitted_at, label, detail, sub.id, SubmissionStatus.submitted))
        if sub.status == SubmissionStatus.returned and sub.decided_at is not None:
            count = comment_counts.get(sub.id, 0)
            events.append(
                Event(sub.decided_at, "委托方退回", f"{count} 条审核意见", sub.id, sub.status)
            )
        elif sub.status == SubmissionStatus.approved and sub.decided_at is not None:
            events.append(Event(sub.decided_at, "委托方审核通过", detail, sub.id, sub.status))
    return events


class FollowUpStatus(StrEnum):
    """Rectification follow-up (整改): stored statuses; overdue is derived from the dates."""

    open = "open"
    feedback_received = "feedback_received"
    rectified = "rectified"


FOLLOW_UP_NAMES = {
    FollowUpStatus.open: "待反馈",
    FollowUpStatus.feedback_received: "已反馈，整改中",
    FollowUpStatus.rectified: "已整改",
}

FOLLOW_UP_MOVES = {
    FollowUpStatus.open: {FollowUpStatus.feedback_received, FollowUpStatus.rectified},
    FollowUpStatus.feedback_received: {FollowUpStatus.rectified},
    FollowUpStatus.rectified: set(),
}


class UnitReportKind(StrEnum):
    """What the evaluated unit reports on a rectification item from its own page."""

    feedback = "feedback"
    progress = "progress"
    done = "done"


UNIT_REPORT_NAMES = {
    UnitReportKind.feedback: "整改反馈",
    UnitReportKind.progress: "整改进展",
    UnitReportKind.done: "申报整改完成",
}

OVERDUE_FEEDBACK = "overdue_feedback"
OVERDUE_RECTIFY = "overdue_rectify"
SHOWN_NAMES = {
    **{k.value: v for k, v in FOLLOW_UP_NAMES.items()},
    OVERDUE_FEEDBACK: "逾期未反馈",
    OVERDUE_RECTIFY: "逾期未整改",
}


def follow_up_state(status: str, feedback_due: date, rectify_due: date, today: date) -> str:
    """The status shown: the stored one, or overdue when a due date has passed unmet."""
    if status == FollowUpStatus.rectified:
        return status
    if today > rectify_due:
        return OVERDUE_RECTIFY
    if status == FollowUpStatus.open and today > feedback_due:
        return OVERDUE_FEEDBACK
    return status


def can_move(current: str, target: str) -> bool:
    return itemised.refuse_choice(current, target, FOLLOW_UP_MOVES) is None
