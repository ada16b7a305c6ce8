"""A queued job's state in a row of its own: claim an attempt, retry with backoff, find the lost.

The row has `status`, `attempts`, `started_at` (when the running attempt began; None while the job
waits) and `next_attempt_at` (when it is due while it waits). An attempt is claimed in a short
transaction of its own, so two workers, or a retry and the sweep, never run the same attempt; the
work then closes the row with `finish`, in the transaction that stores its result, and only if
its attempt still holds the row (a slower attempt taken over by the sweep rolls back). An attempt
running longer than `JOB_TIME_LIMIT` is taken as lost with its worker: `lost_ids` names it, and
the domain's sweep queues it again. A transient fault (`jobs.TRANSIENT`) is retried after
`JOB_RETRY_SECONDS`, then twice that…; a refusal is the job's outcome at once.

Progress that other processes must see (rows done of a survey import) is kept in the queue's own
key-value storage (`put_progress`/`progress`): the queue's SQLite file in the embedded mode, so
it never waits for the database's single writer, and Redis (or PostgreSQL) on a cluster.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from flask import current_app
from huey.constants import EmptyData
from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from workbench import db as database
from workbench.core import jobs
from workbench.core.timeutil import utcnow

__all__ = ["Superseded", "claim", "finish", "lost_ids", "progress", "put_progress", "retry_later"]


class Superseded(Exception):
    """The attempt lost the row to a newer one (it ran past the time limit): its work rolls back."""


def time_limit() -> timedelta:
    return timedelta(seconds=int(current_app.config["JOB_TIME_LIMIT"]))


def max_attempts() -> int:
    return int(current_app.config["JOB_MAX_ATTEMPTS"])


def backoff(attempt: int) -> float:
    """Seconds to wait after the `attempt`-th failed attempt: base, 2×base, 4×base…"""
    return float(current_app.config["JOB_RETRY_SECONDS"]) * 2 ** max(attempt - 1, 0)


def claim(model: Any, row_id: int, *, open_statuses: tuple[str, ...]) -> int | None:
    """Take the job's next attempt: its number, or None (closed, not due, or another worker's).

    A number above `max_attempts()` means the job has been tried enough: the caller fails it.
    """
    now = utcnow()
    with database.session_scope() as db:
        row = db.get(model, row_id)
        if row is None or row.status not in open_statuses:
            return None
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None  # a retry waits for its time
        if row.started_at is not None and row.started_at > now - time_limit():
            return None  # another worker runs it
        attempt = row.attempts + 1
        taken = db.exec(
            update(model)
            .where(
                col(model.id) == row_id,
                col(model.attempts) == row.attempts,
                col(model.status).in_(open_statuses),
            )
            .values(attempts=attempt, started_at=now, next_attempt_at=None)
        )
        return attempt if taken.rowcount == 1 else None


def finish(db: Any, model: Any, row_id: int, attempt: int | None, **values: Any) -> None:
    """Close the job in `db`'s transaction; Superseded when a newer attempt holds the row."""
    where = [col(model.id) == row_id]
    if attempt is not None:
        where.append(col(model.attempts) == attempt)
    closed = db.exec(
        update(model)
        .where(*where)
        .values(next_attempt_at=None, finished_at=utcnow(), **values)
        .execution_options(synchronize_session="fetch")
    )
    if closed.rowcount != 1:
        raise Superseded(f"{model.__tablename__} {row_id}: attempt {attempt} was taken over")


def retry_later(model: Any, row_id: int, attempt: int) -> float | None:
    """After a transient fault: the job is due again after a backoff (seconds), or None when
    its attempts are used up (the caller fails it)."""
    if attempt >= max_attempts():
        return None
    wait = backoff(attempt)
    with database.session_scope() as db:
        db.exec(
            update(model)
            .where(col(model.id) == row_id, col(model.attempts) == attempt)
            .values(started_at=None, next_attempt_at=utcnow() + timedelta(seconds=wait))
        )

    return wait


def lost_ids(model: Any, *, open_statuses: tuple[str, ...], limit: int = 100) -> list[int]:
    """Open jobs whose attempt ran past the time limit, or that are a minute overdue: their
    queued job was lost (a worker killed, the queue unreachable when they were asked for)."""
    now = utcnow()
    started, due = col(model.started_at), col(model.next_attempt_at)
    with database.session_scope(write=False) as db:
        return list(
            db.exec(
                select(model.id)
                .where(
                    col(model.status).in_(open_statuses),
                    or_(
                        and_(started.is_not(None), started < now - time_limit()),
                        and_(started.is_(None), due <= now - timedelta(minutes=1)),
                    ),
                )
                .order_by(col(model.id))
                .limit(limit)
            ).all()
        )


# --- progress ------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return f"workbench:progress:{name}"


def put_progress(name: str, **values: Any) -> None:
    """Publish a running job's progress (with the time it was said) for every process to read."""
    body = json.dumps({**values, "at": time.time()}).encode()
    jobs.queue.storage.put_data(_key(name), body)


def progress(name: str) -> dict[str, Any] | None:
    """The progress last published under `name`, with `age` in seconds; None when there is none."""
    found = jobs.queue.storage.peek_data(_key(name))
    if found is EmptyData:
        return None
    values = json.loads(found)
    values["age"] = time.time() - values.get("at", 0)
    return values


def drop_progress(name: str) -> None:
    jobs.queue.storage.delete_data(_key(name))
