"""Copying every blob from one store to another, each hash checked (pure: no Flask, no session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.core.blobstore import BlobStore, stored_hash


@dataclass
class CopyReport:
    copied: int = 0
    skipped: int = 0  # already in the target with the right bytes (a resumed migration)
    corrupt: list[str] = field(default_factory=list)  # the source's bytes no longer match the name
    mismatched: list[str] = field(default_factory=list)  # the copy did not arrive intact

    @property
    def ok(self) -> bool:
        return not self.corrupt and not self.mismatched


def copy_all(
    source: BlobStore, target: BlobStore, *, done: Callable[[str, str], None] | None = None
) -> CopyReport:
    """Copy what the target lacks (or holds damaged); every copy is read back and hashed.

    A source blob whose bytes no longer hash to its name is not copied (a damaged file must not
    become the only copy). `done(sha, outcome)` hears of each blob: copied/skipped/corrupt/mismatched.
    """
    report = CopyReport()
    for sha in source.shas():
        if stored_hash(target, sha) == sha:
            outcome = "skipped"
        elif stored_hash(source, sha) != sha:
            outcome = "corrupt"
        else:
            with source.open(sha) as reader:
                target.put(sha, reader)
            outcome = "copied" if stored_hash(target, sha) == sha else "mismatched"
        if outcome in ("copied", "skipped"):
            setattr(report, outcome, getattr(report, outcome) + 1)
        else:
            getattr(report, outcome).append(sha)
        if done:
            done(sha, outcome)
    return report
