"""An engagement's indicator system: three levels, leaves scored by rule; the grade table."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow

DEFAULT_GRADES = [["优", "90"], ["良", "80"], ["中", "60"], ["差", "0"]]
STANDARD_TYPES = ["计划标准", "行业标准", "历史标准", "其他"]

_system_version = version_column()


class IndicatorSystem(SQLModel, table=True):
    """Per engagement: the grade table, the lead's confirmation and the lead's sign-off of the scores."""

    __tablename__ = "indicator_system"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    grades: list = Field(
        default_factory=lambda: [list(g) for g in DEFAULT_GRADES], sa_column=Column(JSON)
    )
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    scores_signed_by_id: int | None = Field(default=None, foreign_key="user.id")
    scores_signed_at: datetime | None = None
    # What was signed: the total, the grade and a digest of every leaf's score. The sign-off holds
    # only while the scores computed now give the same digest (scoring/signoffs.py).
    scores_signed_total: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    scores_signed_grade: str | None = Field(default=None, max_length=20)
    scores_signed_digest: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_system_version)

    __mapper_args__ = {"version_id_col": _system_version}

    @property
    def grade_table(self) -> list[tuple[str, Decimal]]:
        return [(name, Decimal(str(lower))) for name, lower in self.grades]


_indicator_version = version_column()


class Indicator(SQLModel, table=True):
    """One scored (三级) indicator with its 一级/二级 path, rule, parameters and evidence sources."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("engagement_id", "level1", "level2", "name", name="uq_indicator_path"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    position: int = Field(default=0, index=True)
    level1: str = Field(max_length=60)
    level2: str = Field(max_length=60)
    name: str = Field(max_length=120)
    weight: Decimal = Field(sa_type=DecimalType(2))
    rule: str = Field(default="manual", max_length=30)
    params: str = Field(default="", max_length=2000)  # the indicator-sheet 参数 syntax
    target: str = Field(default="", max_length=100)
    actual: str = Field(default="", max_length=100)
    score: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # entered (manual) score
    justification: str = Field(default="", max_length=4000)  # required for manual scores
    not_applicable: bool = False
    na_reason: str = Field(default="", max_length=1000)
    definition: str = Field(default="", max_length=4000)  # 指标解释
    points: str = Field(default="", max_length=4000)  # 评价要点, one per line
    standard: str = Field(default="", max_length=4000)  # 评分标准 (text shown to people)
    standard_type: str = Field(default="计划标准", max_length=20)
    evidence_sources: str = Field(default="", max_length=2000)  # 数据来源/佐证材料
    note: str = Field(default="", max_length=2000)
    library_indicator_id: int | None = Field(default=None, index=True)
    library_version: int | None = None
    # The library benchmark value (library_benchmark_value.id) this leaf cites as its 行业/历史标准;
    # values are immutable, so a newer import shows as "已有更新" instead of changing the citation.
    benchmark_value_id: int | None = Field(default=None, index=True)
    survey_link: dict | None = Field(
        default=None, sa_column=Column(JSON)
    )  # {survey_id, metric, item, group}
    # 自评复核: the evaluated unit's own score and why it differs from the review score
    self_score: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    self_gap_note: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1, sa_column=_indicator_version)

    __mapper_args__ = {"version_id_col": _indicator_version}

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)
