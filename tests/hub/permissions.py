"""Route × role matrix entries of the hub pages (agency admins; the /hub/v1 protocol is
registered only with HUB_MODE and is covered by tests/hub/test_protocol.py)."""

from __future__ import annotations

from tests.permissions_roles import ANY_ADMIN, each_role

EXPECTED = {
    "hub.index": ANY_ADMIN,
    "hub.save_connection": ANY_ADMIN,
    "hub.run_sync": ANY_ADMIN,
    "hub.import_pack": ANY_ADMIN,
    "hub.publish": ANY_ADMIN,
    "hub.updates": ANY_ADMIN,
    "hub.update_detail": ANY_ADMIN,
    "hub.accept": ANY_ADMIN,
    "hub.accept_all": ANY_ADMIN,  # the same predicate as accepting one
    "hub.keep": ANY_ADMIN,
    "hub.members": ANY_ADMIN,
    "hub.create_member": ANY_ADMIN,
    "hub.revoke_member": ANY_ADMIN,
    "hub.download_pack": ANY_ADMIN,
}


def _connection(db, user):
    """The user's agency's connection: to a closed port, so a sync records the hub as away."""
    from workbench.hub import services

    found = services.connection_of(db, user.org_id)
    if found is None:
        found = services.save_connection(
            db,
            actor=user,
            url="https://127.0.0.1:9",
            key="wbh_matrix",
            public_key="",
            region="",
            share_stats=False,
            secret="test-secret",
        )
    return found


def endpoint_params(db, demo) -> dict:
    """Each admin gets a connection of its agency and a pending update of its own."""
    from tests.hub.helpers import pending_update
    from workbench.hub import hub_side

    def admin_of(role: str):
        user = demo.users.get(f"demo-{role}")
        return user if user is not None and user.is_admin else demo.users["demo-admin"]

    def update_for(role: str) -> int:
        connection = _connection(db, admin_of(role))
        return pending_update(db, connection, item_id=1000 + len(role) * 7 + ord(role[0])).id

    def member_for(role: str) -> int:
        member, _key = hub_side.create_member(db, actor=None, name=f"矩阵成员{role}")
        return member.id

    for role in ("admin", "admin2"):
        if f"demo-{role}" in demo.users:
            _connection(db, demo.users[f"demo-{role}"])
    return {
        "hub.update_detail": {"update_id": each_role(update_for)},
        "hub.accept": {"update_id": each_role(update_for)},
        "hub.keep": {"update_id": each_role(update_for)},
        "hub.revoke_member": {"member_id": each_role(member_for)},
    }


def params(db, demo) -> dict:
    """An update of the demo agency's connection and a hub member, for routes that name them."""
    from tests.hub.helpers import pending_update
    from workbench.hub import hub_side

    connection = _connection(db, demo.users["demo-admin"])
    member, _key = hub_side.create_member(db, actor=None, name="参数成员")
    return {
        "update_id": pending_update(db, connection, item_id=999).id,
        "member_id": member.id,
    }
