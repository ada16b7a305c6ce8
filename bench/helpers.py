"""What several benches share; imported as `helpers` (bench/ is the script's own folder)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counting(engine) -> Iterator[dict[str, int]]:
    """with counting(engine) as counter: ...; counter["n"] → statements sent meanwhile."""
    counter = {"n": 0}

    def _count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)
