"""Surveys of an engagement, their responses (never deleted) and pending file imports."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from itertools import chain
from uuid import uuid4

from sqlalchemy import JSON, Column, Index, UniqueConstraint, event, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow


class SurveyStatus(StrEnum):
    draft = "draft"  # being designed; answers can be imported or entered, the link is closed
    open = "open"  # the public link accepts answers (within the optional dates)
    closed = "closed"  # collection finished: the questionnaire and the answers are final


STATUS_NAMES = {
    SurveyStatus.draft: "设计中",
    SurveyStatus.open: "回收中",
    SurveyStatus.closed: "已结束",
}


class Channel(StrEnum):
    online = "online"  # the workbench's own public form
    paper = "paper"  # a paper questionnaire typed in by an evaluator
    wjx = "wjx"  # a 问卷星 export
    generic = "generic"  # any CSV/Excel table with a manual column mapping
    offline = "offline"  # the public form of a laptop in the field (workbench/offline)


CHANNEL_NAMES = {
    Channel.online: "在线填写",
    Channel.paper: "纸质录入",
    Channel.wjx: "问卷星导入",
    Channel.generic: "表格导入",
    Channel.offline: "离线采集",
}


class ImportStatus(StrEnum):
    pending = "pending"  # uploaded, mapping shown for confirmation
    running = "running"  # confirmed, being parsed and written
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


IMPORT_STATUS_NAMES = {
    ImportStatus.pending: "待确认",
    ImportStatus.running: "导入中",
    ImportStatus.done: "已完成",
    ImportStatus.failed: "失败",
    ImportStatus.cancelled: "已取消",
}

_survey_version = version_column()


class Survey(SQLModel, table=True):
    """One questionnaire of an engagement: questions, collection window, filters, sample plan."""

    __tablename__ = "survey"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    title: str = Field(max_length=200)
    purpose: str = Field(default="", max_length=2000)  # 调查目的, shown on the form and poster
    respondents: str = Field(default="", max_length=60)  # 调查对象, e.g. 受益学生/家长
    template_key: str = Field(default="", max_length=40)
    questions: list = Field(default_factory=list, sa_column=Column(JSON))
    token: str = Field(max_length=64, unique=True)  # the public link's unguessable part
    status: str = Field(default=SurveyStatus.draft.value, max_length=20)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    one_per_device: bool = True
    thank_you: str = Field(default="", max_length=1000)
    rules: dict = Field(default_factory=dict, sa_column=Column(JSON))  # validity filters
    top_k: int = 2
    sample_population: int | None = None
    sample_confidence: Decimal = Field(default=Decimal("0.95"), sa_type=DecimalType(4))
    sample_margin: Decimal = Field(default=Decimal("0.05"), sa_type=DecimalType(4))
    sample_planned_at: datetime | None = None
    sample_waived_reason: str = Field(default="", max_length=1000)
    sample_waived_by_id: int | None = Field(default=None, foreign_key="user.id")
    sample_waived_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_survey_version)
    # A new random value whenever an answer is added or overridden (see `_answers_changed`): the
    # cached figures (statistics/cache.py) are keyed on it. Random, so a rolled-back change's value
    # is never given again, and outside `version`, so an answer never conflicts with a settings edit.
    answers_stamp: str = Field(default="", max_length=32)

    __mapper_args__ = {"version_id_col": _survey_version}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[SurveyStatus(self.status)]

    @property
    def is_closed(self) -> bool:
        return self.status == SurveyStatus.closed

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.open

    @property
    def waived(self) -> bool:
        return self.sample_waived_at is not None


class SurveyResponse(SQLModel, table=True):
    """One answered questionnaire, whatever its channel; excluded answers stay with their reason."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("survey_id", "source_key", name="uq_survey_response_source"),
        # The answers list pages each tab (all/excluded/valid) and finds unjudged answers here.
        Index("ix_survey_response_verdict", "survey_id", "excluded", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    source_key: str = Field(max_length=120)  # identifies the answer across re-imports
    channel: str = Field(max_length=20)
    serial: int | None = None
    submitted_at: datetime | None = None
    duration_seconds: int | None = None
    ip: str | None = Field(default=None, max_length=64)
    ip_location: str | None = Field(default=None, max_length=120)
    origin: str | None = Field(default=None, max_length=200)  # 问卷星 来源
    origin_detail: str | None = Field(default=None, max_length=200)  # 问卷星 来源详情
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON))
    missing: dict = Field(default_factory=dict, sa_column=Column(JSON))
    other_text: dict = Field(default_factory=dict, sa_column=Column(JSON))
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, foreign_key="survey_import.id", index=True)
    entered_by_id: int | None = Field(default=None, foreign_key="user.id")
    override: bool | None = None  # True: kept despite the filters; False: excluded by hand
    override_reason: str = Field(default="", max_length=1000)
    override_by_id: int | None = Field(default=None, foreign_key="user.id")
    override_at: datetime | None = None
    # The stored verdict (workbench.surveys.statistics.verdicts): None until the survey's answers
    # are judged.
    excluded: bool | None = None
    reasons: list | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES.get(Channel(self.channel), self.channel)


class SurveyImport(SQLModel, table=True):
    """An uploaded file with its proposed column mapping, then the progress and outcome of the import."""

    __tablename__ = "survey_import"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    filename: str = Field(max_length=200)
    kind: str = Field(default="wjx", max_length=20)  # wjx | generic
    mapping: dict = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=ImportStatus.pending.value, max_length=20)
    row_count: int = 0
    processed: int = 0
    imported: int = 0
    skipped: int = 0  # rows already stored (same source key): re-importing adds nothing
    errors: list = Field(default_factory=list, sa_column=Column(JSON))
    warnings: list = Field(default_factory=list, sa_column=Column(JSON))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    # A running import is a queued job (workbench/surveys/imports/jobs.py): its attempts so far,
    # when the running one began, and when it is due while it waits (core/job_rows.py).
    attempts: int = 0
    started_at: datetime | None = None
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def status_name(self) -> str:
        return IMPORT_STATUS_NAMES[ImportStatus(self.status)]

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.done, ImportStatus.failed, ImportStatus.cancelled)


class SurveyJudgement(SQLModel, table=True):
    """What the stored verdicts of a survey's answers rest on, and their totals.

    `key` fingerprints the filters and the questionnaire the answers were judged under; answers
    added since are stored with `excluded` None. Either way the next look judges them again.
    """

    __tablename__ = "survey_judgement"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    key: str = Field(max_length=64)
    collected: int = 0
    excluded: int = 0
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON))  # filter name → flagged
    judged_at: datetime = Field(default_factory=utcnow)


def mark_answers_changed(db: Session, survey_ids: Iterable[int]) -> None:
    """Give the surveys a new `answers_stamp`: their answers were added to or overridden.

    On the session's connection, so it is part of the same transaction and bypasses the survey's
    `version` (an answer arriving must not make a settings form stale). A bulk write that does not
    go through the session's units of work (surveys/imports/writer.py) calls this itself.
    """
    ids = sorted({int(i) for i in survey_ids})
    if ids:
        table = Survey.__table__
        db.connection().execute(
            update(table).where(table.c.id.in_(ids)).values(answers_stamp=uuid4().hex)
        )


@event.listens_for(Session, "after_flush")
def _answers_changed(db: Session, _context) -> None:
    """Every flush that adds, changes or removes an answer moves its survey's stamp."""
    touched = {
        item.survey_id
        for item in chain(db.new, db.dirty, db.deleted)
        if isinstance(item, SurveyResponse)
    }
    mark_answers_changed(db, touched)
