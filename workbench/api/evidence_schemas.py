"""Response models of the evidence endpoints (api/evidence.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class EvidenceRecordOut(BaseModel):
    id: int
    engagement_id: int
    paper_id: int | None = Field(
        description="所在工作底稿；null 为项目资料清单或资料清单收到的文件"
    )
    request_item_id: int | None = Field(description="资料清单中收到该文件的资料项")
    name: str = Field(description="原文件名")
    extension: str
    mime: str
    size: int
    sha256: str = Field(description="内容的 SHA-256，亦为下载响应的 ETag")
    captured_at: datetime | None = Field(description="照片拍摄时间（EXIF）")
    source: str
    note: str
    uploaded_by_id: int | None
    uploaded_by_name: str
    uploaded_via: str
    created_at: datetime
    download: str = Field(description="下载地址（GET，流式传输）")


class EvidencePage(BaseModel):
    items: list[EvidenceRecordOut]
    next_cursor: str | None
