"""An engagement's facts (预算、到位、支出、受益人数…), each with its source, and indicator bindings."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow

_sheet_version = version_column()


class FactSheet(SQLModel, table=True):
    """Per engagement: the version the facts form is drawn from (one form edits every fact)."""

    __tablename__ = "fact_sheet"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_sheet_version)

    __mapper_args__ = {"version_id_col": _sheet_version}


class EngagementFact(SQLModel, table=True):
    """One fact's value: entered by a person, or taken from a working paper's computed value."""

    __tablename__ = "engagement_fact"
    __table_args__ = (UniqueConstraint("engagement_id", "key", name="uq_engagement_fact_key"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    key: str = Field(max_length=40)
    value: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # 元, %, count
    source: str = Field(default="entered", max_length=10)  # entered | paper
    source_label: str = Field(default="", max_length=60)  # 项目负责人录入 / 来自底稿 D-07-01
    paper_id: int | None = Field(default=None, foreign_key="working_paper.id", ondelete="SET NULL")
    paper_ref: str = Field(default="", max_length=80)  # <field>.<column> of the paper's totals
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class IndicatorBinding(SQLModel, table=True):
    """An indicator whose 目标值 and/or 实际值 show a fact's current value instead of typed text."""

    __tablename__ = "indicator_binding"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", unique=True, ondelete="CASCADE")
    target_key: str = Field(default="", max_length=40)
    actual_key: str = Field(default="", max_length=40)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
