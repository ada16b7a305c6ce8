"""Side-by-side line diffs of section texts, with the changed characters of a replaced line marked (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class DiffRow:
    """One line of a side-by-side diff; `kind` is equal, insert, delete or replace."""

    kind: str
    old_no: int | None
    old: tuple[Segment, ...]
    new_no: int | None
    new: tuple[Segment, ...]


def _segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if a2 > a1:
            left.append(Segment(old[a1:a2], op != "equal"))
        if b2 > b1:
            right.append(Segment(new[b1:b2], op != "equal"))
    return tuple(left), tuple(right)


def diff_rows(old: str, new: str) -> list[DiffRow]:
    """Line diff of two texts with the changed characters of replaced lines marked."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                DiffRow("equal", a1 + i + 1, (Segment(a[a1 + i], False),), b1 + i + 1,
                        (Segment(b[b1 + i], False),))
                for i in range(a2 - a1)
            ]  # fmt: skip
            continue
        for i in range(max(a2 - a1, b2 - b1)):
            left = a[a1 + i] if a1 + i < a2 else None
            right = b[b1 + i] if b1 + i < b2 else None
            if left is not None and right is not None:
                old_seg, new_seg = _segments(left, right)
                rows.append(DiffRow("replace", a1 + i + 1, old_seg, b1 + i + 1, new_seg))
            elif left is not None:
                rows.append(DiffRow("delete", a1 + i + 1, (Segment(left, True),), None, ()))
            else:
                rows.append(DiffRow("insert", None, (), b1 + i + 1, (Segment(right or "", True),)))
    return rows


def diff_stats(rows: list[DiffRow]) -> dict[str, int]:
    """How many lines were added, removed and changed."""
    return {
        kind: sum(1 for row in rows if row.kind == kind) for kind in ("insert", "delete", "replace")
    }
