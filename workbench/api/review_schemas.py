"""Request and response models of the review endpoints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        min_length=1,
        max_length=30,
        description="plan | draft_report | final_report（report：审核阶段为正式报告，否则为初稿）",
    )
    version_id: int | None = Field(default=None, description="省略则提交该类文档的最新版本")
    note: str = Field(default="", max_length=2000)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=4000)
    section: str = Field(default="", max_length=100, description="章节 key；空为总体意见")
    paragraph: int | None = Field(default=None, ge=1, description="章节内段落序号（从 1 起）")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return"]
    comments: list[CommentIn | str] = Field(default_factory=list, max_length=200)
    note: str = Field(default="", max_length=4000)

    @field_validator("comments")
    @classmethod
    def _strings_are_comments(cls, value: list) -> list:
        return [CommentIn(body=v) if isinstance(v, str) else v for v in value]


class CommentOut(BaseModel):
    id: int
    section: str
    section_title: str
    paragraph: int | None
    body: str
    answer: str
    created_at: datetime


class SubmissionOut(BaseModel):
    id: int
    engagement_id: int
    kind: str
    kind_name: str
    version_id: int
    version_number: int
    round: int
    status: str
    status_name: str
    submitted_at: datetime
    decided_at: datetime | None
    decision_note: str
    comments: list[CommentOut]


class SubmissionList(BaseModel):
    items: list[SubmissionOut]
    next_cursor: str | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rubric: str = Field(default="", max_length=40, description="考核表（省略则用第一个适用的）")
    scores: dict[str, Decimal | str] = Field(
        default_factory=dict, description="评分项目 key → 得分"
    )
    deductions: dict[str, int | str] = Field(
        default_factory=dict, description="扣分项目 key → 处数"
    )
    comment: str = Field(default="", max_length=4000)


class RatingItemOut(BaseModel):
    key: str
    name: str
    max: Decimal
    score: Decimal | None


class DeductionOut(BaseModel):
    key: str
    name: str
    points: Decimal
    count: int


class RatingOut(BaseModel):
    engagement_id: int
    rubric: str
    rubric_name: str
    items: list[RatingItemOut]
    deductions: list[DeductionOut]
    deducted: Decimal
    total: Decimal
    comment: str
    rated_at: datetime
    deposit_computed: bool
