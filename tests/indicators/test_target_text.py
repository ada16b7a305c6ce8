"""A declared target (指标性质 | 指标值 | 度量单位) as the 目标值 the scoring engine reads (pure)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from workbench.indicators.target_text import TargetError, compose_target, name_key, narrow
from workbench.scoring.calculator import Leaf, resolve_rule, score_leaf
from workbench.scoring.values import parse_value

# (指标性质, 指标值, 度量单位) → the 目标值 written, and the number and operator the engine reads.
COMPOSED = [
    ("≥", "95", "%", "≥95%", "0.95", ">="),
    ("≥", 95, "%", "≥95%", "0.95", ">="),  # a number cell, read as text "95"
    ("", "100", "%", "100%", "1.00", None),
    ("≤", "5", "元", "≤5元", "5", "<="),
    ("大于等于", "52,000", "人", "≥52,000人", "52000", ">="),
    ("不低于", "90", "百分比", "≥90%", "0.90", ">="),
    ("正向指标", "98", "％", "≥98%", "0.98", ">="),
    ("反向指标", "3", "天", "≤3天", "3", "<="),
    ("＞", "0", "", "＞0", "0", ">"),
    ("<", "10", "%", "＜10%", "0.10", "<"),
    ("=", "8", "个", "=8个", "8", "="),
    ("定量", "1,200.5", "万元", "1,200.5万元", "1200.5", None),
    (" ≥ ", "95%", "%", "≥95%", "0.95", ">="),  # the unit already written in the value
    ("≥", "≥95%", "", "≥95%", "0.95", ">="),  # the sign already written in the value
    ("", "≥90%", None, "≥90%", "0.90", ">="),
    ("", "95%以上", "", "95%以上", "0.95", ">="),
    ("≥", "提升3", "个百分点", "提升≥3个百分点", "3", ">="),  # as the sample sheet writes it
    ("≥", "-5", "%", "≥-5%", "-0.05", ">="),
    ("定性", "100%", "", "100%", "1.00", None),  # 定性 with a number the engine reads: as written
]


@pytest.mark.parametrize(("op", "value", "unit", "text", "number", "engine_op"), COMPOSED)
def test_a_numeric_target_is_composed_and_read_back_as_the_number_meant(
    op, value, unit, text, number, engine_op
):
    target = compose_target(op=op, value=str(value), unit=unit)
    assert (target.text, target.text_only) == (text, False)
    read = parse_value(target.text, field="target")
    assert (read.value, read.op) == (Decimal(number), engine_op)


def test_composed_targets_score_as_the_engagements_own_targets_do():
    def score(target: str, actual: str, rule: str | None = "ratio", weight: int = 6) -> Decimal:
        leaf = Leaf(path=("产出", "产出数量", "x"), weight=Decimal(weight), rule=rule,
                    target=target, actual=actual)  # fmt: skip
        return Decimal(score_leaf(leaf).score)

    composed = compose_target(op="≥", value="52000", unit="人").text
    assert score(composed, "50,936人") == score("≥52,000人", "50,936人") == Decimal("5.88")
    rate = compose_target(op="≥", value="95", unit="%").text
    assert score(rate, "90%") == Decimal("5.68")  # 6 × 0.90 ÷ 0.95
    # A blank rule is told by the sign, as for a typed target: ≤ is lower-is-better.
    cost = compose_target(op="不超过", value="5", unit="元").text
    blank = Leaf(path=("产出", "产出成本", "x"), weight=Decimal(4), rule=None, target=cost,
                 actual="5.2元")  # fmt: skip
    assert resolve_rule(blank) == "inverse_ratio"
    assert score(cost, "5.2元", None, 4) == score("≤5元", "5.2元", None, 4) == Decimal("3.85")


@pytest.mark.parametrize(
    ("op", "value"),
    [("定性", "明显改善"), ("", "明显改善"), ("", "2026年6月底前"), ("", "90-95")],
)
def test_a_text_target_is_kept_as_written_and_said_not_to_be_a_number(op, value):
    target = compose_target(op=op, value=value, unit="%")
    assert (target.text, target.text_only) == (value, True)


@pytest.mark.parametrize(
    ("op", "value", "unit", "field", "message"),
    [
        ("约", "200", "天", "op", "指标性质“约”无法识别，可填：≥、≤"),
        ("≥", "良好", "", "value", "指标性质为“≥”，指标值应为一个数值：“良好”中没有数字"),
        ("≤", "≥95%", "", "value", "指标值“≥95%”中的符号与指标性质“≤”不一致"),
        ("≥", "95%", "个", "unit", "指标值“95%”已带单位，与度量单位“个”不一致"),
        ("≥", "500", "㎡", "unit", "与指标值连写为“≥500㎡”后无法按原数值读取"),
        ("≥", "95", "%以上", "unit", "读作0.95"),
    ],
)
def test_a_target_that_cannot_be_written_names_its_column(op, value, unit, field, message):
    with pytest.raises(TargetError) as raised:
        compose_target(op=op, value=value, unit=unit)
    assert raised.value.field == field
    assert message in raised.value.message


def test_names_compare_without_spaces_and_with_either_width_of_brackets():
    assert name_key(" 资金到位率（%） ") == name_key("资金到位率(%)") == "资金到位率(%)"
    assert name_key("学生\u3000满意度") == name_key("学生满意度")
    assert name_key(None) == ""


def _leaf(level1: str, level2: str):
    return SimpleNamespace(level1=level1, level2=level2)


def test_one_leaf_of_the_name_matches_whatever_groups_the_declaration_uses():
    only = _leaf("效益", "满意度")
    assert narrow([only], level1="满意度指标", level2="服务对象满意度指标") == [only]
    assert narrow([], level1="", level2="") == []


def test_leaves_of_one_name_are_told_apart_by_the_groups_exactly_then_loosely():
    output = _leaf("产出", "产出数量")
    benefit = _leaf("效益", "社会效益")
    both = [output, benefit]
    assert narrow(both, level1="效益", level2="") == [benefit]
    assert narrow(both, level1="产出指标", level2="数量指标") == [output]
    assert narrow(both, level1="", level2="") == both  # ambiguous: the caller names both
    assert narrow(both, level1="满意度指标", level2="") == both
