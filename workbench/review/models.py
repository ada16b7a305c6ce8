"""Bureau review: submissions, comments, quality rubrics and ratings, notifications, follow-up."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow
from workbench.review.states import (
    REVIEW_KIND_NAMES,
    STATUS_NAMES,
    ReviewKind,
    SubmissionStatus,
)

_submission_version = version_column()


class Submission(SQLModel, table=True):
    """One deliverable version sent to the bureau; round N of that deliverable's review."""

    __tablename__ = "review_submission"
    __table_args__ = (
        UniqueConstraint("engagement_id", "kind", "round", name="uq_review_submission_round"),
        Index("ix_review_submission_engagement_kind", "engagement_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id")
    kind: str = Field(max_length=20)  # ReviewKind
    version_id: int = Field(foreign_key="deliverable_version.id")
    version_number: int  # copied for the timeline: "第 N 版"
    round: int = 1
    status: str = Field(default=SubmissionStatus.submitted, max_length=20, index=True)
    note: str = Field(default="", max_length=2000)  # the agency's cover note
    submitted_by_id: int = Field(foreign_key="user.id")
    submitted_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    decision_note: str = Field(default="", max_length=4000)
    version: int = Field(default=1, sa_column=_submission_version)

    __mapper_args__ = {"version_id_col": _submission_version}

    @property
    def kind_name(self) -> str:
        return REVIEW_KIND_NAMES[ReviewKind(self.kind)]

    @property
    def status_name(self) -> str:
        if self.status == SubmissionStatus.submitted and self.round > 1:
            return "已重新提交，待审核"
        return STATUS_NAMES[SubmissionStatus(self.status)]

    @property
    def pending(self) -> bool:
        return self.status == SubmissionStatus.submitted


_comment_version = version_column()


class ReviewComment(SQLModel, table=True):
    """A bureau reviewer's comment on a submission, anchored to a section and paragraph."""

    __tablename__ = "review_comment"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="review_submission.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    section_key: str = Field(default="", max_length=100)  # "" = the deliverable as a whole
    section_title: str = Field(default="", max_length=200)
    paragraph: int | None = None  # 1-based within the section
    quote: str = Field(default="", max_length=300)  # the paragraph's opening words
    body: str = Field(max_length=4000)
    author_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    answer: str = Field(default="", max_length=4000)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = None
    version: int = Field(default=1, sa_column=_comment_version)

    __mapper_args__ = {"version_id_col": _comment_version}

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip())

    @property
    def anchor(self) -> str:
        if not self.section_key:
            return "总体意见"
        where = self.section_title or self.section_key
        return f"{where} 第 {self.paragraph} 段" if self.paragraph else where


_rubric_version = version_column()


class QualityRubric(SQLModel, table=True):
    """An agency's own rating rubric: firm-wide (no bureau) or a bureau's override."""

    __tablename__ = "quality_rubric"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    bureau_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    definition: dict = Field(default_factory=dict, sa_column=Column(JSON))  # rubrics.rubric_to_data
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_rubric_version)

    __mapper_args__ = {"version_id_col": _rubric_version}

    def visible_to(self, user) -> bool:
        return bool(getattr(user, "is_admin", False)) and user.org_id == self.agency_id


_rating_version = version_column()


class QualityRating(SQLModel, table=True):
    """The bureau's quality rating of the agency for one engagement (with the rubric used)."""

    __tablename__ = "quality_rating"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    rubric_ref: str = Field(max_length=40)  # builtin:<key> or db:<id>
    rubric_name: str = Field(max_length=100)
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSON))  # snapshot when rated
    scores: dict = Field(default_factory=dict, sa_column=Column(JSON))  # {item key: "12.50"}
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON))  # {deduction key: n}
    deducted: Decimal = Field(default=Decimal("0.00"), sa_type=DecimalType(2))
    total: Decimal = Field(sa_type=DecimalType(2))
    comment: str = Field(default="", max_length=4000)
    rated_by_id: int = Field(foreign_key="user.id")
    rated_at: datetime = Field(default_factory=utcnow)
    # What finance computed from the score (agency-only): fraction, amount, due date…
    deposit: dict | None = Field(default=None, sa_column=Column(JSON))
    version: int = Field(default=1, sa_column=_rating_version)

    __mapper_args__ = {"version_id_col": _rating_version}


class Notification(SQLModel, table=True):
    """An in-app message for one user (also e-mailed when SMTP is configured)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    engagement_id: int | None = Field(default=None, foreign_key="engagement.id", index=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=2000)
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None

    def visible_to(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.id == self.user_id


_item_version = version_column()


class RectificationItem(SQLModel, table=True):
    """A problem found by the report, followed up until rectified (整改)."""

    __tablename__ = "rectification_item"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    submission_id: int | None = Field(default=None, foreign_key="review_submission.id")
    position: int = 0
    problem: str = Field(max_length=2000)
    requirement: str = Field(default="", max_length=2000)  # 整改要求/建议
    feedback_due: date
    rectify_due: date
    status: str = Field(default="open", max_length=20)  # FollowUpStatus; overdue is derived
    feedback_note: str = Field(default="", max_length=2000)
    feedback_at: datetime | None = None
    rectified_note: str = Field(default="", max_length=2000)
    rectified_at: datetime | None = None
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_item_version)

    __mapper_args__ = {"version_id_col": _item_version}


class RectificationReport(SQLModel, table=True):
    """The evaluated unit's own account of a rectification item: feedback, progress or done."""

    __tablename__ = "rectification_report"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    item_id: int = Field(foreign_key="rectification_item.id", index=True)
    kind: str = Field(max_length=20)  # states.UnitReportKind
    text: str = Field(max_length=2000)
    author_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class RectificationEvidence(SQLModel, table=True):
    """A file the unit attached to its rectification report (stored content-addressed)."""

    __tablename__ = "rectification_evidence"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    report_id: int = Field(foreign_key="rectification_report.id", index=True)
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    name: str = Field(max_length=255)
    mime: str = Field(max_length=120)
    size: int
    uploaded_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ArchiveSeal(SQLModel, table=True):
    """The archive package as it stood at 完成归档, kept so later exports add to it, never redo it."""

    __tablename__ = "archive_seal"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)  # the sealed zip
    manifest_sha256: str = Field(max_length=64)  # of its manifest.json, the chain's first link
    sealed_at: datetime = Field(default_factory=utcnow)
