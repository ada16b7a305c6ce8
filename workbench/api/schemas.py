"""Request and response models of the engagement endpoints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EngagementTypeKey = Literal["project", "self_eval_review", "department", "ex_ante"]


class TokenIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    expires_at: str


class EngagementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    type: EngagementTypeKey = "project"
    bureau_id: int | None = None
    bureau_name: str | None = Field(default=None, max_length=200)
    unit_name: str | None = Field(default=None, max_length=200)
    budget_year: int = Field(ge=2000, le=2100)
    budget_amount: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    code: str | None = Field(default=None, max_length=40)
    planned_start: date | None = None
    planned_end: date | None = None

    @model_validator(mode="after")
    def _needs_bureau(self) -> EngagementIn:
        if not self.bureau_id and not (self.bureau_name and self.bureau_name.strip()):
            raise ValueError("须提供 bureau_id 或 bureau_name")
        return self


class EngagementPatch(BaseModel):
    """The fields of 修改项目信息 a client may change; those left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=40)
    budget_year: int | None = Field(default=None, ge=2000, le=2100)
    budget_amount: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    funds_available: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    funds_spent: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    description: str | None = Field(default=None, max_length=4000)
    planned_start: date | None = None
    planned_end: date | None = None

    @model_validator(mode="after")
    def _no_null_text(self) -> EngagementPatch:
        """Amounts and dates may be cleared with null; text and the year may not."""
        for name in ("title", "code", "description", "budget_year"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null")
        return self


class FlowStepOut(BaseModel):
    key: str
    name: str
    status: str
    blockers: list[str]


class EngagementOut(BaseModel):
    id: int
    code: str
    title: str
    type: str
    bureau_id: int
    bureau_name: str
    unit_id: int | None
    unit_name: str | None
    budget_year: int
    budget_amount: Decimal | None
    stage: str
    stage_name: str
    archived: bool


class EngagementDetail(EngagementOut):
    flow: list[FlowStepOut]


class EngagementList(BaseModel):
    """Cursor pages by default; the older `page`/`per_page` pages when the request names them."""

    items: list[EngagementOut]
    total: int
    next_cursor: str | None = None
    page: int | None = None
    per_page: int | None = None


class AdvanceOut(BaseModel):
    stage: str
    archived: bool
