"""Deliverable versions (every generated file), narrative sections with versions, comments and
sign-offs, the plan/report settings, and the consultation with the unit's opinions."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.stages import STAGE_NAMES


class DeliverableKind(StrEnum):
    plan = "plan"  # 评价工作方案
    report = "report"  # 评价报告（初稿/征求意见稿/正式报告 are stages of the same deliverable）
    ex_ante_report = "ex_ante_report"
    score_sheet = "score_sheet"
    opinion_table = "opinion_table"
    archive = "archive"
    public_report = (
        "public_report"  # 公开版: the report without internal sections and personal data
    )


PDF_STALE = timedelta(minutes=10)  # a conversion pending longer than this is taken as lost
JOB_STALE = timedelta(minutes=30)  # a page stops polling a job silent for this long
PDF_JOB = "pdf"  # the GenerationJob kind of a conversion to PDF

KIND_NAMES = {
    DeliverableKind.plan: "评价工作方案",
    DeliverableKind.report: "评价报告",
    DeliverableKind.ex_ante_report: "事前绩效评估报告",
    DeliverableKind.score_sheet: "评分表",
    DeliverableKind.opinion_table: "意见采纳情况表",
    DeliverableKind.archive: "档案包",
    DeliverableKind.public_report: "评价报告（公开版）",
}
CONSULTATION_LABEL = "征求意见稿"  # the label of the report versions sent for consultation


def report_kind(engagement: Engagement) -> DeliverableKind:
    """The DeliverableVersion kind of the engagement's report."""
    return (
        DeliverableKind.ex_ante_report if engagement.type == "ex_ante" else DeliverableKind.report
    )


