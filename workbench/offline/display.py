"""What the offline pages show (pure: no Flask, no session): a conflict's values side by side, a
check-in's figures, the sentences for renumbered papers and deletions, the package's file name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

EMPTY = "（空）"
DELETED = {
    "offline": "笔记本上删除了这条记录，而服务器上在检出后修改过它。",
    "server": "服务器上在检出后删除了这条记录，而笔记本上修改过它。",
}
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')


def shown(value: Any) -> str:
    """A stored value as a cell shows it: nothing is （空）, yes/no in words, lists as JSON."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Line:
    """One field of a conflict; a side is marked where it changed the field since the check-out."""

    label: str
    base: str
    server: str
    offline: str
    server_changed: bool
    offline_changed: bool


def lines(fields: list[dict]) -> list[Line]:
    """The conflict's fields ({field, label, base, server, offline}) as the table's rows."""
    return [
        Line(
            label=str(f.get("label") or f.get("field") or ""),
            base=shown(f.get("base")),
            server=shown(f.get("server")),
            offline=shown(f.get("offline")),
            server_changed=f.get("server") != f.get("base"),
            offline_changed=f.get("offline") != f.get("base"),
        )
        for f in fields
    ]


@dataclass(frozen=True)
class Figures:
    """A check-in's numbers, as the list of check-ins shows them."""

    added: int
    updated: int
    deleted: int
    conflicts: int
    resign: int
    files: int


def figures(summary: dict) -> Figures:
    return Figures(
        added=sum((summary.get("added") or {}).values()),
        updated=sum((summary.get("updated") or {}).values()),
        deleted=sum((summary.get("deleted") or {}).values()),
        conflicts=int(summary.get("conflicts") or 0),
        resign=len(summary.get("resign") or []),
        files=int(summary.get("files") or 0),
    )


def by_kind(summary: dict) -> list[tuple[str, int, int, int]]:
    """(kind, added, updated, deleted) for every kind the check-in touched, in first-seen order."""
    added, updated, deleted = (summary.get(k) or {} for k in ("added", "updated", "deleted"))
    kinds = dict.fromkeys([*added, *updated, *deleted])
    return [(k, added.get(k, 0), updated.get(k, 0), deleted.get(k, 0)) for k in kinds]


def renumbered(item: dict) -> str:
    """离线新建的底稿 D-01-02「标题」与服务器编号重复，已改为 D-01-05."""
    title = f"「{item['title']}」" if item.get("title") else ""
    return (
        f"离线新建的底稿 {item.get('from', '')}{title}与服务器编号重复，已改为 {item.get('to', '')}"
    )


def package_name(*, code: str, engagement_id: int, device: str, day: date) -> str:
    """离线包-{项目编号或 id}-{设备}-{日期}.wbpkg, with what a file name cannot hold taken out."""
    parts = [
        _NOT_IN_NAMES.sub("_", part).strip("_.") or fallback
        for part, fallback in ((code, str(engagement_id)), (device, "笔记本"))
    ]
    return f"离线包-{parts[0]}-{parts[1]}-{day:%Y%m%d}.wbpkg"
