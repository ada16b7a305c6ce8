"""The 评分标准 sentences a plan prints: one per rule type, never a result (plain inputs)."""

from __future__ import annotations

import pytest

from workbench.scoring.param_types import RULES
from workbench.scoring.standards import plan_standard, rule_standard

# Marks of scoring working: none may appear in a standard.
WORKING = ("→", "×", "min(", "÷", "手工评定", "得分为")


def test_ratio_states_the_ratio_to_the_target_and_the_cap():
    text = rule_standard(rule="ratio", target="≥95%")
    assert text == "以实际值与目标值之比乘以分值计分（目标值≥95%），最高不超过分值"


def test_ratio_floor():
    text = rule_standard(rule="正向比率", params="floor=60%", target="100%")
    assert text.endswith("；比值低于60%的不得分")


def test_inverse_ratio_says_lower_is_better():
    text = rule_standard(rule="inverse_ratio", target="≤30天")
    assert text == "以目标值与实际值之比乘以分值计分（数值越低越好，目标值≤30天），最高不超过分值"


def test_linear_in_percentage_points_with_a_zero_line():
    text = rule_standard(rule="linear", params="per=1%; deduct=5%; zero=80%", target="100%")
    assert text == (
        "实际值达到目标值100%得满分；每低1个百分点扣分值的5%，扣完为止；实际值不高于80%的不得分"
    )


def test_linear_lower_is_better_keeps_the_unit():
    text = rule_standard(rule="linear", params="per=1; deduct=10%; zero=10", target="≤5天")
    assert (
        text
        == "实际值不超过目标值5天得满分；每高出1天扣分值的10%，扣完为止；实际值不低于10天的不得分"
    )


def test_bands_in_order_then_the_rest():
    text = rule_standard(rule="bands", params=">=95%:1; >=90%:0.8; >=80%:0.6; else:0")
    assert text == (
        "按实际值所在档次计分：实际值≥95%得满分，实际值≥90%得分值的80%，"
        "实际值≥80%得分值的60%，其余不得分"
    )


def test_elements_give_shares_but_not_the_judgement():
    text = rule_standard(rule="elements", params="1/4:1; 1/4:0.5; 1/4:0.4066; 1/4")
    assert text == (
        "按评价要点计分：共4个评价要点，各占分值的25%；各要点完全达到得该要点全部分值，部分达到酌情扣减"
    )
    assert "0.5" not in text and "40.66" not in text


def test_elements_name_the_points_when_they_match():
    text = rule_standard(
        rule="elements", params="10%:1; 80%:0.5; 10%", points="依据充分\n程序规范\n按时批复"
    )
    assert text.startswith(
        "按评价要点计分：①依据充分（占10%）；②程序规范（占80%）；③按时批复（占10%）。"
    )


def test_elements_unequal_shares_without_names():
    text = rule_standard(rule="elements", params="10%; 80%; 10%", points="only one line")
    assert "分别占分值的10%、80%、10%" in text


def test_qualitative_lists_the_levels_not_the_chosen_one():
    text = rule_standard(rule="qualitative", params="部分达成:0.7")
    assert text == (
        "按达成程度定性分档：达成得分值的80%至100%（含），部分达成得分值的60%至80%（不含），"
        "未达成得分值的0%至60%（不含）"
    )
    assert "0.7" not in text and "70%" not in text


def test_deduction_leaves_out_the_deductions_found():
    text = rule_standard(rule="deduction", params="0.5; 1.5")
    assert text == "以分值为限扣分：评价中发现问题的，按工作底稿记录逐项扣减相应分值，扣完为止"


def test_boolean():
    assert rule_standard(rule="boolean") == "符合（是）得满分，不符合（否）不得分"


@pytest.mark.parametrize(
    ("params", "target", "expected"),
    [
        ("", "≥85%", "以满意度与目标值之比乘以分值计分（目标值≥85%），最高不超过分值"),
        (
            "method=linear; per=1%; deduct=10%",
            "≥90%",
            "满意度达到目标值90%得满分；每低1个百分点扣分值的10%，扣完为止",
        ),
        (">=90:1; >=80:0.8", "", "满意度≥90得满分，满意度≥80得分值的80%，其余不得分"),
    ],
)
def test_satisfaction_by_each_method(params, target, expected):
    assert rule_standard(rule="satisfaction", params=params, target=target) == (
        f"以满意度调查结果计分：{expected}"
    )


@pytest.mark.parametrize(
    ("params", "how"),
    [
        ("2.5; 2.8", "取各专家打分的平均值"),
        ("2.5; 2.8; agg=trimmed", "5位及以上专家时去掉一个最高分和一个最低分后取平均值"),
        ("agg=median", "取各专家打分的中位数"),
    ],
)
def test_expert_names_the_aggregation_not_the_scores(params, how):
    text = rule_standard(rule="expert", params=params)
    assert text.startswith("由评审专家在0至分值之间独立打分，") and how in text
    assert "2.5" not in text and "2.8" not in text


def test_manual():
    assert (
        rule_standard(rule="manual") == "由评价组根据核查情况在0至分值之间评定，并书面说明评分理由"
    )


def test_blank_rule_follows_the_target_like_the_calculator():
    assert rule_standard(rule="", target="≥95%").startswith("以实际值与目标值之比")
    assert rule_standard(rule="", target="≤3天").startswith("以目标值与实际值之比")
    assert rule_standard(rule="").startswith("由评价组")


def test_missing_or_unreadable_parameters_say_pending():
    assert rule_standard(rule="linear").endswith("（扣分标准待定）")
    assert rule_standard(rule="bands", params="nonsense").endswith("（分档标准待定）")
    assert rule_standard(rule="no-such-rule").startswith("由评价组")


def test_the_written_standard_wins():
    assert plan_standard(written="  按到位率计分。 ", rule="ratio") == "按到位率计分。"
    assert plan_standard(written="", rule="boolean") == "符合（是）得满分，不符合（否）不得分"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_type_has_a_sentence_without_working(rule):
    params = {
        "linear": "per=1%; deduct=5%",
        "bands": ">=90%:1; else:0",
        "elements": "1/2:1; 1/2:0",
        "expert": "3; 2",
        "deduction": "1",
        "qualitative": "达成:0.9",
    }.get(rule, "")
    text = rule_standard(rule=rule, params=params, target="≥90%")
    assert text and "待定" not in text
    assert not [mark for mark in WORKING if mark in text], text
