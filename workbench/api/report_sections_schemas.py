"""Request and response models of the plan's and report's sections and the report's sign-offs
(api/report_sections.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReportSectionOut(BaseModel):
    """One outline section as the plan and report pages list it, with its current text."""

    id: int
    deliverable: Literal["plan", "report"]
    key: str
    chapter: str
    heading: str
    hint: str
    required: bool
    state: Literal["written", "pending", "optional"] = Field(
        description="written 已撰写；pending 必写而尚未撰写；optional 可选而尚未撰写"
    )
    state_name: str
    number: int = Field(description="当前为第几稿（0：从未保存）")
    html: str
    text: str
    assignee_id: int | None
    assignee_name: str
    updated_by_id: int | None
    updated_by_name: str
    updated_at: datetime | None = Field(description="最后保存时间（从未保存时为 null）")
    open_comments: int
    version: int


class ReportSectionList(BaseModel):
    deliverable: Literal["plan", "report"]
    editable: bool
    refusal: str | None = Field(
        description="章节现在不能修改的原因（如报告审核中），可修改时为 null"
    )
    items: list[ReportSectionOut]


class ReportSectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        max_length=200_000, description="章节内容（限定的 HTML：段落、列表、表格等；或纯文本）"
    )
    confirm_clear_signoffs: bool = Field(
        default=False,
        description="修改已复核或批准的报告章节将清除这些签字：须传 true 确认，否则 409",
    )


class ReportSectionSaved(ReportSectionOut):
    changed: bool = Field(description="内容是否有变化（未变化时不产生新稿）")


class ReportSignoffOut(BaseModel):
    id: int
    level: Literal["prepare", "review", "approve"]
    level_name: str
    user_id: int
    user_name: str
    signed_at: datetime
    comment: str
    holds: bool = Field(description="签字后章节内容未再修改（签字时的内容摘要与现在一致）")
    cleared_at: datetime | None
    cleared_reason: str


class ReportSignoffLevel(BaseModel):
    level: Literal["prepare", "review", "approve"]
    level_name: str
    signer_title: str
    who_may_sign: str
    signoff: ReportSignoffOut | None


class ReportSignoffState(BaseModel):
    levels: list[ReportSignoffLevel]
    approved: bool
    sections_hash: str
    missing_sections: list[str]
    history: list[ReportSignoffOut]


class ReportSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["prepare", "review", "approve"] = Field(
        description="prepare 编制（项目组成员）、review 复核（复核人或项目负责人）、approve 批准（项目负责人）"
    )
    comment: str = Field(default="", max_length=1000)


class ReportWithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["prepare", "review", "approve"]
