"""Optimistic locking for every edit: the save names the version it was drawn from.

A missing version is refused as a field error (422 in the API) rather than skipping the check:
a bare POST must never overwrite what the page did not send.
"""

from __future__ import annotations

from workbench.core.errors import Conflict, ValidationFailed

MISSING_VERSION = "缺少版本号，请刷新页面后重试"


def missing_version() -> ValidationFailed:
    """The error for an edit that did not say which version it edits."""
    return ValidationFailed.of_field("version", MISSING_VERSION)


def require_version(seen: int | None, current: int, *, stale: str) -> None:
    """Refuse an edit without a version (422) or drawn from an older one (409 with `stale`)."""
    if seen is None:
        raise missing_version()
    if int(seen) != int(current):
        raise Conflict(stale)
