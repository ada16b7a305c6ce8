"""Every action the code records has a Chinese label; stored pictures read as label: value."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.core.audit_labels import ACTIONS, action_label, changes, describe, object_label
from workbench.fieldwork.request_models import ItemStatus
from workbench.fieldwork.review_rules import Level
from workbench.finance.ledger import EntryKind

ROOT = Path(__file__).resolve().parents[2] / "workbench"
# f-string actions and the values their placeholder takes
TEMPLATES = {
    'f"finance.entry.{entry.kind}"': [f"finance.entry.{k.value}" for k in EntryKind],
    'f"document_request.item_{target.value}"': [
        f"document_request.item_{s.value}" for s in ItemStatus
    ],
    'f"working_paper.{level.value}"': [f"working_paper.{x.value}" for x in Level],
}


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= {m for m in re.findall(r'action="([a-z_]+\.[a-z_.]+)"', text)}
        for template, values in TEMPLATES.items():
            if f"action={template}" in text:
                found |= set(values)
        # Audit codes are ASCII; an `action=` that describes a change in Chinese is not one.
        left = re.findall(r'action=(f"[a-z_.{}]+")', text)
        unknown = [t for t in left if t not in TEMPLATES]
        assert not unknown, f"{path}: name the values of {unknown} in TEMPLATES"
    return found


def test_every_recorded_action_has_a_label():
    missing = sorted(_recorded_actions() - set(ACTIONS))
    assert not missing, f"actions without a Chinese label: {missing}"


def test_unknown_codes_stay_readable():
    assert action_label("review.approve") == "审核通过"
    assert action_label("survey.something_new") == "问卷操作（survey.something_new）"
    assert action_label("plain") == "plain"
    assert object_label("working_paper") == "工作底稿" and object_label("x_y") == "x_y"


def test_pictures_read_as_labels_and_values():
    assert describe({"active": False, "display_name": "李项目", "note": ""}) == [
        ("启用", "否"),
        ("姓名", "李项目"),
        ("说明", "（空）"),
    ]
    assert changes({"status": "draft"}, {"status": "approved", "reason": "质量合格"}) == [
        ("状态", "draft", "approved"),
        ("原因", "", "质量合格"),
    ]
    assert describe(None) == [] and describe({"items": [1, "甲"]}) == [("items", '[1, "甲"]')]
