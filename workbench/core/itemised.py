"""Itemised responses (pure): a list of numbered items, each answered by the other side.

Three workflows share this shape: the consultation's opinions (written by the evaluated unit,
answered by the agency), the rectification items (listed by the lead, reported on by the unit and
confirmed by the lead or the bureau) and a document request's materials (listed by the team,
answered by the unit's files or marked received / waived). What they share lives here: items typed
one a line, numbered after those already listed; an answer is a choice made along the allowed moves,
with a note that some choices need; an item is locked for its author once answered; the open items
are those not yet answered. A refusal is a value naming what is wrong; each domain words it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from workbench.core.problems import FieldError

T = TypeVar("T")

# A typed line's cells: `|` or the full-width `｜`, spaces around them ignored.
SEPARATOR = re.compile(r"\s*[|｜]\s*")


@dataclass(frozen=True)
class Line:
    """One non-blank typed line: its 1-based number in the text and its stripped cells."""

    number: int
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        """The cell at `index`, or "" when the line has fewer."""
        return self.cells[index] if index < len(self.cells) else ""


def split_lines(text: str | None, *, maxsplit: int = 0) -> list[Line]:
    """The non-blank lines of `text`, each cut at the separators (at most `maxsplit` times if > 0)."""
    lines = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            cells = SEPARATOR.split(line.strip(), maxsplit=maxsplit)
            lines.append(Line(number, tuple(cell.strip() for cell in cells)))
    return lines


def numbers_after(last: int, count: int) -> list[int]:
    """The numbers of `count` new items listed after the item numbered `last` (0: none yet)."""
    if last < 0 or count < 0:
        raise ValueError("last and count are never negative")
    return list(range(last + 1, last + count + 1))


def text_error(
    text: str, *, field: str, limit: int, missing: str = "", too_long: str
) -> FieldError | None:
    """The field error of one stripped text: empty when `missing` is worded, or longer than `limit`.

    `too_long` may name the text's length as `{n}` and the limit as `{limit}`.
    """
    if missing and not text:
        return FieldError(missing, field=field)
    if len(text) > limit:
        return FieldError(too_long.format(n=len(text), limit=limit), field=field)
    return None


class Refusal(StrEnum):
    """Why an answer or an edit is refused; the domain words it."""

    unknown_choice = "unknown_choice"  # not one of the choices at all
    not_allowed = "not_allowed"  # a choice, but not from the item's current one
    note_missing = "note_missing"  # this choice needs a note
    note_too_long = "note_too_long"
    answered = "answered"  # the item was answered: its author may no longer change it


Moves = Mapping[str, Collection[str]]


def moves_among(choices: Sequence[str], *, again: bool, unanswered: str | None = None) -> Moves:
    """Free moves between `choices`: any to any other (or to itself too when `again`), and from
    `unanswered` (the state before any answer, when the item has one) to any."""
    moves: dict[str, frozenset[str]] = {
        choice: frozenset(c for c in choices if again or c != choice) for choice in choices
    }
    if unanswered is not None:
        moves[unanswered] = frozenset(choices)
    return moves


def refuse_choice(current: str, choice: str, moves: Moves) -> Refusal | None:
    """None when `choice` is a move from `current` that `moves` allows (every state a move starts
    from or ends at is a choice)."""
    if choice not in moves and not any(choice in targets for targets in moves.values()):
        return Refusal.unknown_choice
    if choice not in moves.get(current, ()):
        return Refusal.not_allowed
    return None


def refuse_note(
    choice: str, note: str, *, required_for: Collection[str], limit: int | None = None
) -> Refusal | None:
    """None when the stripped `note` suits `choice`: given where the choice needs one, and no
    longer than `limit` (None: the domain shortens it instead)."""
    if choice in required_for and not note:
        return Refusal.note_missing
    if limit is not None and len(note) > limit:
        return Refusal.note_too_long
    return None


def refuse_edit(*, answered: bool) -> Refusal | None:
    """The author changes or removes an item only until the other side has answered it."""
    return Refusal.answered if answered else None


@dataclass(frozen=True)
class Progress(Generic[T]):
    """The items in order and those of them not yet answered."""

    items: tuple[T, ...]
    open: tuple[T, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return len(self.items) - len(self.open)

    @property
    def complete(self) -> bool:
        """Every item answered (true of an empty list: nothing is waiting)."""
        return not self.open


def progress(items: Iterable[T], *, answered: Callable[[T], bool]) -> Progress[T]:
    """The progress of `items`, `answered` telling an answered item."""
    listed = tuple(items)
    return Progress(listed, tuple(item for item in listed if not answered(item)))
