"""Engagements, their members, declarations and stage history."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from workbench.core.errors import Locked
from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow
from workbench.engagements.stages import STAGE_NAMES, Stage


class EngagementType(StrEnum):
    project = "project"
    self_eval_review = "self_eval_review"
    department = "department"
    ex_ante = "ex_ante"


TYPE_NAMES = {
    EngagementType.project: "项目支出绩效评价",
    EngagementType.self_eval_review: "单位自评复核",
    EngagementType.department: "部门整体支出绩效评价",
    EngagementType.ex_ante: "事前绩效评估",
}


class MemberRole(StrEnum):
    lead = "lead"
    evaluator = "evaluator"
    reviewer = "reviewer"
    expert = "expert"
    bureau = "bureau"
    unit = "unit"


ROLE_NAMES = {
    MemberRole.lead: "项目负责人",
    MemberRole.evaluator: "评价人员",
    MemberRole.reviewer: "复核人",
    MemberRole.expert: "专家",
    MemberRole.bureau: "委托方联系人",
    MemberRole.unit: "被评价单位联系人",
}

# Roles that act inside the engagement and therefore sign declarations first.
DECLARING_ROLES = {MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer, MemberRole.expert}


class DeclarationKind(StrEnum):
    independence = "independence"
    confidentiality = "confidentiality"


DECLARATION_NAMES = {
    DeclarationKind.independence: "独立性与回避声明",
    DeclarationKind.confidentiality: "保密承诺",
}

DECLARATION_TEXT = {
    DeclarationKind.independence: (
        "本人承诺：与委托方及被评价单位不存在利害关系，未在被评价单位任职或领取报酬，与其主要负责人"
        "无近亲属关系；如存在可能影响独立、客观、公正评价的情形，已如实申报并主动回避。"
    ),
    DeclarationKind.confidentiality: (
        "本人承诺：对评价工作中获取的国家秘密、工作秘密、商业秘密和个人信息严格保密，不擅自复制、"
        "传播或用于评价工作以外的用途，评价工作结束后按规定移交或销毁相关资料。"
    ),
}


_engagement_version = version_column()


class Engagement(SQLModel, table=True):
    """One evaluation commissioned by a bureau: the unit of work and of permission scope."""

    __tablename__ = "engagement"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default="", max_length=40, index=True)  # 项目编号
    title: str = Field(max_length=200, index=True)
    type: str = Field(default=EngagementType.project, max_length=30)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    bureau_id: int = Field(foreign_key="organisation.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    budget_year: int
    budget_amount: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    funds_available: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # 实际到位
    funds_spent: Decimal | None = Field(default=None, sa_type=DecimalType(2))  # 实际支出
    description: str = Field(default="", max_length=4000)
    planned_start: date | None = None
    planned_end: date | None = None
    stage: str = Field(default=Stage.commission.value, max_length=30, index=True)
    stage_entered_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = None
    retention_until: date | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_engagement_version)

    members: list["Member"] = Relationship(
        back_populates="engagement",
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"},
    )

    __mapper_args__ = {"version_id_col": _engagement_version}

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[EngagementType(self.type)]

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES[Stage(self.stage)]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def roles_of(self, user) -> set[MemberRole]:
        return {MemberRole(m.role) for m in self.members if m.user_id == user.id}

    def member_ids(self, role: MemberRole) -> list[int]:
        """The users on the team in `role`, as listed (e.g. the unit contacts who answer lists)."""
        return [m.user_id for m in self.members if m.role == role]

    def lead(self):
        return next((m for m in self.members if m.role == MemberRole.lead), None)

    def visible_to(self, user) -> bool:
        """Whether the user may know this engagement exists (else 404)."""
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_admin:
            return self.is_agency_admin(user)
        if user.is_bureau:
            return user.org_id == self.bureau_id and user.serves(self.agency_id)
        return bool(self.roles_of(user))

    def is_lead(self, user) -> bool:
        return MemberRole.lead in self.roles_of(user)

    def is_agency_admin(self, user) -> bool:
        """An admin of the agency that runs this engagement."""
        return bool(getattr(user, "is_admin", False)) and user.org_id == self.agency_id

    def can_manage(self, user) -> bool:
        """Lead work: edit, team, stage moves, confirmations (admins too)."""
        return self.is_lead(user) or self.is_agency_admin(user)

    def works_on(self, user) -> bool:
        """The one rule "a team member or an admin of its agency" (predicate engagement.team)."""
        return self.is_team(user) or self.is_agency_admin(user)

    def reviews(self, user) -> bool:
        """Second-level review: the engagement's reviewers and lead, or an admin of its agency."""
        return bool(
            self.roles_of(user) & {MemberRole.reviewer, MemberRole.lead}
        ) or self.is_agency_admin(user)

    def is_team(self, user) -> bool:
        """Agency members of the team (lead, evaluators, reviewers)."""
        return bool(
            self.roles_of(user) & {MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer}
        )


def ensure_writable(engagement: Engagement) -> None:
    """Archived engagements are read-only: every mutating service calls this."""
    if engagement.is_archived:
        raise Locked("项目已归档，内容只读")


class Member(SQLModel, table=True):
    """A user's role in one engagement."""

    __tablename__ = "engagement_member"
    __table_args__ = (
        UniqueConstraint("engagement_id", "user_id", name="uq_member_engagement_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=20)
    duty: str = Field(default="", max_length=200)  # 分工
    added_at: datetime = Field(default_factory=utcnow)
    added_by_id: int | None = Field(default=None, foreign_key="user.id")

    engagement: Engagement = Relationship(back_populates="members")

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[MemberRole(self.role)]


class Declaration(SQLModel, table=True):
    """A signed independence/recusal declaration or confidentiality undertaking."""

    __tablename__ = "declaration"
    __table_args__ = (UniqueConstraint("engagement_id", "user_id", "kind", name="uq_declaration"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)
    statement: str = Field(max_length=2000)
    has_conflict: bool = False
    conflict_detail: str = Field(default="", max_length=2000)
    signed_at: datetime = Field(default_factory=utcnow)
    override_by_id: int | None = Field(default=None, foreign_key="user.id")
    override_reason: str = Field(default="", max_length=1000)
    override_at: datetime | None = None

    @property
    def clears(self) -> bool:
        """Signed with no conflict, or a conflict an admin overrode."""
        return not self.has_conflict or self.override_at is not None


class StageVisit(SQLModel, table=True):
    """When the engagement entered and left each stage (the report's 工作过程 reads this)."""

    __tablename__ = "stage_visit"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    stage: str = Field(max_length=30)
    entered_at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = None
    left_by: str = Field(default="", max_length=20)  # advance | back | archive
    reason: str = Field(default="", max_length=1000)


class ChecklistConfirmation(SQLModel, table=True):
    """The lead's confirmation of a checklist item of a stage's gate."""

    __tablename__ = "checklist_confirmation"
    __table_args__ = (UniqueConstraint("engagement_id", "stage", "item", name="uq_checklist_item"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    stage: str = Field(max_length=30)
    item: str = Field(max_length=60)
    note: str = Field(default="", max_length=1000)
    confirmed_by_id: int = Field(foreign_key="user.id")
    confirmed_at: datetime = Field(default_factory=utcnow)
