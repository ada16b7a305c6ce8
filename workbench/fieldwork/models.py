"""Working papers, their templates, indicators, findings, review chain; evidence and requests."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow
from workbench.fieldwork.request_models import DocumentRequest, Evidence, RequestItem
from workbench.fieldwork.request_models import ItemStatus as ItemStatus  # the tables' vocabulary
from workbench.fieldwork.review_rules import STATUS_BADGES, STATUS_NAMES, Status

__all__ = [
    "DocumentRequest",
    "Evidence",
    "Finding",
    "FindingEvidence",
    "PaperIndicator",
    "PaperSignoff",
    "PaperTemplate",
    "RequestItem",
    "ReviewNote",
    "WorkingPaper",
]

_template_version = version_column()


class PaperTemplate(SQLModel, table=True):
    """An agency's own working-paper template (shipped ones live in paper_templates/*.yaml)."""

    __tablename__ = "paper_template"
    __table_args__ = (UniqueConstraint("agency_id", "key", name="uq_paper_template_key"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    key: str = Field(max_length=40)
    name: str = Field(max_length=60)
    stage: str = Field(max_length=30)
    area: str = Field(max_length=2)
    spec: dict = Field(default_factory=dict, sa_column=Column(JSON))  # the documented format
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_template_version)

    __mapper_args__ = {"version_id_col": _template_version}

    def visible_to(self, user) -> bool:
        """Administration: only its own agency's admins know the template (else 404)."""
        return bool(getattr(user, "is_admin", False)) and user.org_id == self.agency_id


_paper_version = version_column()


class WorkingPaper(SQLModel, table=True):
    """One working paper (工作底稿) of an engagement, numbered like D-03-02."""

    __tablename__ = "working_paper"
    __table_args__ = (
        UniqueConstraint("engagement_id", "index_no", name="uq_working_paper_index"),
        Index("ix_working_paper_engagement_status", "engagement_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    index_no: str = Field(max_length=12)
    stage: str = Field(max_length=30)
    area: str = Field(max_length=2)
    seq: int
    template_key: str = Field(max_length=40)
    template_name: str = Field(max_length=60)
    spec: dict = Field(default_factory=dict, sa_column=Column(JSON))  # template snapshot
    title: str = Field(max_length=200)
    values: dict = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=Status.draft.value, max_length=12)
    edited_after_review: bool = False
    returned_reason: str = Field(default="", max_length=1000)
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1, sa_column=_paper_version)

    __mapper_args__ = {"version_id_col": _paper_version}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[Status(self.status)]

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[Status(self.status)]

    @property
    def label(self) -> str:
        return f"{self.index_no} {self.title}"


class PaperIndicator(SQLModel, table=True):
    """A paper supports an indicator (many-to-many)."""

    __tablename__ = "paper_indicator"

    paper_id: int = Field(foreign_key="working_paper.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(
        foreign_key="indicator.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class PaperSignoff(SQLModel, table=True):
    """A sign-off at one level, with the SHA-256 of the content signed; cleared ones stay as history."""

    __tablename__ = "paper_signoff"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="working_paper.id", index=True)
    level: str = Field(max_length=10)
    user_id: int = Field(foreign_key="user.id", index=True)
    signed_at: datetime = Field(default_factory=utcnow)
    content_hash: str = Field(max_length=64)
    comment: str = Field(default="", max_length=1000)
    cleared_at: datetime | None = None
    cleared_reason: str = Field(default="", max_length=200)

    @property
    def active(self) -> bool:
        return self.cleared_at is None


class ReviewNote(SQLModel, table=True):
    """A review note (复核意见) or a reply to one; a thread's first note is open or resolved."""

    __tablename__ = "review_note"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="working_paper.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="review_note.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    text: str = Field(max_length=4000)
    status: str = Field(default="open", max_length=10)  # open | resolved (threads); reply
    created_at: datetime = Field(default_factory=utcnow)
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = None


class Finding(SQLModel, table=True):
    """A finding (发现的问题) on a paper; it may deduct points or judge a 评价要点 of an indicator."""

    __tablename__ = "paper_finding"

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="working_paper.id", index=True)
    indicator_id: int | None = Field(
        default=None, foreign_key="indicator.id", index=True, ondelete="SET NULL"
    )
    kind: str = Field(default="observation", max_length=12)  # observation | deduction | element
    text: str = Field(max_length=2000)
    points: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # deduction
    element_index: int | None = None  # 1-based 评价要点
    met: Decimal | None = Field(default=None, sa_type=DecimalType(4))  # in [0, 1]
    money: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # 涉及金额（元）
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class FindingEvidence(SQLModel, table=True):
    """The evidence a finding rests on."""

    __tablename__ = "finding_evidence"

    finding_id: int = Field(foreign_key="paper_finding.id", primary_key=True, ondelete="CASCADE")
    evidence_id: int = Field(
        foreign_key="evidence.id", primary_key=True, index=True, ondelete="CASCADE"
    )


# The firm's per-stage paper requirements live in their own module (table discovered here).
from workbench.fieldwork.stage_paper_models import StagePaperSetting  # noqa: E402,F401
