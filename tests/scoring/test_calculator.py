"""The calculator: leaves → scores, subtotals, rescaled total, grade, JSON."""

import json
import random
from decimal import Decimal

import pytest

from workbench.scoring.calculator import Leaf, calculate, rescale_note, resolve_rule, score_leaf
from workbench.scoring.grades import FIVE_BAND_GRADES
from workbench.scoring.params import ParamError

D = Decimal


def manual(l1, l2, name, weight, score, **kw):
    return Leaf(path=(l1, l2, name), weight=D(weight), rule="manual", score=D(score), **kw)


def test_total_is_sum_of_rounded_leaf_scores():
    leaves = [
        Leaf(("决策", "项目立项", "a"), D(50), rule="ratio", target="3", actual="1"),  # 16.666…
        Leaf(("决策", "项目立项", "b"), D(50), rule="ratio", target="3", actual="1"),
    ]
    result = calculate(leaves)
    assert [leaf.score for leaf in result.leaves] == [D("16.67"), D("16.67")]
    assert result.sum_scores == D("33.34")  # not 33.33: leaves are rounded first
    assert result.total == D("33.34")
    assert result.grade == "差"


def test_not_applicable_rescales_to_100():
    leaves = [
        manual("决策", "x", "a", 48, "40.80"),
        manual("过程", "y", "b", 48, "40.81"),
        Leaf(("效益", "z", "c"), D(4), not_applicable=True, na_reason="本项目不涉及"),
    ]
    result = calculate(leaves)
    assert result.sum_scores == D("81.61")
    assert result.applicable_weight == D(96)
    assert result.total_weight == D(100)
    assert result.total == D("85.01")
    assert result.grade == "良"
    assert rescale_note(result) == "81.61 × 100 ÷ 96 = 85.01"
    na = result.leaves[2]
    assert na.score is None
    assert na.not_applicable is True
    assert na.explanation == "不适用：本项目不涉及"


def test_rescale_rounds_half_up():
    leaves = [
        manual("a", "b", "c", 90, "44.55"),
        Leaf(("a", "b", "d"), D(10), not_applicable=True),
    ]
    assert calculate(leaves).total == D("49.50")
    leaves = [
        manual("a", "b", "c", 40, "17.81"),
        Leaf(("a", "b", "d"), D(60), not_applicable=True),
    ]
    assert calculate(leaves).total == D("44.53")  # 44.525: half-even would give 44.52


