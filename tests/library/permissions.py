"""Route × role matrix entries of the indicator library (agency writes, experts read)."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import ANY_ADMIN, ANY_AGENCY, INTERNAL, OTHER_AGENCY, each_role

# The instance's library is shared by every agency on the instance (issue 20 gives each firm its
# own library and a hub between firms): another agency's people read and curate the same one.
SHARED_READ = INTERNAL | OTHER_AGENCY

EXPECTED = {
    "library.search": SHARED_READ,
    "library.detail": SHARED_READ,
    "library.diff": SHARED_READ,
    "library.review": ANY_ADMIN,
    "library.pack_list": SHARED_READ,
    "library.export": SHARED_READ,
    "library.import_file": ANY_ADMIN,
    "library.create": ANY_AGENCY,
    "library.edit": ANY_ADMIN,  # a shared indicator: only admins edit it
    # The owner of a personal indicator (endpoint_params gives each agency role its own).
    "library.propose": ANY_AGENCY,
    "library.withdraw": ANY_AGENCY,
    "library.approve": ANY_ADMIN,
    "library.reject": ANY_ADMIN,
    "library.deprecate": ANY_ADMIN,
    "library.restore": ANY_ADMIN,
    "library.add_benchmark": ANY_AGENCY,
    "library.benchmark_list": SHARED_READ,
    "library.benchmark_template": SHARED_READ,
    "library.benchmark_import": ANY_AGENCY,
    "library.benchmark_import_confirm": ANY_AGENCY,
    "api.list_library_get": SHARED_READ,
    "api.get_library_indicator_get": SHARED_READ,
}


def params(db, demo) -> dict:
    """A shared pack indicator and its pack."""
    from workbench.library import services
    from workbench.library.models import LibraryIndicator, Status

    shared = db.exec(
        select(LibraryIndicator)
        .where(LibraryIndicator.status == Status.shared)
        .order_by(LibraryIndicator.id)
    ).first()
    if shared is None:
        services.load_shipped(db)
        shared = db.exec(select(LibraryIndicator).order_by(LibraryIndicator.id)).first()
    return {"library_id": shared.id, "pack_key": shared.pack_key}


def endpoint_params(db, demo) -> dict:
    """Each agency role proposes (and withdraws) an indicator of its own; others get another's."""
    from tests.library.library_helpers import content
    from workbench.library import services

    def owned(proposed: bool):
        def for_role(role: str) -> int:
            user = demo.users.get(f"demo-{role}")
            if user is None or not user.is_agency:
                user = demo.users["demo-evaluator"]
            row = services.create_personal(db, actor=user, data=content(name=f"矩阵{role}指标"))
            if proposed:
                services.propose(db, actor=user, indicator=row, version=row.version)
            db.flush()
            return row.id

        return for_role

    return {
        "library.propose": {"library_id": each_role(owned(proposed=False))},
        "library.withdraw": {"library_id": each_role(owned(proposed=True))},
    }
