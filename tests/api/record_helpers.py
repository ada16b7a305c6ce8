"""What the API tests of the plan, report, scores and consultation share: an engagement of their
own, a scored tree, the report written through the API."""

from __future__ import annotations

from tests.permissions_roles import fresh_engagement

# Two manual leaves, 60 + 40 points, scored 54 and 36: 90.00, 优 by the default grade table.
TREE = {
    "indicators": [
        {"path": ["决策", "项目立项", "立项依据充分性"], "weight": "60", "rule": "manual",
         "score": "54", "justification": "立项依据充分，文件齐全"},
        {"path": ["产出", "产出数量", "实际完成率"], "weight": "40", "rule": "manual",
         "score": "36", "justification": "完成率 90%"},
    ]
}  # fmt: skip


def engagement(db, demo, title: str):
    """A fresh engagement of the demo agency with the demo's team, declarations signed."""
    found = fresh_engagement(db, demo, title)
    db.flush()
    return found


def put_tree(client, headers, eid: int, tree: dict = TREE) -> None:
    answer = client.put(f"/api/v1/engagements/{eid}/indicators", headers=headers, json=tree)
    assert answer.status_code == 200, answer.json


def write_report(client, headers, eid: int, text: str = "本节内容。") -> dict[str, int]:
    """Every report section written through the API; key → section id."""
    listed = client.get(f"/api/v1/engagements/{eid}/report/sections", headers=headers).json
    ids = {}
    for item in listed["items"]:
        saved = client.put(
            f"/api/v1/engagements/{eid}/sections/{item['id']}",
            headers={**headers, "If-Match": f'W/"{item["version"]}"'},
            json={"content": f"<p>{item['heading']}：{text}</p>"},
        )
        assert saved.status_code == 200, saved.json
        ids[item["key"]] = item["id"]
    return ids