class DeliverableVersion(SQLModel, table=True):
    """One generated file of a deliverable: number N of its kind in the engagement, immutable."""

    __tablename__ = "deliverable_version"
    __table_args__ = (
        UniqueConstraint("engagement_id", "kind", "number", name="uq_deliverable_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    kind: str = Field(max_length=30)
    number: int
    label: str = Field(default="", max_length=60)  # e.g. 初稿, 征求意见稿, 送审稿, 正式稿
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    filename: str = Field(max_length=200)
    mime: str = Field(max_length=120)
    size: int
    pdf_sha256: str | None = Field(default=None, foreign_key="blob.sha256", max_length=64)
    # The PDF conversion runs in the background: "" (none/done), pending or failed.
    pdf_status: str = Field(default="", max_length=10)
    pdf_error: str = Field(default="", max_length=500)
    pdf_requested_at: datetime | None = None
    stage: str = Field(max_length=30)  # the engagement's stage when generated
    generated_by_id: int | None = Field(default=None, foreign_key="user.id")
    generated_at: datetime = Field(default_factory=utcnow)
    sections: dict | None = Field(
        default=None, sa_column=Column(JSON)
    )  # narrative text at generation
    figures: dict | None = Field(
        default=None, sa_column=Column(JSON)
    )  # total, grade… at generation

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(DeliverableKind(self.kind), self.kind)

    @property
    def stage_name(self) -> str:
        """The engagement stage at generation, in Chinese (a retired key shows as recorded)."""
        return STAGE_NAMES.get(self.stage, self.stage)

    @property
    def pdf_pending(self) -> bool:
        """A conversion is running (one requested long ago is taken as lost: it may be retried)."""
        requested = self.pdf_requested_at
        if self.pdf_status != "pending" or requested is None:
            return False
        requested = requested if requested.tzinfo else requested.replace(tzinfo=UTC)
        return utcnow() - requested < PDF_STALE


class GenerationJob(SQLModel, table=True):
    """A page's request for background work on a document — generate one (`kind` is what is
    generated) or convert a version to PDF (`kind` "pdf", `version_id` the .docx) — run by the
    queue's worker; the page polls it. Claimed, retried and swept as workbench/core/job_rows.py says.
    """

    __tablename__ = "report_job"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    kind: str = Field(max_length=30)  # plan, report, score_sheet, opinion_table; or pdf
    label: str = Field(default="", max_length=60)
    status: str = Field(default="pending", max_length=10)  # pending | done | failed
    error: str = Field(default="", max_length=1000)
    version_id: int | None = Field(default=None, foreign_key="deliverable_version.id")
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    started_at: datetime | None = None  # the running attempt's start
    next_attempt_at: datetime | None = Field(default_factory=utcnow)  # due, while it waits
    finished_at: datetime | None = None

    @property
    def kind_name(self) -> str:
        """What is being generated, as the page names it (评价报告, 意见采纳情况表…)."""
        return KIND_NAMES.get(self.kind, "PDF" if self.kind == PDF_JOB else self.kind)

    @property
    def running(self) -> bool:
        """Pending and alive (a job silent for long is taken as lost: the page stops polling)."""
        times = (self.requested_at, self.started_at, self.next_attempt_at)
        last = max(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times if t)
        return self.status == "pending" and utcnow() - last < JOB_STALE


# --- narrative sections (drafting in the app) ------------------------------------------------

_section_version = version_column()


class ReportSection(SQLModel, table=True):
    """One outline section of the plan or the report: its current sanitized text and assignee."""

    __tablename__ = "report_section"
    __table_args__ = (
        UniqueConstraint("engagement_id", "deliverable", "key", name="uq_report_section_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    deliverable: str = Field(max_length=20)  # plan | report
    key: str = Field(max_length=80)  # outline key, or "l1:<一级>" for a 一级 analysis
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    html: str = Field(default="", sa_type=Text)  # sanitized limited HTML
    text: str = Field(default="", sa_type=Text)  # the same content as plain lines (diffs, gates)
    number: int = 0  # latest SectionVersion number
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_section_version)

    __mapper_args__ = {"version_id_col": _section_version}

    @property
    def has_content(self) -> bool:
        return bool(self.text.strip())


class SectionVersion(SQLModel, table=True):
    """A saved state of a section (explicit saves and coalesced autosaves)."""

    __tablename__ = "report_section_version"
    __table_args__ = (UniqueConstraint("section_id", "number", name="uq_section_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="report_section.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    number: int
    html: str = Field(default="", sa_type=Text)
    text: str = Field(default="", sa_type=Text)
    autosave: bool = False
    saved_by_id: int | None = Field(default=None, foreign_key="user.id")
    saved_at: datetime = Field(default_factory=utcnow)


class SectionComment(SQLModel, table=True):
    """A comment on a section (plain text), open until someone resolves it."""

    __tablename__ = "report_section_comment"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="report_section.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = None


class ReportSignoff(SQLModel, table=True):
    """A sign-off of the report's internal review at one level; cleared ones stay as history."""

    __tablename__ = "report_signoff"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    level: str = Field(max_length=10)  # prepare | review | approve
    user_id: int = Field(foreign_key="user.id")
    signed_at: datetime = Field(default_factory=utcnow)
    sections_hash: str = Field(max_length=64)  # SHA-256 of every section's text when signed
    comment: str = Field(default="", max_length=1000)
    cleared_at: datetime | None = None
    cleared_reason: str = Field(default="", max_length=200)

    @property
    def active(self) -> bool:
        return self.cleared_at is None


_setting_version = version_column()


class ReportSetting(SQLModel, table=True):
    """Per engagement: the plan's sample-size parameters, its date and timetable."""

    __tablename__ = "report_setting"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    population: int | None = None  # N of the survey population (None: infinite/unknown)
    confidence: Decimal = Field(default=Decimal("0.95"), sa_type=DecimalType(4))
    margin: Decimal = Field(default=Decimal("0.05"), sa_type=DecimalType(4))
    proportion: Decimal = Field(default=Decimal("0.5"), sa_type=DecimalType(4))
    target: int | None = None  # 计划发放问卷份数 (None: the computed sample size)
    strata: list = Field(default_factory=list, sa_column=Column(JSON))  # [{name, population}]
    # The plan's own timetable: its 编制日期 and [{phase, start, end}] (ISO dates, may be blank).
    plan_date: date | None = None
    schedule: list = Field(default_factory=list, sa_column=Column(JSON))
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_setting_version)

    __mapper_args__ = {"version_id_col": _setting_version}


# --- consultation (征求意见) ------------------------------------------------------------------

_consultation_version = version_column()


class Consultation(SQLModel, table=True):
    """A consultation draft sent to the evaluated unit's contact, and how the round ended."""

    __tablename__ = "consultation"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    deliverable_version_id: int = Field(foreign_key="deliverable_version.id")
    recipient_id: int = Field(foreign_key="user.id", index=True)
    message: str = Field(default="", max_length=2000)
    due_date: date | None = None
    sent_by_id: int = Field(foreign_key="user.id")
    sent_at: datetime = Field(default_factory=utcnow)
    completed_by_id: int | None = Field(default=None, foreign_key="user.id")
    completed_at: datetime | None = None  # the unit marked its feedback complete
    no_opinions_note: str = Field(default="", max_length=1000)
    no_opinions_by_id: int | None = Field(default=None, foreign_key="user.id")
    no_opinions_at: datetime | None = None  # the lead recorded that the unit had no opinions
    version: int = Field(default=1, sa_column=_consultation_version)

    __mapper_args__ = {"version_id_col": _consultation_version}

    @property
    def closed(self) -> bool:
        """The unit finished its feedback, or the lead recorded that it had none."""
        return self.completed_at is not None or self.no_opinions_at is not None


class Adoption(StrEnum):
    adopted = "采纳"
    partly = "部分采纳"
    rejected = "不采纳"


_opinion_version = version_column()


class Opinion(SQLModel, table=True):
    """One opinion of the unit on the draft (section/page reference, text) and the agency's answer."""

    __tablename__ = "consultation_opinion"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number", name="uq_consultation_opinion_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    number: int
    reference: str = Field(default="", max_length=200)  # 章节/页码
    content: str = Field(max_length=4000)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    adoption: str = Field(default="", max_length=10)  # 采纳 | 部分采纳 | 不采纳 ("" unanswered)
    reason: str = Field(default="", max_length=2000)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = None
    version: int = Field(default=1, sa_column=_opinion_version)

    __mapper_args__ = {"version_id_col": _opinion_version}

    @property
    def answered(self) -> bool:
        return bool(self.adoption)
