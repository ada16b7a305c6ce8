"""The audit log: append-only, written in the same transaction as the change it records."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel, func, select

from workbench import db as database
from workbench.core.timeutil import utcnow


class AuditEntry(SQLModel, table=True):
    """One state change: who, when, what, on which object, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_engagement_at", "engagement_id", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_name: str = Field(default="", max_length=120)
    action: str = Field(max_length=80, index=True)
    object_type: str = Field(max_length=60)
    object_id: int | None = None
    engagement_id: int | None = Field(default=None, foreign_key="engagement.id")
    summary: str = Field(default="", max_length=500)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    # The laptop an entry was made on, offline (workbench/offline); empty on the server.
    device: str = Field(default="", max_length=60)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _device() -> str:
    """The offline instance's device name ("" on a server, or outside an app)."""
    if not has_app_context():
        return ""
    offline = current_app.config.get("OFFLINE") or {}
    return str(offline.get("device") or "")[:60]


def snapshot(obj: Any, fields: list[str] | None = None) -> dict:
    """A JSON-safe picture of a model's columns (or the given fields)."""
    names = fields or [c.name for c in obj.__table__.columns]
    return {name: _plain(getattr(obj, name, None)) for name in names}


# Audited actions others react to in the same transaction (notices: workbench/notices/events.py).
LISTENERS: dict[str, list[Callable[..., None]]] = {}


def on_record(*actions: str) -> Callable:
    """Call `fn(db, entry=..., obj=...)` whenever one of `actions` is recorded."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        for action in actions:
            LISTENERS.setdefault(action, []).append(fn)
        return fn

    return decorate


def record(
    db: Session,
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str | None = None,
    object_id: int | None = None,
    engagement_id: int | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append an audit entry to the current transaction."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "display_name", "") or getattr(actor, "username", "") or "系统",
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        engagement_id=engagement_id,
        summary=summary[:500],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        device=_device(),
    )
    db.add(entry)
    db.flush()
    for listener in LISTENERS.get(action, ()):
        listener(db, entry=entry, obj=obj)
    return entry


def record_after(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    engagement_id: int | None = None,
    summary: str = "",
    after: dict | None = None,
) -> None:
    """Append an audit entry once the request has ended, whatever its outcome.

    For what an auditor asks about although nothing changed: refusals, failed logins, downloads.
    """
    fields = {
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "display_name", "") or "匿名",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "engagement_id": engagement_id,
        "summary": summary[:500],
        "after": _plain(after) if after is not None else None,
        "device": _device(),
    }
    database.write_after_request(lambda session: session.add(AuditEntry(**fields)))


def init_app(app) -> None:
    """Every file a signed-in user downloads or exports is recorded (personal data leaves here)."""
    from flask import g, request
    from flask_login import current_user

    @app.after_request
    def _downloads(response):
        disposition = response.headers.get("Content-Disposition", "")
        if (
            response.status_code == 200
            and disposition.startswith("attachment")
            and getattr(current_user, "is_authenticated", False)
        ):
            obj = g.get("permission_object")
            engagement_id = getattr(obj, "engagement_id", None)
            if engagement_id is None and getattr(obj, "__tablename__", "") == "engagement":
                engagement_id = obj.id
            record_after(
                actor=current_user,
                action="download",
                object_type="page",
                engagement_id=engagement_id,
                summary=f"{request.path}"[:500],
                after={"file": _filename(disposition), "endpoint": request.endpoint or ""},
            )
        return response


def _filename(disposition: str) -> str:
    """The file name a Content-Disposition header names (RFC 6266 filename* first)."""
    from urllib.parse import unquote

    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename*" and "''" in value:
            return unquote(value.split("''", 1)[1])
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip('"')
    return ""


def query(
    db: Session,
    *,
    engagement_id: int | None = None,
    action: str | None = None,
    actor_id: int | None = None,
    scope: Any = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Filter the log, newest first; returns a page and the total count.

    `scope` is a where-clause that limits the rows a reader may see (an agency admin's).
    """
    stmt = select(AuditEntry)
    if scope is not None:
        stmt = stmt.where(scope)
    if engagement_id is not None:
        stmt = stmt.where(AuditEntry.engagement_id == engagement_id)
    if action:
        stmt = stmt.where(AuditEntry.action.contains(action))
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def as_text(value: dict | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
