"""Whether a deliverable may be edited: the review domain registers a check (nothing under review moves)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LockCheck = Callable[[Any, Any, str], str | None]
CHECKS: list[LockCheck] = []


def lock_check(fn: LockCheck) -> LockCheck:
    """Register fn(db, engagement, kind) -> reason the deliverable is locked, or None."""
    if fn not in CHECKS:
        CHECKS.append(fn)
    return fn


def locked_reason(db: Any, engagement: Any, kind: str) -> str | None:
    for check in CHECKS:
        reason = check(db, engagement, kind)
        if reason:
            return reason
    return None
