"""Deliverable versions: every generated file, numbered per kind, stored with its SHA-256."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class DeliverableKind(StrEnum):
    plan = "plan"  # 评价工作方案
    report = "report"  # 评价报告（初稿/征求意见稿/正式报告 are stages of the same deliverable）
    ex_ante_report = "ex_ante_report"
    score_sheet = "score_sheet"
    opinion_table = "opinion_table"
    archive = "archive"


KIND_NAMES = {
    DeliverableKind.plan: "评价工作方案",
    DeliverableKind.report: "评价报告",
    DeliverableKind.ex_ante_report: "事前绩效评估报告",
    DeliverableKind.score_sheet: "评分表",
    DeliverableKind.opinion_table: "意见采纳情况表",
    DeliverableKind.archive: "档案包",
}


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
