"""An agency's webhook endpoints and every delivery made to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class WebhookEndpoint(SQLModel, table=True):
    """A URL an agency's admin registered, with the events it follows and its signing secret."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    # Only the engagements this bureau commissioned (None: every engagement of the agency).
    bureau_id: int | None = Field(default=None, foreign_key="organisation.id")
    url: str = Field(max_length=500)
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=80)
    active: bool = True
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1

    def visible_to(self, user) -> bool:
        """Only the admins of the agency that registered it know the endpoint (else 404)."""
        return bool(getattr(user, "is_admin", False)) and user.org_id == self.agency_id


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: its payload as sent, and the outcome of the latest attempt.

    `event_key` makes an event arrive once per endpoint (a rerun of the daily deposit check, or
    the same audited action seen twice, finds the row and adds nothing).
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_key", name="uq_webhook_delivery_event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    engagement_id: int | None = Field(default=None, foreign_key="engagement.id")
    event: str = Field(max_length=40)
    event_key: str = Field(max_length=120)
    event_id: str = Field(max_length=36)  # the payload's id, the same on every attempt
    payload: str  # the JSON body exactly as signed and sent
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    response_status: int | None = None
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    delivered_at: datetime | None = None
