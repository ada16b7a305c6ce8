"""Helpers of the hub tests: incoming updates and published content."""

from __future__ import annotations

from tests.library.library_helpers import content
from workbench.hub import services


def wire_item(item_id: int, version: int = 1, publisher: str | None = "甲评价机构", **changes):
    """An item as the feed carries it."""
    data = content(**changes)
    columns = data.columns()
    columns["weight"] = format(data.weight, "f")
    return {
        "id": item_id,
        "version": version,
        "digest": data.digest(),
        "publisher": publisher,
        "sector": "教育",
        "engagement_types": ["project"],
        "content": columns,
        "seq": item_id * 10 + version,
    }


def pending_update(db, connection, *, item_id: int, **changes):
    """A pending update of a new hub item for the connection."""
    from sqlmodel import select

    from workbench.hub.models import HubUpdate

    services.receive(db, connection=connection, items=[wire_item(item_id, **changes)])
    return db.exec(
        select(HubUpdate).where(
            HubUpdate.connection_id == connection.id, HubUpdate.hub_item_id == item_id
        )
    ).one()
