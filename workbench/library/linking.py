"""Which library indicator an engagement's leaf is, when it was placed without saying so (an
indicator sheet, a JSON tree): so the library's usage counts and score-rate distributions fill
themselves.

A leaf with a library key (the sheet's optional 指标代码 column) links to that shared or proposed
indicator. Otherwise
the shared indicators that apply to the engagement's type are tried in turn: the same 一级/二级/
三级 path in the type's common framework, the same path in any pack, the same name in the common
framework, the same name in any pack. The first try that finds exactly one indicator links to
its current version; a try that finds several stops there (ambiguous: better unlinked than wrong).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from workbench.library.models import (
    Kind,
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryPack,
    Status,
)

Path = tuple[str, str, str]


@dataclass(frozen=True)
class Candidate:
    """A shared library indicator as matching sees it."""

    indicator_id: int
    version: int
    key: str
    path: Path
    in_framework: bool

    @property
    def name(self) -> str:
        return self.path[2]


def match(path: Path, candidates: Sequence[Candidate]) -> Candidate | None:
    """The one candidate a leaf's path names (None when none or several fit)."""
    tries = (
        lambda c: c.in_framework and c.path == path,
        lambda c: c.path == path,
        lambda c: c.in_framework and c.name == path[2],
        lambda c: c.name == path[2],
    )
    for fits in tries:
        found = [c for c in candidates if fits(c)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def candidates(db: Session, *, engagement_type: str) -> list[Candidate]:
    """Shared indicators that apply to the engagement type, each with its current version's path."""
    framework = {
        pack.key
        for pack in db.exec(select(LibraryPack).where(LibraryPack.kind == Kind.common)).all()
        if engagement_type in (pack.engagement_types or [])
    }
    rows = db.exec(
        select(LibraryIndicator, LibraryIndicatorVersion)
        .join(
            LibraryIndicatorVersion,
            (LibraryIndicatorVersion.indicator_id == LibraryIndicator.id)
            & (LibraryIndicatorVersion.number == LibraryIndicator.current_version),
        )
        .where(
            LibraryIndicator.status == Status.shared,
            col(LibraryIndicator.engagement_types).contains(f",{engagement_type},"),
        )
    ).all()
    return [
        Candidate(
            indicator_id=indicator.id,
            version=version.number,
            key=indicator.key,
            path=version.path,
            in_framework=indicator.pack_key in framework,
        )
        for indicator, version in rows
    ]


def links_for(
    db: Session,
    *,
    engagement_type: str,
    paths: Iterable[Path],
    keys: dict[Path, str] | None = None,
) -> dict[Path, tuple[int, int]]:
    """(library indicator id, version) for each leaf path that matches, by key or by path/name."""
    wanted = list(paths)
    if not wanted:
        return {}
    keys = {path: key.strip() for path, key in (keys or {}).items() if key and key.strip()}
    found = candidates(db, engagement_type=engagement_type)
    keyed = _by_key(db, set(keys.values()))
    links: dict[Path, tuple[int, int]] = {}
    for path in wanted:
        if keys.get(path) in keyed:
            links[path] = keyed[keys[path]]
            continue
        chosen = match(path, found)  # no key, or one the library does not know: by path/name
        if chosen is not None:
            links[path] = (chosen.indicator_id, chosen.version)
    return links


def _by_key(db: Session, keys: set[str]) -> dict[str, tuple[int, int]]:
    if not keys:
        return {}
    rows = db.exec(
        select(LibraryIndicator).where(
            col(LibraryIndicator.key).in_(keys),
            col(LibraryIndicator.status).in_([Status.shared, Status.proposed]),
        )
    ).all()
    return {row.key: (row.id, row.current_version) for row in rows}
