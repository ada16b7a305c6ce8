"""Request and response models of the review record's endpoints (api/review_record.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CommentReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=4000, description="对该审核意见的回复")


class CommentReplyOut(BaseModel):
    comment_id: int
    answer: str
    answered_by_id: int | None
    answered_by_name: str
    answered_at: datetime | None


class ReviewCommentOut(BaseModel):
    id: int
    submission_id: int
    section: str
    section_title: str
    paragraph: int | None
    anchor: str
    quote: str
    body: str
    author_id: int
    author_name: str
    created_at: datetime
    reply: CommentReplyOut | None
    version: int


class ReviewCommentList(BaseModel):
    items: list[ReviewCommentOut]
    next_cursor: str | None = None


class RectificationItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str = Field(min_length=1, max_length=2000)
    requirement: str = Field(default="", max_length=2000, description="整改要求/建议")
    feedback_due: date | None = Field(default=None, description="省略则为审核通过日后的默认天数")
    rectify_due: date | None = Field(default=None, description="省略则为反馈期限后的默认天数")


class RectificationItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str | None = Field(default=None, max_length=2000)
    requirement: str | None = Field(default=None, max_length=2000)
    feedback_due: date | None = None
    rectify_due: date | None = None


class RectificationProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["feedback_received", "rectified"]
    note: str = Field(default="", max_length=2000, description="登记已整改时必填")


class RectificationReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["feedback", "progress", "done"]
    text: str = Field(min_length=1, max_length=2000)


class RectificationEvidenceOut(BaseModel):
    id: int
    name: str
    mime: str
    size: int
    sha256: str


class RectificationReportOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    text: str
    author_id: int
    author_name: str
    created_at: datetime
    files: list[RectificationEvidenceOut]


class UnitRectificationItemOut(BaseModel):
    """An item as the unit's page shows it: the confirmation, none of the agency's notes."""

    id: int
    engagement_id: int
    position: int
    problem: str
    requirement: str
    feedback_due: date
    rectify_due: date
    status: str
    state: str
    state_name: str
    rectified_note: str
    rectified_at: datetime | None
    reports: list[RectificationReportOut]
    version: int


class RectificationItemOut(UnitRectificationItemOut):
    """An item as the follow-up page shows it to the agency and the bureau."""

    feedback_note: str
    feedback_at: datetime | None


class RectificationItemPage(BaseModel):
    items: list[RectificationItemOut]
    next_cursor: str | None


class UnitRectificationItemPage(BaseModel):
    items: list[UnitRectificationItemOut]
    next_cursor: str | None
