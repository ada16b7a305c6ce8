"""Route × role matrix entries of the indicator library (agency writes, experts read)."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import ANY_ADMIN, ANY_AGENCY, INTERNAL, OTHER_AGENCY

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
    "library.propose": ANY_AGENCY,  # the service then refuses anyone but the owner
    "library.withdraw": ANY_AGENCY,
    "library.approve": ANY_ADMIN,
    "library.reject": ANY_ADMIN,
    "library.deprecate": ANY_ADMIN,
    "library.restore": ANY_ADMIN,
    "library.add_benchmark": ANY_AGENCY,
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
