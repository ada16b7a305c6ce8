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


def bench_row(
    name: str, value: float, unit: str, baseline: float, target: str, *, digits: int = 2
) -> dict:
    """One result row of bench/run.py: figure, baseline measured in the same run, their ratio."""
    return {
        "name": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline": round(baseline, digits),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
    }
