"""Request and response models of the report check's acknowledgement (api/report_check.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CheckAcknowledgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fingerprint: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="GET /engagements/{id}/report-check 返回的 fingerprint：确认的正是这一组警告",
    )


class CheckAcknowledgementOut(BaseModel):
    id: int
    fingerprint: str
    errors: int
    warnings: int = Field(description="确认的警告项数")
    acknowledged_by_id: int
    acknowledged_by_name: str
    acknowledged_at: datetime
