"""Files no record holds, removed: `workbench storage sweep`.

A check-in or an upload writes its files before its rows commit; killed half-way, or refused after
its files were written (a later file of a return package that is not what its name says), it leaves
files without a blob row — harmless (named by their content, written again by the next write that
needs them) but taking disk. A sweep removes those untouched for a while (a day by default, so a
write still running keeps its files); each is looked at again just before it goes, and one reused
meanwhile (`storage.store` touches a file it finds without a row) stays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from workbench.core.blobstore.local import LocalStore
from workbench.core.storage import backend, known


@dataclass(frozen=True)
class Swept:
    found: int  # files without a row, untouched for the time given
    size: int  # their bytes
    removed: int  # of them, removed (none on a dry run)
    leftovers: int  # temporary files of writes that never finished (a local folder's); removed
    # with the rest unless on a dry run


def sweep(
    db: Session, *, older_than: timedelta, dry_run: bool = False, now: float | None = None
) -> Swept:
    """Remove (unless `dry_run`) the stored files no blob row holds, untouched for `older_than`."""
    target = backend()
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    old = [stored for stored in target.listing() if stored.modified < cutoff]
    held = known(db, [stored.sha256 for stored in old])
    orphans = [stored for stored in old if stored.sha256 not in held]
    leftovers = target.leftovers(cutoff) if isinstance(target, LocalStore) else []
    removed = 0
    if not dry_run:
        db.rollback()  # a new snapshot: rows committed since the listing are seen below
        held_now = known(db, [stored.sha256 for stored in orphans])
        for stored in orphans:
            # Looked at just before it goes: `storage.store` touches a file before its row commits.
            modified = target.modified(stored.sha256)
            if stored.sha256 in held_now or modified is None or modified >= cutoff:
                continue  # reused meanwhile, or gone
            target.delete(stored.sha256)
            removed += 1
        for path in leftovers:
            path.unlink(missing_ok=True)
    return Swept(
        found=len(orphans),
        size=sum(stored.size for stored in orphans),
        removed=removed,
        leftovers=len(leftovers),
    )
