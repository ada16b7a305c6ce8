"""A firm's setting: which working papers each flowchart stage's gate asks for."""

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class StagePaperSetting(SQLModel, table=True):
    """The template keys one stage requires (an approved paper of each) for one agency."""

    __tablename__ = "stage_paper_setting"
    __table_args__ = (UniqueConstraint("agency_id", "stage", name="uq_stage_paper_setting"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    stage: str = Field(max_length=30)
    template_keys: list = Field(default_factory=list, sa_column=Column(JSON))
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
