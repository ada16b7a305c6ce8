"""Request and response models of a survey's record endpoints (api/survey_record.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class SurveyLinkOut(BaseModel):
    indicator_id: int
    indicator_path: list[str]
    metric: str = Field(description="rate 满意率、score_index 满意度指数，或其“合并全部回答”版本")
    item: str | None = Field(description="取自单个满意度题目时的题目，空为总体")
    group: str | None = Field(description="取自分组题某一选项时的选项，空为全部受访者")
    description: str


class SurveyRecordOut(BaseModel):
    id: int
    engagement_id: int
    title: str
    status: str = Field(description="draft 未开始、open 回收中、closed 已结束")
    status_name: str
    version: int = Field(description="抽样方案的 If-Match 用它（亦见响应头 ETag）")
    closed_at: datetime | None
    sample_population: int | None
    sample_confidence: Decimal
    sample_margin: Decimal
    sample_planned_at: datetime | None
    required_sample: int | None = Field(description="抽样方案要求的有效问卷数；未定方案时为空")
    valid: int = Field(description="有效问卷数")
    collected: int = Field(description="已回收问卷数")
    waived: bool
    waived_reason: str
    links: list[SurveyLinkOut] = Field(description="取自本问卷结果的满意度指标")


class SurveyStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["open", "close", "reopen"] = Field(
        description="open 开始回收、close 结束回收、reopen 重新开启（须写明原因）"
    )
    reason: str = Field(default="", max_length=1000, description="重新开启的原因")


class SamplePlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    population: int | None = Field(default=None, description="总体数量 N，未知时为空")
    confidence: Decimal = Field(description="置信水平：0.90、0.95 或 0.99", allow_inf_nan=False)
    margin: Decimal = Field(
        description="允许误差（小数，0.005 至 0.2，如 0.05 即 ±5%）",
        allow_inf_nan=False,
        max_digits=6,
        decimal_places=4,
    )


class SampleWaiverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=1000, description="有效问卷少于方案要求仍予接受的理由")


class SurveyLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator_path: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        min_length=3, max_length=3, description="满意度指标 [一级, 二级, 三级]"
    )
    metric: str = Field(
        max_length=30,
        description="rate 满意率、score_index 满意度指数、pooled_rate、pooled_score_index",
    )
    item: str | None = Field(default=None, max_length=600, description="单个满意度题目")
    group: str | None = Field(default=None, max_length=600, description="分组题的一个选项")
    confirm_clear_signoffs: bool = Field(
        default=False, description="改变已确认的指标或已签字的评分时须为 true，否则 409"
    )
