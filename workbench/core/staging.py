"""Rows checked at an import's preview, carried to its confirmation in the page itself.

The preview page holds the checked rows as a signed token (itsdangerous, keyed by the app's
secret): the confirmation writes exactly what was previewed, no file is kept on the server between
the two steps, and a token cannot be altered, replayed by another user, moved to another
engagement or kind of import, or used after an hour. The rows are parsed again from the token with
the same fields, and the service checks them against the database again before writing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from workbench.core.errors import DomainError, ValidationFailed, detail_text
from workbench.core.problems import FieldError
from workbench.core.spreadsheet import (
    Field,
    TableProblem,
    TableRead,
    TableRow,
    as_text,
    from_text,
)

MAX_AGE_SECONDS = 3600
EXPIRED = "预览已失效（超过一小时或已被修改），请重新上传文件"


def _serializer(kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"table-import:{kind}")


def stage(
    kind: str, *, scope: int, user_id: int, rows: Sequence[TableRow], fields: Sequence[Field]
) -> str:
    """A token holding the rows for this user, this scope (e.g. the engagement) and this kind."""
    return _serializer(kind).dumps({"scope": scope, "user": user_id, "rows": as_text(rows, fields)})


def unstage(
    token: str, *, kind: str, scope: int, user_id: int, fields: Sequence[Field]
) -> TableRead:
    """The rows `stage` put in the token; ValidationFailed when it is not this user's, this
    scope's and this kind's, has been altered, or is more than an hour old."""
    try:
        carried = _serializer(kind).loads(token or "", max_age=MAX_AGE_SECONDS)
    except BadSignature:  # SignatureExpired is one
        raise ValidationFailed(EXPIRED) from None
    if not isinstance(carried, dict) or (carried.get("scope"), carried.get("user")) != (
        scope,
        user_id,
    ):
        raise ValidationFailed(EXPIRED)
    try:
        return from_text(carried["rows"], fields)
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(EXPIRED) from None


def row_problem(error: DomainError, row: int) -> TableProblem:
    """A service's refusal of one imported row, worded for the row: 第5行：….

    The details are said after the message unless the message already says them.
    """
    texts = [detail_text(d) for d in error.details]
    extra = "；".join(t for t in texts if t and t not in error.message)
    return TableProblem(f"{error.message}（{extra}）" if extra else error.message, row)


class RowsRefused(ValidationFailed):
    """An import refused as a whole; `problems` place each reason by row and column."""

    def __init__(self, problems: Sequence[TableProblem]):
        # In the sheet's order, whether a cell or the database found them.
        self.problems = sorted(problems, key=lambda p: p.row or 0)
        # Each problem's sentence already names its row and column (第5行“金额”列：…).
        super().__init__(
            "文件有误，未导入任何内容", details=[FieldError(p.text) for p in self.problems]
        )


def refuse_rows(problems: Sequence[TableProblem]) -> None:
    """Raise the import's refusal when any row has a problem (the request then writes nothing)."""
    if problems:
        raise RowsRefused(problems)


T = TypeVar("T")


def rehearse(db: Session, write: Callable[[], T]) -> T:
    """Run `write` (an import's own writing code) in a savepoint and undo it: the preview says
    what the confirmation will do because it is the same code, and nothing stays written."""
    savepoint = db.begin_nested()
    try:
        return write()
    finally:
        savepoint.rollback()
