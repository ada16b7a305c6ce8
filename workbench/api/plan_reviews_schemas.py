"""Request model of the plan review's API (the answer is experts_schemas.PlanReviewOut)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PlanReviewSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conclusion: str = Field(
        description="评审结论：passed 通过、passed_after_changes 修改后通过、failed 不通过",
        max_length=40,
    )
    opinion: str = Field(description="专家评审意见（不超过 4000 字）", max_length=8000)
