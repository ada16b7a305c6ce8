"""The agency's expert pool, declared conflicts, assignments to engagements and expert fees."""

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow

TAG_SEPARATOR = ","

_expert_version = version_column()


class Expert(SQLModel, table=True):
    """An expert of the agency's pool (专家库), optionally linked to a user account."""

    __tablename__ = "expert"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=60, index=True)
    title: str = Field(default="", max_length=60)  # 职称
    field_tags: str = Field(default="", max_length=500)  # comma-separated 专业领域
    organisation: str = Field(default="", max_length=200)  # 工作单位
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user.id", unique=True)
    note: str = Field(default="", max_length=2000)
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_expert_version)

    __mapper_args__ = {"version_id_col": _expert_version}

    @property
    def tags(self) -> list[str]:
        return [tag for tag in self.field_tags.split(TAG_SEPARATOR) if tag]

    def is_self(self, user) -> bool:
        return self.user_id is not None and self.user_id == getattr(user, "id", None)

    def is_agency_admin(self, user) -> bool:
        """An admin of the agency whose pool holds this expert."""
        return bool(getattr(user, "is_admin", False)) and user.org_id == self.agency_id

    def visible_to(self, user) -> bool:
        """Staff of the expert's agency, and the expert themself (else 404)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return (user.is_agency and user.org_id == self.agency_id) or self.is_self(user)


class ExpertConflict(SQLModel, table=True):
    """An organisation the expert is tied to (employment, family, consulting …)."""

    __tablename__ = "expert_conflict"

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    org_name: str = Field(max_length=200)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    relation: str = Field(default="", max_length=200)  # 关联关系
    declared_by_id: int | None = Field(default=None, foreign_key="user.id")
    declared_at: datetime = Field(default_factory=utcnow)
    # The expert asked to withdraw the tie; it stays in force until the agency admin approves.
    withdrawal_requested_at: datetime | None = None
    withdrawal_requested_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def withdrawal_pending(self) -> bool:
        return self.withdrawal_requested_at is not None


class ExpertAssignment(SQLModel, table=True):
    """An expert's assignment to an engagement (as an `expert` member of its team)."""

    __tablename__ = "expert_assignment"

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    # The team membership; a plain id because ending the assignment removes the member row.
    member_id: int | None = None
    duty: str = Field(default="", max_length=200)
    assigned_at: datetime = Field(default_factory=utcnow)
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    conflicts: str = Field(default="", max_length=2000)  # conflicts found when assigned
    override_by_id: int | None = Field(default=None, foreign_key="user.id")
    override_reason: str = Field(default="", max_length=1000)
    ended_at: datetime | None = None
    ended_by_id: int | None = Field(default=None, foreign_key="user.id")
    end_reason: str = Field(default="", max_length=1000)

    @property
    def active(self) -> bool:
        return self.ended_at is None


class ExpertFee(SQLModel, table=True):
    """A fee owed or paid to an expert for work on an engagement (yuan)."""

    __tablename__ = "expert_fee"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="expert_assignment.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    item: str = Field(max_length=200)  # 方案评审费, 评分劳务费 …
    amount: Decimal = Field(sa_type=DecimalType(2))
    fee_date: date
    note: str = Field(default="", max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


# The plan's expert reviews live in their own module; imported here so the table is discovered.
from workbench.experts.plan_review_models import PlanReview  # noqa: E402,F401
