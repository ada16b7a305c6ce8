"""Issue 13 item 4: the report explains each indicator's score in sentences, not arithmetic."""

from __future__ import annotations

from tests.reports.report_helpers import open_version
from workbench.reports import services

ARITHMETIC = ("×", "÷", "→", "min(", "目标值—", "实际值—", "手工评定", "最高3、最低2", "评分依据：")


def _explanations(db, demo) -> dict[str, str]:
    version = services.generate(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="report"
    )
    db.flush()
    texts = [p.text for p in open_version(version).paragraphs]
    found = {}
    for heading, body in zip(texts, texts[1:], strict=False):
        if body.startswith("该指标分值"):
            found[heading.split(". ", 1)[-1]] = body
    return found


def test_demo_report_explains_scores_in_prose(ctx, db, demo):
    found = _explanations(db, demo)
    assert len(found) == 23  # 24 leaves, one not applicable
    for name, text in found.items():
        assert not any(mark in text for mark in ARITHMETIC), (name, text)
    assert (
        "实际值1,200.00万元，为目标值1,250.00万元的96.00%，按完成比例折算计得3.84分"
        in (found["资金到位率"])  # both bound to the facts taken from paper D-07-01
    )
    assert found["绩效指标明确性"].endswith(
        "由5位专家独立打分，去掉一个最高分（3分）和一个最低分（2分）后，"
        "取其余3位专家评分的平均值，计得2.63分。"
    )
    assert "合计扣1分（底稿D-08-02）" in found["预算编制科学性"]
    assert "“学生家长满意度调查”（有效问卷229份），满意率为80.44%" in found["家长满意度"]
    assert "88.2" not in found["家长满意度"]  # typed, but the survey's figure was scored
    assert found["成本节约率"].endswith("评定理由：成本节约率4.1%，专家组评定。")
    assert found["资金分配合理性"].endswith("经核查，符合评分标准的要求，得满分4分。")
