"""The review chain (三级复核) of a working paper: levels, statuses and who may sign what (pure).

prepared (编制人) → reviewed (复核人) → approved (项目负责人). One person holds at most one level
on a paper. Findings count towards scores from papers at least "prepared" (COUNTED): a draft is
work in progress and a returned paper has been sent back for rework, so neither moves a score.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    prepare = "prepare"
    review = "review"
    approve = "approve"


class Status(StrEnum):
    draft = "draft"
    prepared = "prepared"
    reviewed = "reviewed"
    approved = "approved"
    returned = "returned"


LEVELS: tuple[Level, ...] = tuple(Level)
LEVEL_NAMES = {Level.prepare: "编制", Level.review: "复核", Level.approve: "批准"}
SIGNER_NAMES = {Level.prepare: "编制人", Level.review: "复核人", Level.approve: "项目负责人"}
STATUS_NAMES = {
    Status.draft: "草稿",
    Status.prepared: "已编制，待复核",
    Status.reviewed: "已复核，待批准",
    Status.approved: "已批准",
    Status.returned: "已退回修改",
}
STATUS_BADGES = {
    Status.draft: "secondary",
    Status.prepared: "info",
    Status.reviewed: "primary",
    Status.approved: "success",
    Status.returned: "danger",
}
# Papers whose findings flow into scores.
COUNTED = frozenset({Status.prepared, Status.reviewed, Status.approved})
# Papers that block the fieldwork gate.
UNFINISHED = frozenset({Status.draft, Status.returned})
_NEEDS = {
    Level.prepare: {Status.draft, Status.returned},
    Level.review: {Status.prepared},
    Level.approve: {Status.reviewed},
}


@dataclass(frozen=True)
class Refusal:
    """Why a sign-off or a return is refused: kind conflict (409), not_allowed (403) or invalid (422)."""

    kind: str
    message: str


def status_for(levels: set[Level] | set[str]) -> Status:
    """The status implied by the active sign-offs."""
    if Level.approve in levels:
        return Status.approved
    if Level.review in levels:
        return Status.reviewed
    if Level.prepare in levels:
        return Status.prepared
    return Status.draft


def _wrong_status(level: Level, status: Status) -> str:
    if level == Level.prepare:
        return "底稿已由编制人签字，不能重复编制签字"
    if level == Level.review:
        if status in (Status.draft, Status.returned):
            return "底稿尚未经编制人签字，不能复核"
        return "底稿已复核，不能重复复核"
    if status == Status.approved:
        return "底稿已批准，不能重复批准"
    return "底稿尚未复核，不能批准"


def sign_refusal(
    *,
    level: Level,
    status: Status,
    signers: Mapping[Level, int],
    user_id: int,
    may_review: bool,
    may_approve: bool,
    missing: Sequence[str] = (),
    open_notes: int = 0,
    stale: Collection[Level] = (),
) -> Refusal | None:
    """None when `user_id` may sign `level` now, else the reason it is refused.

    `stale`: levels signed over content that has changed since ("签字后修改"). Such a level is
    signed again by its holder (a re-sign), and no higher level signs until it has been.
    """
    if level == Level.review and not may_review:
        return Refusal("not_allowed", "只有本项目的复核人或项目负责人可以复核底稿")
    if level == Level.approve and not may_approve:
        return Refusal("not_allowed", "只有项目负责人可以批准底稿")
    resign = level in signers and level in stale
    if signers.get(level) == user_id and not resign:
        return Refusal("conflict", f"您已作为{SIGNER_NAMES[level]}在本底稿上签字，不能重复签字")
    if resign and signers.get(level) != user_id:
        return Refusal(
            "conflict",
            f"签字后底稿内容有修改，须由原{SIGNER_NAMES[level]}核对后重新签字（或撤回底稿后重新编制）",
        )
    held = [other for other, uid in signers.items() if uid == user_id and other != level]
    if held:
        return Refusal(
            "conflict",
            f"同一人不能在同一底稿上担任两级签字：您已作为{SIGNER_NAMES[held[0]]}签字，"
            f"不能再作为{SIGNER_NAMES[level]}签字",
        )
    below = [lower for lower in LEVELS[: LEVELS.index(level)] if lower in stale]
    if below:
        return Refusal(
            "conflict",
            f"{LEVEL_NAMES[below[0]]}签字后底稿内容有修改，须由{SIGNER_NAMES[below[0]]}核对后重新签字，"
            f"才能{LEVEL_NAMES[level]}",
        )
    if status not in _NEEDS[level] and not resign:
        return Refusal("conflict", _wrong_status(level, status))
    if level == Level.prepare and missing:
        return Refusal("invalid", f"以下必填内容尚未填写，不能签字：{'、'.join(missing)}")
    if level == Level.approve and open_notes:
        return Refusal("conflict", f"底稿还有 {open_notes} 条未解决的复核意见，解决后才能批准")
    return None


def return_refusal(*, status: Status, may_review: bool, reason: str) -> Refusal | None:
    """None when the paper may be returned to its preparer now, else why not."""
    if not may_review:
        return Refusal("not_allowed", "只有本项目的复核人或项目负责人可以退回底稿")
    if not reason.strip():
        return Refusal("invalid", "退回底稿须说明原因")
    if status not in (Status.prepared, Status.reviewed):
        if status == Status.approved:
            return Refusal("conflict", "已批准的底稿不能退回；如需修改请直接编辑，复核签字将被清除")
        return Refusal("conflict", "底稿尚未经编制人签字，无需退回")
    return None
