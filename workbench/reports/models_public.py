"""The 公开版's marks: report sections the lead withholds from the public version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class InternalSection(SQLModel, table=True):
    """A report section marked internal (内部): the public version prints a notice instead."""

    __tablename__ = "report_internal_section"
    __table_args__ = (
        UniqueConstraint("engagement_id", "key", name="uq_report_internal_section_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    key: str = Field(max_length=80)  # the outline key of ReportSection (deliverable "report")
    marked_by_id: int | None = Field(default=None, foreign_key="user.id")
    marked_at: datetime = Field(default_factory=utcnow)
