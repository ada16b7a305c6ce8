"""The events an endpoint may follow, in the order the form lists them (pure data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    when: str  # what makes it happen, as the form explains


KINDS: list[EventKind] = [
    EventKind("engagement.stage_advanced", "项目推进到下一阶段", "项目负责人推进流程阶段时"),
    EventKind("submission.sent", "成果文件送审", "评价机构提交（或修改后重新提交）成果文件时"),
    EventKind("submission.decided", "委托方审核决定", "委托方审核通过或退回修改时"),
    EventKind("rating.recorded", "质量考核结果", "委托方完成质量考核、算出应释放保证金时"),
    EventKind(
        "deposit.due", "质量保证金 30 日内到期", "每日检查：应释放的保证金进入 30 日到期窗口"
    ),
    EventKind("deposit.overdue", "质量保证金逾期未释放", "每日检查：到期未释放（此后每 7 日一次）"),
]
BY_KEY = {kind.key: kind for kind in KINDS}
PING = "ping"  # the page's test event, sent to one endpoint whatever it follows


def label(key: str) -> str:
    if key == PING:
        return "测试事件"
    found = BY_KEY.get(key)
    return found.label if found else key
