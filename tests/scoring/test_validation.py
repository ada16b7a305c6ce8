"""Indicator-system validation: blockers and warnings; grade tables."""

from decimal import Decimal

import pytest

from workbench.scoring.calculator import Leaf
from workbench.scoring.grades import (
    DEFAULT_GRADES,
    FIVE_BAND_GRADES,
    check_grades,
    grade_for,
)
from workbench.scoring.validation import check_leaf, check_system

D = Decimal


def system(*extra: Leaf) -> list[Leaf]:
    """A valid 100-point system (决策 20, 过程 20, 产出 30, 效益 30) plus extra leaves."""
    return [
        Leaf(("决策", "项目立项", "立项依据充分性"), D(20), rule="elements", params="1/2;1/2"),
        Leaf(
            ("过程", "资金管理", "预算执行率"),
            D(20),
            rule="linear",
            params="per=1%;deduct=5%",
            target="100%",
        ),  # fmt: skip
        Leaf(("产出", "产出数量", "完成率"), D(30), rule="ratio", target="≥100%"),
        Leaf(
            ("效益", "满意度", "满意度"), D(30), rule="满意度", params="method=ratio", target="≥90%"
        ),
        *extra,
    ]


def test_valid_system_has_no_blockers():
    check = check_system(system())
    assert check.ok
    assert check.blockers == []
    assert check.warnings == []


def test_complete_mode_requires_data():
    check = check_system(system(), complete=True)
    assert not check.ok
    assert any(
        "立项依据充分性（参数）：评价要点均未评定达成度，未评分" in b for b in check.blockers
    )
    assert any("预算执行率（实际值）：须填写实际值" in b for b in check.blockers)


def test_weights_must_sum_to_exactly_100():
    leaves = system()
    leaves[0].weight = D("19.99")
    check = check_system(leaves)
    assert check.blockers == ["三级指标分值合计为99.99，应为100"]


def test_bad_rule_and_params_are_blockers():
    leaves = system()
    leaves[0].params = "1/2:1;1/3:1"
    leaves[2].rule = "加权"
    check = check_system(leaves)
    assert len(check.blockers) == 2
    assert check.blockers[0].startswith("决策/项目立项/立项依据充分性（参数）：各要点占比之和应为1")
    assert check.blockers[1].startswith("产出/产出数量/完成率（规则）：未知的评分规则“加权”")
    assert [(i.index, i.field) for i in check.issues] == [(0, "params"), (2, "rule")]


def test_duplicate_leaf_names_in_a_group():
    leaves = system()
    leaves[0].weight = D(10)
    leaves.append(Leaf(("决策", "项目立项", "立项依据充分性"), D(10), rule="manual"))
    check = check_system(leaves)
    assert check.blockers == [
        "决策/项目立项/立项依据充分性（三级指标）：二级指标“项目立项”下的三级指标“立项依据充分性”重复"
    ]
    assert check.issues[0].other == 0


def test_same_name_in_another_group_is_fine():
    leaves = system()
    leaves[0].weight = D(10)
    leaves.append(Leaf(("决策", "绩效目标", "立项依据充分性"), D(10), rule="manual"))
    assert check_system(leaves).ok


def test_negative_weight_and_empty_names():
    leaf = Leaf(("决策", "", ""), D(-1), rule="manual")
    problems = check_leaf(leaf)
    assert ("level2", "二级指标不能为空") in problems
    assert ("name", "三级指标不能为空") in problems
    assert ("weight", "分值应大于0且不超过100，当前为-1") in problems


def test_score_outside_weight():
    problems = check_leaf(Leaf(("a", "b", "c"), D(3), rule="manual", score=D(4)))
    assert problems == [("score", "得分4超出范围0–3")]


def test_boolean_and_qualitative_actuals_are_checked():
    assert check_leaf(Leaf(("a", "b", "c"), D(3), rule="是否", actual="也许"))[0][0] == "actual"
    assert check_leaf(Leaf(("a", "b", "c"), D(3), rule="定性", actual="很好"))[0][0] == "actual"
    assert check_leaf(Leaf(("a", "b", "c"), D(3), rule="定性", actual="部分达成:0.7")) == []


