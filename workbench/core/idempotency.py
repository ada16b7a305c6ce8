"""Idempotency keys for the API's creates: a client that retries a POST gets the first answer again.

A system that creates an engagement, a working paper or a team member over a flaky link cannot
tell whether its request was lost or only the answer was; retrying must not create a second one.
A create sent with `Idempotency-Key: <key>` (1–200 visible ASCII characters, unique per user) keeps
its JSON answer for 24 hours, written in the same transaction as the create itself: a retry with
the same key and the same request gets that answer again (header `Idempotent-Replayed: true`) and
creates nothing; the same key with another request is refused (422); two requests with one key at
the same moment — the second finds the first's record at its commit — get 409, and the one that lost
writes nothing. Answers that are not 2xx JSON are not kept, so a corrected request may reuse its key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from flask import make_response, request
from flask_login import current_user
from sqlalchemy import Index, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, select

from workbench import db
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.timeutil import utcnow

HEADER = "Idempotency-Key"
KEPT = timedelta(hours=24)
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


class ApiReplay(SQLModel, table=True):
    """The first answer to a create sent with an idempotency key."""

    __tablename__ = "api_replay"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_api_replay_user_key"),
        Index("ix_api_replay_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)  # method, path and body of the first request
    status: int
    body: str
    content_type: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(found: ApiReplay):
    response = make_response(found.body, found.status)
    response.headers["Content-Type"] = found.content_type
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable) -> Callable:
    """Wrap an API create so that `Idempotency-Key` makes retrying it safe (see the module)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY.fullmatch(key):
            raise ValidationFailed.of_field(HEADER, "Idempotency-Key 须为 1–200 个可见 ASCII 字符")
        session = db.session()
        fingerprint = _fingerprint()
        found = session.exec(
            select(ApiReplay).where(
                ApiReplay.user_id == current_user.id,
                ApiReplay.key == key,
                ApiReplay.created_at > utcnow() - KEPT,
            )
        ).first()
        if found is not None:
            if found.fingerprint != fingerprint:
                raise ValidationFailed.of_field(HEADER, "该 Idempotency-Key 已用于另一个请求")
            return _replay(found)
        response = make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 300 and response.is_json:
            session.execute(
                delete(ApiReplay).where(
                    ApiReplay.user_id == current_user.id,
                    (ApiReplay.key == key) | (ApiReplay.created_at <= utcnow() - KEPT),
                )
            )
            session.add(
                ApiReplay(
                    user_id=current_user.id,
                    key=key,
                    fingerprint=fingerprint,
                    status=response.status_code,
                    body=response.get_data(as_text=True),
                    content_type=response.content_type,
                )  # fmt: skip
            )
            try:
                with session.begin_nested():
                    session.flush()
            except IntegrityError:
                raise Conflict(
                    "同一 Idempotency-Key 的请求正在处理或刚刚完成，请稍后用同一键重试"
                ) from None
        return response

    return wrapper
