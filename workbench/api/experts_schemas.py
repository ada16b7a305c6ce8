"""Request and response models of the expert pool's and assignments' endpoints (api/experts.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Tag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class ExpertIn(BaseModel):
    """A new expert of the agency's pool (the fields of 新增专家)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60, description="姓名")
    title: str = Field(default="", max_length=60, description="职称")
    field_tags: list[Tag] = Field(default_factory=list, max_length=50, description="专业领域")
    organisation: str = Field(default="", max_length=200, description="工作单位")
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)
    user_id: int | None = Field(
        default=None, ge=1, description="关联登录账号（本机构的专家账号或人员账号）"
    )
    note: str = Field(default="", max_length=2000)
    active: bool = Field(default=True, description="在库（可指派）")


class ExpertPatch(BaseModel):
    """The profile fields to change; those left out keep their values (user_id null unlinks)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=60)
    title: str | None = Field(default=None, max_length=60)
    field_tags: list[Tag] | None = Field(default=None, max_length=50)
    organisation: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    user_id: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=2000)
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_text(self) -> ExpertPatch:
        """Only the linked account may be cleared with null."""
        for name in self.model_fields_set - {"user_id"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null")
        return self


class ExpertConflictOut(BaseModel):
    id: int
    org_name: str
    relation: str
    declared_at: datetime
    withdrawal_pending: bool


class ExpertOut(BaseModel):
    id: int
    name: str
    title: str
    field_tags: list[str]
    organisation: str
    phone: str
    email: str
    user_id: int | None
    note: str
    active: bool
    assignment_count: int
    created_at: datetime
    updated_at: datetime
    version: int


class ExpertDetail(ExpertOut):
    conflicts: list[ExpertConflictOut]


class ExpertPage(BaseModel):
    items: list[ExpertOut]
    next_cursor: str | None


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expert_id: int = Field(ge=1)
    duty: str = Field(default="", max_length=200, description="分工")
    override_reason: str = Field(
        default="", max_length=1000, description="利益冲突豁免理由（仅机构管理员）"
    )


class AssignmentEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="结束原因")


class ExpertFeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=200, description="费用项目，如方案评审费")
    amount: Decimal = Field(max_digits=12, decimal_places=2, description="金额（元）")
    fee_date: date
    note: str = Field(default="", max_length=1000)


class ExpertFeeOut(BaseModel):
    id: int
    assignment_id: int
    item: str
    amount: Decimal
    fee_date: date
    note: str
    created_at: datetime


class AssignmentOut(BaseModel):
    id: int
    engagement_id: int
    expert_id: int
    expert_name: str
    expert_title: str
    expert_organisation: str
    duty: str
    assigned_at: datetime
    assigned_by_id: int | None
    active: bool
    conflicts: str = Field(description="指派时发现的利益冲突（已豁免时）")
    override_reason: str
    ended_at: datetime | None
    end_reason: str
    fees: list[ExpertFeeOut]
    fee_total: Decimal


class AssignmentPage(BaseModel):
    items: list[AssignmentOut]
    next_cursor: str | None


class PlanReviewOut(BaseModel):
    id: int
    expert_id: int
    expert_name: str
    plan_version_number: int | None
    conclusion: str
    conclusion_name: str
    opinion: str
    on_paper: bool = Field(description="true：项目负责人录入的纸质意见；false：专家在系统内签署")
    current: bool = Field(description="是否为该专家最新的一份意见")
    content_hash: str
    created_at: datetime


class PlanReviewState(BaseModel):
    """The plan's expert review as the page shows it: the opinions and whether the gate is met."""

    reviewed: bool = Field(description="至少一位专家评审且无专家最新结论为不通过")
    detail: str = Field(description="评审情况或未满足的原因，与项目流程页相同")
    items: list[PlanReviewOut]