def test_not_applicable_leaf_needs_no_rule():
    leaf = Leaf(("a", "b", "c"), D(3), not_applicable=True, na_reason="不涉及")
    assert check_leaf(leaf, complete=True) == []


def test_empty_system():
    assert check_system([]).blockers == ["指标体系没有任何三级指标"]


def test_output_and_benefit_below_60_is_a_warning_only():
    leaves = [
        Leaf(("决策", "x", "a"), D(45), rule="manual"),
        Leaf(("产出指标", "x", "b"), D(30), rule="manual"),
        Leaf(("效益", "x", "c"), D(25), rule="manual"),
    ]
    check = check_system(leaves)
    assert check.ok
    assert check.warnings == ["产出+效益指标分值合计为55，低于建议的60"]


def test_warning_not_given_to_frameworks_without_output_or_benefit():
    leaves = [Leaf(("立项必要性", "x", "a"), D(100), rule="manual")]
    assert check_system(leaves).warnings == []


def test_a_ratio_leaf_without_its_target_warns_before_scoring():
    """A framework pack leaves the planned cost to the project: confirming the system must say
    so, not the scoring stage later (its page asks only for the actual value)."""
    cost = Leaf(("产出", "产出成本", "成本节约率"), D(6), rule="inverse_ratio")
    leaves = system()
    leaves[2] = Leaf(("产出", "产出数量", "完成率"), D(24), rule="ratio", target="≥100%")
    check = check_system([*leaves, cost])
    assert check.ok
    assert check.warnings == [
        "产出/产出成本/成本节约率尚未填写目标值，评分时须有目标值（如计划成本、计划数量）"
    ]
    cost.target = "3000000元"
    assert check_system([*leaves, cost]).warnings == []
    cost.target, cost.not_applicable, cost.na_reason = None, True, "无成本目标"
    assert check_system([*leaves, cost]).warnings == []


def test_rules_without_a_target_do_not_warn():
    leaves = [
        Leaf(("决策", "x", "a"), D(40), rule="elements", params="1/2;1/2"),
        Leaf(("产出", "x", "b"), D(30), rule="qualitative"),
        Leaf(("效益", "x", "c"), D(30), rule="deduction"),
    ]
    assert check_system(leaves).warnings == []


def test_not_applicable_without_reason_warns():
    leaves = system()
    leaves[0].not_applicable = True
    check = check_system(leaves)
    assert check.ok
    assert check.warnings == ["决策/项目立项/立项依据充分性标为不适用，但没有写明理由"]


class TestGrades:
    @pytest.mark.parametrize(
        ("total", "grade"),
        [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"),
         ("60", "中"), ("59.99", "差"), ("0", "差")],
    )  # fmt: skip
    def test_default_table(self, total, grade):
        assert grade_for(D(total)) == grade

    @pytest.mark.parametrize(
        ("total", "grade"),
        [("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("70", "中等"), ("69.99", "合格"),
         ("60", "合格"), ("59.99", "差")],
    )  # fmt: skip
    def test_five_bands(self, total, grade):
        assert grade_for(D(total), FIVE_BAND_GRADES) == grade

    def test_order_of_rows_does_not_matter(self):
        table = list(reversed(DEFAULT_GRADES))
        assert grade_for(D("85"), table) == "良"

    def test_check_grades(self):
        assert check_grades(DEFAULT_GRADES) == []
        assert check_grades(FIVE_BAND_GRADES) == []
        assert check_grades([("优", D(90)), ("良", D(80))]) == [
            "等级表须有一个下限为0的最低等级，否则低分无法定级"
        ]
        assert "等级“优”重复" in check_grades([("优", D(90)), ("优", D(0))])
        assert "下限0重复出现" in check_grades([("优", D(0)), ("差", D(0))])
        assert "等级“优”的下限120应在0到100之间" in check_grades([("优", D(120)), ("差", D(0))])
        assert check_grades([]) == ["等级表为空，至少需要一个下限为0的等级"]


def test_a_weight_total_off_100_blocks_without_warnings():
    leaves = system()
    leaves[1].weight = D(25)
    check = check_system(leaves)
    assert check.blockers == ["三级指标分值合计为105，应为100"]
    assert check.warnings == []
