"""The bodies and answers of the document requests' and findings' API (api/fieldwork_record.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RequestItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str = Field(default="", max_length=1000)
    due_date: date | None = None


class RequestItemsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[RequestItemIn] = Field(min_length=1, max_length=500)
    due_date: date | None = None  # for the items that give none, as the page's 统一截止日期


class DocumentRequestIn(RequestItemsIn):
    title: Name
    note: str = Field(default="", max_length=2000)
    paper_id: int | None = Field(default=None, ge=1)
    receipt_paper_id: int | None = Field(default=None, ge=1)


class RequestSendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_user_id: int = Field(ge=1)


class RequestItemStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["requested", "received", "waived"]
    reason: str = Field(default="", max_length=1000)


class RequestFileOut(BaseModel):
    id: int
    name: str
    sha256: str
    size: int
    uploaded_via: str
    created_at: datetime


class RequestItemOut(BaseModel):
    id: int
    number: int
    name: str
    description: str
    due_date: date | None
    status: str
    status_name: str
    overdue: bool
    waive_reason: str
    received_at: datetime | None
    files: list[RequestFileOut]


class DocumentRequestOut(BaseModel):
    id: int
    engagement_id: int
    title: str
    note: str
    paper_id: int | None
    receipt_paper_id: int | None
    contact_user_id: int | None
    contact_name: str
    sent_at: datetime | None
    created_at: datetime
    item_count: int
    received: int
    waived: int
    overdue: int
    version: int


class DocumentRequestDetail(DocumentRequestOut):
    items: list[RequestItemOut]


class DocumentRequestPage(BaseModel):
    items: list[DocumentRequestOut]
    next_cursor: str | None


class RequestItemList(BaseModel):
    items: list[RequestItemOut]


class RequestUploadOut(BaseModel):
    files: list[RequestFileOut]
    item: RequestItemOut


class PaperFindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    kind: Literal["observation", "deduction", "element"] = "observation"
    indicator_id: int | None = Field(default=None, ge=1)
    indicator_path: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        default=None, min_length=3, max_length=3
    )
    points: Decimal | None = Field(default=None, max_digits=8, decimal_places=2)
    element_index: int | None = Field(default=None, ge=1, le=1000)
    met: Decimal | None = Field(default=None, max_digits=5, decimal_places=4)
    money: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)
    evidence_ids: list[int] = Field(default_factory=list, max_length=200)
    confirm_clear_signoffs: bool = False

    @model_validator(mode="after")
    def _one_indicator(self) -> PaperFindingIn:
        if self.indicator_id is not None and self.indicator_path is not None:
            raise ValueError("indicator_id 与 indicator_path 只能给一个")
        return self


class PaperFindingOut(BaseModel):
    id: int
    paper_id: int
    paper_index: str
    paper_title: str
    kind: str
    kind_name: str
    text: str
    indicator_id: int | None
    indicator_path: list[str] | None
    points: Decimal | None
    element_index: int | None
    met: Decimal | None
    money: Decimal | None
    evidence_count: int
    recorded_by_id: int | None
    recorded_by_name: str
    created_at: datetime


class PaperFindingPage(BaseModel):
    items: list[PaperFindingOut]
    next_cursor: str | None


class PaperFindingCreated(PaperFindingOut):
    paper_status: str
    paper_status_name: str


class FindingEvidenceOut(BaseModel):
    id: int
    name: str
    sha256: str


class PaperFindingDetail(PaperFindingOut):
    evidence: list[FindingEvidenceOut]
    paper_status: str
    paper_status_name: str
