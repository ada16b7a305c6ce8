"""Request and response models of the consultation (征求意见) endpoints (api/consultation.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ConsultationSendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: int = Field(
        ge=1, description="一份“征求意见稿”的报告版本 id（生成时 label=征求意见稿）"
    )
    recipient_id: int = Field(ge=1, description="本项目的被评价单位联系人（工作组成员）的用户 id")
    message: str = Field(default="", max_length=2000)
    due_date: date | None = Field(default=None, description="反馈截止日期")


class ConsultationNoOpinionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        min_length=1,
        max_length=1000,
        description="被评价单位无意见的情况（如回函日期、电话确认人）",
    )


class ConsultationRoundOut(BaseModel):
    id: int
    engagement_id: int
    version_id: int
    version_number: int
    recipient_id: int
    recipient_name: str
    message: str
    due_date: date | None
    sent_by_id: int
    sent_at: datetime
    closed: bool
    completed_at: datetime | None = Field(description="被评价单位确认反馈完毕的时间")
    no_opinions_note: str
    no_opinions_at: datetime | None = Field(description="项目负责人记录其无意见的时间")
    opinions: int
    unanswered: int
    version: int


class ConsultationStateOut(BaseModel):
    current: ConsultationRoundOut | None = Field(
        description="最近一轮征求意见（尚未发送时为 null）"
    )
    blockers: list[str] = Field(description="“征求意见”阶段尚未完成的原因")


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(default="", max_length=200, description="章节/页码")
    content: str = Field(min_length=1, max_length=4000, description="意见内容")


class OpinionAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adoption: Literal["采纳", "部分采纳", "不采纳"]
    reason: str = Field(min_length=1, max_length=2000, description="理由及修改情况")


class OpinionOut(BaseModel):
    id: int
    consultation_id: int
    number: int
    reference: str
    content: str
    created_by_id: int
    created_by_name: str
    created_at: datetime
    answered: bool
    adoption: str = Field(description="采纳、部分采纳或不采纳；尚未答复时为空")
    reason: str
    answered_by_id: int | None
    answered_by_name: str
    answered_at: datetime | None
    version: int


class OpinionPage(BaseModel):
    items: list[OpinionOut]
    next_cursor: str | None
