"""Expert scores of `expert`-rule indicators: one row per indicator and expert."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow

_expert_score_version = version_column()


class ExpertScore(SQLModel, table=True):
    """An expert's score (0..weight) of one indicator with a comment; submitted when saved."""

    __tablename__ = "expert_score"
    __table_args__ = (
        UniqueConstraint("indicator_id", "expert_id", name="uq_expert_score_indicator_expert"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    expert_id: int = Field(foreign_key="user.id", index=True)
    score: Decimal = Field(sa_type=DecimalType(2))
    comment: str = Field(default="", max_length=2000)
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_expert_score_version)

    __mapper_args__ = {"version_id_col": _expert_score_version}
