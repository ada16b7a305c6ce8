"""Route × role matrix entries of the indicator library (agency writes, experts read)."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import ADMIN, AGENCY, INTERNAL

EXPECTED = {
    "library.search": INTERNAL,
    "library.detail": INTERNAL,
    "library.diff": INTERNAL,
    "library.review": ADMIN,
    "library.pack_list": INTERNAL,
    "library.export": INTERNAL,
    "library.import_file": ADMIN,
    "library.create": AGENCY,
    "library.edit": ADMIN,  # a shared indicator: only admins edit it
    "library.propose": AGENCY,  # the service then refuses anyone but the owner
    "library.withdraw": AGENCY,
    "library.approve": ADMIN,
    "library.reject": ADMIN,
    "library.deprecate": ADMIN,
    "library.restore": ADMIN,
    "library.add_benchmark": AGENCY,
    "api.list_library_get": INTERNAL,
    "api.get_library_indicator_get": INTERNAL,
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
