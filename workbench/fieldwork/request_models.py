"""Evidence files and document requests (资料清单) to the evaluated unit."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow


class ItemStatus(StrEnum):
    requested = "requested"
    received = "received"
    waived = "waived"


ITEM_STATUS_NAMES = {
    ItemStatus.requested: "待提供",
    ItemStatus.received: "已收到",
    ItemStatus.waived: "免于提供",
}
OVERDUE_NAME = "已逾期"


class Evidence(SQLModel, table=True):
    """One evidence file (佐证材料): on a paper, or on the engagement's evidence list."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    paper_id: int | None = Field(default=None, foreign_key="working_paper.id", index=True)
    request_item_id: int | None = Field(
        default=None, foreign_key="document_request_item.id", index=True
    )
    sha256: str = Field(foreign_key="blob.sha256", max_length=64, index=True)
    name: str = Field(max_length=200)
    extension: str = Field(max_length=10)
    mime: str = Field(max_length=120)
    size: int
    captured_at: datetime | None = None  # photo capture time from EXIF
    # Where the photo was taken (EXIF GPS, decimal degrees): evidence of a site visit's place.
    latitude: Decimal | None = Field(default=None, sa_type=DecimalType(6))
    longitude: Decimal | None = Field(default=None, sa_type=DecimalType(6))
    source: str = Field(default="", max_length=200)  # 来源, e.g. 被评价单位提供
    note: str = Field(default="", max_length=500)  # 备注/页码
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_via: str = Field(default="user", max_length=10)  # user | link
    created_at: datetime = Field(default_factory=utcnow)


_request_version = version_column()


class DocumentRequest(SQLModel, table=True):
    """A list of materials requested from the evaluated unit, sent to its contact or by a link."""

    __tablename__ = "document_request"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    title: str = Field(max_length=200)
    note: str = Field(default="", max_length=2000)
    paper_id: int | None = Field(default=None, foreign_key="working_paper.id")  # 资料清单
    receipt_paper_id: int | None = Field(default=None, foreign_key="working_paper.id")
    contact_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    sent_at: datetime | None = None
    sent_by_id: int | None = Field(default=None, foreign_key="user.id")
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    token_expires_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_request_version)

    __mapper_args__ = {"version_id_col": _request_version}

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class RequestItem(SQLModel, table=True):
    """One requested material; overdue is derived (requested and past its due date)."""

    __tablename__ = "document_request_item"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="document_request.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)
    due_date: date | None = Field(default=None, index=True)
    status: str = Field(default=ItemStatus.requested.value, max_length=12, index=True)
    waive_reason: str = Field(default="", max_length=1000)
    received_at: datetime | None = None
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)

    def is_overdue(self, today: date) -> bool:
        return (
            self.status == ItemStatus.requested
            and self.due_date is not None
            and self.due_date < today
        )

    def status_name(self, today: date) -> str:
        return (
            OVERDUE_NAME if self.is_overdue(today) else ITEM_STATUS_NAMES[ItemStatus(self.status)]
        )

    def status_badge(self, today: date) -> str:
        if self.is_overdue(today):
            return "danger"
        return {"requested": "warning", "received": "success", "waived": "secondary"}[self.status]
