"""The audit log through the API: an engagement's, and the whole agency's for its admin.

The same rows and filters as the 操作日志 pages (core/audit_view.py: who, action, object_type,
object_id, since, until — days in Beijing time), newest first, with cursor pagination.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask_login import current_user
from pydantic import BaseModel

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, respond
from workbench.api.engagements import load
from workbench.core.audit import AuditEntry
from workbench.core.audit_labels import ACTIONS, OBJECTS
from workbench.core.audit_view import AuditFilter, entries_query
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements

FILTERS = (
    "筛选：who（操作人姓名包含）、action、object_type、object_id、since、until（北京时间日期）"
)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    action_name: str
    object_type: str
    object_name: str
    object_id: int | None
    engagement_id: int | None
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None


def _entries(scope: Any) -> AuditPage:
    wanted = AuditFilter.from_args(request.args)
    if wanted.errors:
        details = [{"field": k, "message": v} for k, v in wanted.errors.items()]
        raise ValidationFailed("筛选条件有误", details=details)
    rows, next_cursor = cursor.page(db.session(), entries_query(scope, wanted), AuditEntry.id)
    return AuditPage(
        items=[
            AuditOut(
                **row.model_dump(
                    include=set(AuditOut.model_fields) - {"action_name", "object_name"}
                ),
                action_name=ACTIONS.get(row.action, row.action),
                object_name=OBJECTS.get(row.object_type, row.object_type),
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


@operation(
    "/engagements/{id}/audit",
    "GET",
    summary=f"项目的操作日志（新的在前；分页：limit, cursor；{FILTERS}）",
    response=AuditPage,
    tag="audit",
)
@requires("engagement.team", load=load)
def engagement_audit(id: int):  # noqa: A002
    return respond(_entries(AuditEntry.engagement_id == guarded_object().id))


@operation(
    "/audit",
    "GET",
    summary=f"本机构的操作日志，机构管理员可读（新的在前；分页：limit, cursor；{FILTERS}）",
    response=AuditPage,
    tag="audit",
)
@requires("admin")
def agency_audit():
    return respond(_entries(engagements.agency_audit_scope(current_user)))
