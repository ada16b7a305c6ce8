"""Request and response models of the indicator confirmation and the score sign-off
(api/scoring_record.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class IndicatorConfirmationOut(BaseModel):
    confirmed: bool
    confirmed_by_id: int | None
    confirmed_by_name: str
    confirmed_at: datetime | None
    blockers: list[str] = Field(
        description="指标体系不能确认的原因（分值合计不为 100、规则有误等）"
    )
    warnings: list[str]


class IndicatorUnconfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm_clear_signoffs: bool = Field(
        default=False, description="评分已签字时撤销确认将清除该签字：须传 true 确认，否则 409"
    )


class ScoreSignoffOut(BaseModel):
    """The lead's sign-off of the scores, judged against the scores computed now."""

    signed: bool = Field(description="有签字记录")
    holds: bool = Field(description="签字仍有效：现在算出的各指标得分、总分和等级与签字时一致")
    stale: bool = Field(description="已签字但得分此后有变化，须重新签字")
    stale_message: str
    signed_by_id: int | None
    signed_by_name: str
    signed_at: datetime | None
    signed_total: str | None = Field(description="签字时的总分")
    signed_grade: str | None
    total: str | None = Field(description="现在算出的总分（有指标未能计分时为 null）")
    grade: str | None
    blockers: list[str] = Field(description="评分尚未完成、不能签字的原因（不含签字本身）")
