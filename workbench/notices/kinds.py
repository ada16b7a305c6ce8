"""The kinds of notice a user may receive, in the order the preferences form lists them
(pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    audience: str  # who receives it, as the preferences form explains


KINDS: list[Kind] = [
    Kind("paper.returned", "工作底稿被退回修改", "底稿编制人"),
    Kind("paper.approved", "工作底稿已批准", "底稿编制人"),
    Kind("request.received", "资料清单收到被评价单位提交的资料", "资料清单发出人"),
    Kind("consultation.sent", "收到征求意见稿", "被评价单位联系人"),
    Kind("consultation.answered", "被评价单位反馈了征求意见", "项目负责人"),
    Kind("review.submitted", "收到送审的成果文件", "委托方审核人"),
    Kind("review.returned", "送审成果被委托方退回", "项目负责人"),
    Kind("review.approved", "送审成果经委托方审核通过", "项目负责人"),
    Kind("review.rated", "委托方完成质量考核", "项目负责人"),
    Kind("review.rectification", "整改事项及进展", "委托方审核人、被评价单位联系人"),
    Kind("deposit.due", "质量保证金 30 日内到期应释放", "项目负责人、机构管理员"),
    Kind("deposit.overdue", "质量保证金逾期未释放", "项目负责人、机构管理员"),
    Kind("rectification.due", "整改期限将至", "被评价单位联系人、项目负责人"),
    Kind("rectification.overdue", "整改逾期", "被评价单位联系人、项目负责人"),
]
BY_KEY = {kind.key: kind for kind in KINDS}


def label(key: str) -> str:
    """The kind's Chinese name (an unknown kind shows as 系统通知)."""
    found = BY_KEY.get(key)
    return found.label if found else "系统通知"
