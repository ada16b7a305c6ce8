"""The 报告体检 on the demo finds only what is true of it: scores not signed yet, α negative."""

from __future__ import annotations

from workbench.reports.services import checkup as checkups


def test_the_demo_check_agrees_on_people_and_finds_only_the_true_gaps(db, demo):
    result = checkups.run(db, demo.engagement)
    # The five who scored 绩效指标明确性 are the five assigned experts the plan lists.
    assert not [f for f in result.errors if f.area == "人员一致"]
    assert [(f.area, f.message) for f in result.errors] == [
        ("评分", "评分结果尚未经项目负责人签字确认")
    ]
    assert [f.area for f in result.warnings] == ["问卷信度"]
    assert "α为-0.16（负值）" in result.warnings[0].message
