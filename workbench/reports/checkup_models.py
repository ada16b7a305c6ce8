"""The pre-generation check (报告体检) as recorded: the lead's acknowledgement and each version's run."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class ReportCheck(SQLModel, table=True):
    """Findings of one check: acknowledged by the lead (no version) or recorded with a version."""

    __tablename__ = "report_check"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="deliverable_version.id", index=True)
    fingerprint: str = Field(max_length=64)  # SHA-256 of the findings (what was acknowledged)
    findings: list = Field(default_factory=list, sa_column=Column(JSON))
    errors: int = 0
    warnings: int = 0
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user.id")
    acknowledged_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