@pytest.mark.parametrize(
    ("score", "grade"),
    [("89.99", "良"), ("90", "优"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差")],
)
def test_grade_boundaries_through_the_calculator(score, grade):
    result = calculate([manual("决策", "x", "a", 100, score)])
    assert result.grade == grade


def test_five_band_grade_table():
    result = calculate([manual("决策", "x", "a", 100, "75")], grades=FIVE_BAND_GRADES)
    assert result.grade == "中等"
    result = calculate([manual("决策", "x", "a", 100, "65")], grades=FIVE_BAND_GRADES)
    assert result.grade == "合格"


def test_subtotals_by_level():
    leaves = [
        manual("决策", "项目立项", "a", 10, "8"),
        manual("决策", "项目立项", "b", 10, "9.5"),
        manual("决策", "绩效目标", "c", 20, "15"),
        manual("效益", "社会效益", "d", 40, "30"),
        Leaf(("效益", "经济效益", "e"), D(20), not_applicable=True),
    ]
    result = calculate(leaves)
    level1 = {group.path: group for group in result.level1}
    assert level1[("决策",)].weight == D(40)
    assert level1[("决策",)].score == D("32.5")
    assert level1[("效益",)].weight == D(60)
    assert level1[("效益",)].applicable_weight == D(40)
    assert level1[("效益",)].score == D(30)
    level2 = {group.path: group.score for group in result.level2}
    assert level2[("决策", "项目立项")] == D("17.5")
    assert [group.path for group in result.level2][:2] == [
        ("决策", "项目立项"),
        ("决策", "绩效目标"),
    ]


def test_unscorable_leaf_blocks_the_total():
    leaves = [
        manual("决策", "x", "a", 50, "40"),
        Leaf(("决策", "x", "b"), D(50), rule="ratio", target="95%"),  # no actual
    ]
    result = calculate(leaves)
    assert result.total is None
    assert result.grade is None
    assert not result.complete
    assert result.errors == ["决策/x/b：须填写实际值"]
    bad = result.leaves[1]
    assert bad.score is None
    assert bad.error_field == "actual"
    assert result.to_json()["total"] is None


def test_to_json_shape():
    leaves = [
        Leaf(("决策", "项目立项", "立项依据充分性"), D(4), rule="boolean", actual="是"),
        manual("过程", "资金管理", "b", 96, "83.5"),
    ]
    data = calculate(leaves).to_json()
    assert data["total"] == "87.50"
    assert data["grade"] == "良"
    first = data["indicators"][0]
    assert first["path"] == ["决策", "项目立项", "立项依据充分性"]
    assert first["weight"] == "4.00"
    assert first["score"] == "4.00"
    assert first["rule"] == "boolean"
    assert first["not_applicable"] is False
    json.dumps(data, ensure_ascii=False)  # serialisable as is


class TestOverrides:
    def test_deductions_from_working_papers(self):
        leaf = Leaf(
            ("a", "b", "c"), D(5), rule="deduction", params="1", deductions=[D("0.5"), D(2)]
        )
        assert score_leaf(leaf).score == D("2.50")

    def test_elements_judged_in_the_app(self):
        leaf = Leaf(("a", "b", "c"), D(4), rule="elements", params="1/2;1/2",
                    elements=[(D("0.5"), D(1)), (D("0.5"), D("0.6"))])  # fmt: skip
        assert score_leaf(leaf).score == D("3.20")

    def test_expert_scores_from_assignments(self):
        leaf = Leaf(("a", "b", "c"), D(3), rule="expert", params="agg=trimmed",
                    expert_scores=[D("2.5"), D(3), D(2), D("2.8"), D("2.6")])  # fmt: skip
        assert score_leaf(leaf).score == D("2.63")

    def test_survey_metric_in_points_against_a_percent_target(self):
        leaf = Leaf(("效益", "满意度", "学生满意度"), D(5), rule="satisfaction",
                    params="method=linear;per=1%;deduct=5%", target="≥85%",
                    actual_value=D("83.08"))  # fmt: skip
        result = score_leaf(leaf)
        assert result.score == D("4.52")  # 5 × (1 − 1.92 × 5%)
        assert result.explanation.startswith("满意度83.08%：")

    def test_survey_metric_as_rate(self):
        leaf = Leaf(("效益", "满意度", "s"), D(4), rule="满意度", params="method=ratio", target="85%",
                    actual_value=D("0.8"))  # fmt: skip
        assert score_leaf(leaf).score == D("3.76")

    def test_satisfaction_bands_in_points(self):
        leaf = Leaf(("效益", "满意度", "s"), D(10), rule="satisfaction",
                    params="method=bands;>=90:1;>=80:0.8;else:0.5", actual="83.08%")  # fmt: skip
        assert score_leaf(leaf).score == D("8.00")

    def test_qualitative_choice(self):
        leaf = Leaf(("a", "b", "c"), D(5), rule="qualitative", qualitative=("部分达成", D("0.65")))
        assert score_leaf(leaf).score == D("3.25")

    def test_boolean_actual_value(self):
        leaf = Leaf(("a", "b", "c"), D(5), rule="boolean", actual_value=D(0))
        assert score_leaf(leaf).score == D("0.00")


class TestRuleResolution:
    def test_blank_rule_with_score_is_manual(self):
        assert resolve_rule(Leaf(("a", "b", "c"), D(3), score=D("2.5"))) == "manual"

    @pytest.mark.parametrize(("target", "rule"), [("≥95%", "ratio"), (">8", "ratio"),
                                                   ("=8个", "ratio"), ("≤5元", "inverse_ratio"),
                                                   ("<3天", "inverse_ratio")])  # fmt: skip
    def test_target_operator_decides(self, target, rule):
        assert resolve_rule(Leaf(("a", "b", "c"), D(3), target=target)) == rule

    def test_no_way_to_tell(self):
        with pytest.raises(ParamError) as info:
            resolve_rule(Leaf(("a", "b", "c"), D(3), target="95%"))
        assert info.value.field == "rule"

    def test_chinese_rule_names_in_leaves(self):
        leaf = Leaf(("a", "b", "c"), D(6), rule="反向比率", target="≤5元", actual="5.2元")
        assert score_leaf(leaf).score == D("5.77")


class TestValueChecks:
    def test_units_must_match(self):
        leaf = Leaf(("a", "b", "c"), D(4), rule="ratio", target="3,860万元", actual="37,025,000元")
        result = score_leaf(leaf)
        assert result.error_field == "actual"
        assert "单位“元”与目标值的单位“万元”不一致" in result.error

    def test_percent_against_plain_number(self):
        leaf = Leaf(("a", "b", "c"), D(4), rule="ratio", target="95%", actual="96")
        result = score_leaf(leaf)
        assert "一个是百分比" in result.error

    def test_percent_against_fraction_is_fine(self):
        leaf = Leaf(("a", "b", "c"), D(4), rule="ratio", target="≥95%", actual="0.912")
        assert score_leaf(leaf).score == D("3.84")

    def test_unparseable_params_are_reported_per_leaf(self):
        leaf = Leaf(("a", "b", "c"), D(4), rule="elements", params="1/2:1;1/3:1")
        result = score_leaf(leaf)
        assert result.error_field == "params"
        assert "之和应为1" in result.error


def _panel(count: int, experts: int, seed: int = 7) -> list[Leaf]:
    rng = random.Random(seed)
    weight = D(100) / count
    return [
        Leaf(
            path=(f"一级{i % 4}", f"二级{i % 20}", f"指标{i}"),
            weight=weight,
            rule="expert",
            params="agg=trimmed",
            expert_scores=[weight * D(rng.randint(50, 100)) / 100 for _ in range(experts)],
        )
        for i in range(count)
    ]


def test_large_panel_is_fast():
    leaves = _panel(500, 15)
    calculate(leaves)  # warm the parameter cache as the app would
    # Speed is measured in bench/bench_scoring.py, not asserted here.
    result = calculate(leaves)
    assert result.complete
    assert len(result.leaves) == 500
