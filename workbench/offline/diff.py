"""Comparing a record's three versions — base, server, laptop — field by field (pure).

Records are plain JSON dicts in the server's keys. A side *changed* a field when its value differs
from the base; a record changed on both sides is a conflict, unless the laptop's values are
already the server's (a check-in imported twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FIELD_NAMES = {
    "title": "标题",
    "values": "内容",
    "assignee_id": "编制人",
    "returned_reason": "退回原因",
    "edited_after_review": "复核后修改",
    "actual": "实际值",
    "target": "目标值",
    "score": "得分",
    "justification": "评分理由",
    "not_applicable": "不适用",
    "na_reason": "不适用理由",
    "note": "备注",
    "self_score": "自评得分",
    "self_gap_note": "自评差异说明",
    "text": "内容",
    "kind": "类型",
    "points": "扣分",
    "met": "符合程度",
    "money": "涉及金额（元）",
    "indicator_id": "关联指标",
    "element_index": "评价要点",
    "status": "状态",
    "name": "名称",
    "description": "说明",
    "due_date": "截止日期",
    "waive_reason": "免于提供理由",
    "received_at": "收到时间",
    "source": "来源",
    "captured_at": "拍摄时间",
    "paper_id": "所属底稿",
    "cleared_at": "失效时间",
    "cleared_reason": "失效原因",
    "comment": "意见",
    "answers": "答案",
}


def changed(before: Mapping[str, Any], after: Mapping[str, Any], ignore: Iterable[str]) -> set[str]:
    """The fields whose value differs (a field missing on one side counts as None)."""
    skip = set(ignore)
    names = (set(before) | set(after)) - skip
    return {name for name in names if before.get(name) != after.get(name)}


@dataclass(frozen=True)
class Outcome:
    """What a check-in does with one record that both sides had at the base."""

    action: str  # same | already | apply | conflict
    fields: frozenset[str] = frozenset()


def compare(
    base: Mapping[str, Any],
    server: Mapping[str, Any],
    laptop: Mapping[str, Any],
    ignore: Iterable[str],
) -> Outcome:
    ignore = set(ignore)
    ours = changed(base, laptop, ignore)
    if not ours:
        return Outcome("same")
    if all(server.get(f) == laptop.get(f) for f in ours):
        return Outcome("already", frozenset(ours))
    theirs = changed(base, server, ignore)
    if not theirs:
        return Outcome("apply", frozenset(ours))
    differing = {f for f in ours | theirs if server.get(f) != laptop.get(f)}
    return Outcome("conflict", frozenset(differing))


def _label(name: str, labels: Mapping[str, str]) -> str:
    return labels.get(name) or FIELD_NAMES.get(name) or name


def side_by_side(
    base: Mapping[str, Any] | None,
    server: Mapping[str, Any] | None,
    laptop: Mapping[str, Any] | None,
    fields: Iterable[str],
    labels: Mapping[str, str] | None = None,
) -> list[dict]:
    """One line per differing field, a JSON object field (a paper's values) one line per key.

    `labels` names a paper's template fields (values.<key> → 项目名称); lines are sorted by label.
    """
    labels = labels or {}
    base, server, laptop = base or {}, server or {}, laptop or {}
    lines: list[dict] = []
    for name in fields:
        b, s, o = base.get(name), server.get(name), laptop.get(name)
        if all(isinstance(v, dict | type(None)) for v in (b, s, o)) and any(
            isinstance(v, dict) for v in (b, s, o)
        ):
            b, s, o = b or {}, s or {}, o or {}
            for key in sorted(set(b) | set(s) | set(o)):
                if s.get(key) != o.get(key):
                    path = f"{name}.{key}"
                    lines.append(
                        {
                            "field": path,
                            "label": labels.get(path) or key,
                            "base": b.get(key),
                            "server": s.get(key),
                            "offline": o.get(key),
                        }
                    )
            continue
        lines.append(
            {"field": name, "label": _label(name, labels), "base": b, "server": s, "offline": o}
        )
    return lines
