"""Shared by the survey services: the fresh-version check and the anonymous respondent."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from workbench.core.locking import require_version

STALE = "问卷已被他人修改，请刷新后重试"


def check_version(obj: Any, version: int | None) -> None:
    """A stale form (version seen ≠ stored) is refused instead of overwriting a colleague's edit."""
    require_version(version, obj.version, stale=STALE)


def respondent(channel: str) -> SimpleNamespace:
    """The audit actor of an anonymous answer (no user is logged in)."""
    return SimpleNamespace(id=None, display_name=f"匿名受访者（{channel}）")
