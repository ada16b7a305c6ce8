"""Route × role matrix entries of the server's offline pages (the laptop's own pages are
registered only on an offline instance: tests of workbench/offline/laptop_views.py)."""

from __future__ import annotations

from tests.permissions_roles import MANAGE, TEAM, for_roles

CARRY = {"lead", "evaluator"}  # offline.carry: the engagement's lead and evaluators, no admin

EXPECTED = {
    "offline.page": TEAM,
    "offline.checkout": CARRY,
    "offline.revoke": MANAGE,
    "offline.checkin": CARRY,
    "offline.report": TEAM,
    "offline.conflicts": TEAM,
    "offline.conflict": TEAM,
    "offline.resolve": MANAGE,
}


def _checkout(db, demo, device: str):
    """A check-out as the service records it (the package file itself is not needed here)."""
    import uuid

    from workbench.offline.models import OfflineCheckout

    row = OfflineCheckout(
        public_id=uuid.uuid4().hex,
        engagement_id=demo.engagement.id,
        user_id=demo.users["demo-evaluator"].id,
        device=device,
    )
    db.add(row)
    db.flush()
    return row


def params(db, demo) -> dict:
    """A check-out, one check-in of it and an open conflict that check-in raised."""
    from workbench.offline.models import OfflineCheckin, OfflineConflict

    out = _checkout(db, demo, "矩阵笔记本")
    checkin = OfflineCheckin(
        checkout_id=out.id,
        export_id=out.public_id,
        by_id=demo.users["demo-evaluator"].id,
        summary={"updated": {"指标": 1}, "conflicts": 1},
    )
    db.add(checkin)
    db.flush()
    conflict = OfflineConflict(
        checkin_id=checkin.id,
        checkout_id=out.id,
        engagement_id=demo.engagement.id,
        table_name="indicator",
        key="1",
        server_key="1",
        label="指标 矩阵",
        fields=[{"field": "actual", "label": "实际值", "base": "", "server": "1", "offline": "2"}],
    )
    db.add(conflict)
    db.flush()
    return {"checkout_id": out.id, "checkin_id": checkin.id, "conflict_id": conflict.id}


def endpoint_params(db, demo) -> dict:
    """Each manager revokes an active check-out of its own (a second revoke finds it ended)."""
    return {
        "offline.revoke": {
            "checkout_id": for_roles(MANAGE, lambda role: _checkout(db, demo, f"{role}笔记本").id)
        }
    }
