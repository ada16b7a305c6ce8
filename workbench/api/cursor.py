"""Cursor pagination for the API's lists: `?limit=…&cursor=…` → `{items, next_cursor}`.

A cursor names the last row a page ended on (its id, in an opaque token), so the next page starts
after it however many rows were added meanwhile: no row is skipped or shown twice, as `page=`
offsets do when the list grows between two requests (an audit log always does). Rows are
listed newest first by id. A cursor that is not one is a 422, not an empty page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import request
from sqlmodel import Session, col, func, select

from workbench.core.errors import ValidationFailed
from workbench.core.inputs import query_int

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
_PREFIX = "v1:"


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The id a cursor ends on; ValidationFailed when it is not a cursor of this API."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not number.isdigit() or len(number) > 12:
        raise ValidationFailed.of_field("cursor", "cursor 无效：请使用上一页返回的 next_cursor")
    return int(number)


def window() -> tuple[int | None, int]:
    """The id the request's cursor ends on (None on the first page) and the page's size."""
    limit = min(query_int("limit", DEFAULT_LIMIT), MAX_LIMIT)
    after = request.args.get("cursor")
    return (decode(after) if after is not None else None), limit


def page_mode() -> bool:
    """Whether a list that also keeps its older `page`/`per_page` parameters was asked by them
    (then it answers as before, offset pages in its own order); otherwise it pages by cursor."""
    return "page" in request.args or "per_page" in request.args


def page(db: Session, stmt: Any, id_column: Any) -> tuple[list, str | None]:
    """One page of `stmt` (newest id first) after the request's cursor, and the next cursor."""
    before, limit = window()
    if before is not None:
        stmt = stmt.where(id_column < before)
    rows = list(db.exec(stmt.order_by(col(id_column).desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode(rows[-1].id) if more and rows else None


def page_of(rows: Sequence[T], id_of: Callable[[T], int]) -> tuple[list[T], str | None]:
    """One page of a list a service returns whole (an engagement's few rows), as `page` does."""
    before, limit = window()
    ordered = sorted(rows, key=id_of, reverse=True)
    if before is not None:
        ordered = [row for row in ordered if id_of(row) < before]
    chosen = ordered[:limit]
    return chosen, encode(id_of(chosen[-1])) if len(ordered) > limit else None


def count(db: Session, stmt: Any) -> int:
    """How many rows `stmt` selects in all (the `total` a list kept from its page-numbered days)."""
    return db.exec(select(func.count()).select_from(stmt.subquery())).one()
