"""Which recorded actions become webhook events, and the daily deposit check.

Each listener runs inside the action's transaction (workbench/core/audit.py `on_record`), so an
event exists exactly when the action does. The payload carries what a bureau's or a firm's
system needs to act without a second call; the engagement block is the same in every event.
"""

from __future__ import annotations

import uuid
from datetime import date

from huey import crontab
from sqlmodel import Session, select

from workbench import db as database
from workbench.core import jobs
from workbench.core.audit import AuditEntry, on_record
from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement
from workbench.engagements.stages import STAGE_NAMES, Stage
from workbench.finance.ledger import DepositStatus
from workbench.finance.services import agency_deposits
from workbench.webhooks.models import WebhookEndpoint
from workbench.webhooks.services import emit

OVERDUE_EVERY_DAYS = 7


def _once() -> str:
    """An audited action happens once: its event needs no other name."""
    return f"action:{uuid.uuid4()}"


def _stage(value: str | None) -> dict:
    if not value:
        return {"stage": None, "stage_name": ""}
    return {"stage": value, "stage_name": STAGE_NAMES.get(Stage(value), value)}


@on_record("stage.advance")
def stage_advanced(db: Session, *, entry: AuditEntry, obj) -> None:
    emit(
        db,
        engagement=obj,
        event="engagement.stage_advanced",
        key=_once(),
        data={
            "from": _stage((entry.before or {}).get("stage")),
            "to": _stage((entry.after or {}).get("stage")),
            "by": entry.actor_name,
        },
    )


@on_record("review.submit", "review.resubmit")
def submission_sent(db: Session, *, entry: AuditEntry, obj) -> None:
    emit(
        db,
        engagement=db.get(Engagement, obj.engagement_id),
        event="submission.sent",
        key=f"submission:{obj.id}",
        data={
            "submission_id": obj.id,
            "kind": obj.kind,
            "kind_name": obj.kind_name,
            "version": obj.version_number,
            "round": obj.round,
            "note": obj.note,
            "by": entry.actor_name,
        },
    )


@on_record("review.approve", "review.return")
def submission_decided(db: Session, *, entry: AuditEntry, obj) -> None:
    after = entry.after or {}
    emit(
        db,
        engagement=db.get(Engagement, obj.engagement_id),
        event="submission.decided",
        key=f"decision:{obj.id}",
        data={
            "submission_id": obj.id,
            "kind": obj.kind,
            "kind_name": obj.kind_name,
            "version": obj.version_number,
            "round": obj.round,
            "decision": "approve" if entry.action == "review.approve" else "return",
            "decision_name": "审核通过" if entry.action == "review.approve" else "退回修改",
            "comments": after.get("comments", 0),
            "note": after.get("note", ""),
            "by": entry.actor_name,
        },
    )


@on_record("finance.quality_rating")
def rating_recorded(db: Session, *, entry: AuditEntry, obj) -> None:
    emit(
        db,
        engagement=db.get(Engagement, obj.engagement_id),
        event="rating.recorded",
        key=_once(),
        data={
            "quality_score": obj.quality_score,
            "accepted_on": obj.accepted_on,
            "deposit": obj.deposit,
            "release_amount": obj.release_amount,
            "release_due": obj.release_due,
            "summary": entry.summary,
        },
    )


def deposit_events(db: Session, *, today: date) -> int:
    """Releases due within 30 days and overdue ones, for every agency with an endpoint that
    follows them: once per due date, and an overdue one again every 7 days. Returns how many."""
    agencies = set(
        db.exec(select(WebhookEndpoint.agency_id).where(WebhookEndpoint.active == True)).all()  # noqa: E712
    )
    made = 0
    for agency_id in sorted(agencies):
        board = agency_deposits(db, agency_id=agency_id, today=today)
        rows = [(r, "deposit.due") for r in board.due_soon]
        rows += [(r, "deposit.overdue") for r in board.overdue]
        for row, event in rows:
            key = f"{event}:{row.contract.id}:{row.due.isoformat()}"
            if row.status == DepositStatus.overdue:
                key += f":{(today - row.due).days // OVERDUE_EVERY_DAYS}"
            made += len(
                emit(
                    db,
                    engagement=row.engagement,
                    event=event,
                    key=key,
                    data={
                        "release_due": row.due,
                        "release_amount": row.release,
                        "outstanding": row.release_outstanding,
                        "days": (row.due - today).days,
                        "bureau": row.bureau,
                    },
                )
            )
    return made


@jobs.periodic(crontab(minute="5", hour="0"))  # 08:05 Beijing time (the worker's clock is UTC)
def daily_deposit_events() -> None:
    with database.session_scope() as db:
        deposit_events(db, today=today_local())
