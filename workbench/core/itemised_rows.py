"""The rows of an itemised list (core/itemised.py): its items in order, one item of its owner.

Each domain keeps its own item table (opinions, rectification items, requested materials); these
read any of them by naming the owner column and the column that numbers the items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from workbench.core.errors import NotFound

T = TypeVar("T")


def items_by_owner(
    db: Session, model: type[T], *, owner: str, owner_ids: Sequence[int], number: str
) -> dict[int, list[T]]:
    """Each owner's items ordered by their number, then as created (one query)."""
    found: dict[int, list[T]] = {owner_id: [] for owner_id in owner_ids}
    if owner_ids:
        owner_column = getattr(model, owner)
        rows = db.exec(
            select(model)
            .where(col(owner_column).in_(list(owner_ids)))
            .order_by(col(getattr(model, number)), col(model.id))  # type: ignore[attr-defined]
        ).all()
        for row in rows:
            found[getattr(row, owner)].append(row)
    return found


def items_of(db: Session, model: type[T], *, owner: str, owner_id: int, number: str) -> list[T]:
    """One owner's items ordered by their number, then as created."""
    return items_by_owner(db, model, owner=owner, owner_ids=[owner_id], number=number)[owner_id]


def last_number(db: Session, model: type[Any], *, owner: str, owner_id: int, number: str) -> int:
    """The highest number among the owner's items (0 when it has none)."""
    column = getattr(model, number)
    return db.exec(select(func.max(column)).where(getattr(model, owner) == owner_id)).one() or 0


def item_of(
    db: Session, model: type[T], item_id: int, *, owner: str, owner_id: int, missing: str
) -> T:
    """The item `item_id` when it belongs to the owner; NotFound (`missing`) otherwise."""
    item = db.get(model, item_id)
    if item is None or getattr(item, owner) != owner_id:
        raise NotFound(missing)
    return item
