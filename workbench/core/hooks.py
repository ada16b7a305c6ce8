"""Extension points that domains fill at import time (after-upgrade tasks)."""

from __future__ import annotations

from collections.abc import Callable

AFTER_UPGRADE: list[Callable] = []


def after_upgrade(fn: Callable) -> Callable:
    """Run after `workbench db upgrade` (e.g. loading the indicator library packs)."""
    AFTER_UPGRADE.append(fn)
    return fn


def run_after_upgrade(app) -> None:
    for fn in AFTER_UPGRADE:
        fn(app)
