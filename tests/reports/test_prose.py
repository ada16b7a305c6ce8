"""The report's sentence per scoring rule (reports/prose.py), from plain inputs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from workbench.reports.prose import FindingFact, ScoreFacts, SurveyFact, score_sentence
from workbench.reports.prose_numbers import number, quantity

# What a report must never print: the engine's arithmetic and placeholders.
ARITHMETIC = ("×", "÷", "→", "min(", "—", "手工评定", "最高3", "=")


def sentence(rule, weight, score, **kw) -> str:
    text = score_sentence(
        ScoreFacts(rule=rule, weight=D(weight), score=D(score) if score else None, **kw)
    )
    assert not any(mark in text for mark in ARITHMETIC), text
    return text


def test_numbers_have_separators_and_money_two_places():
    assert number(D("52000")) == "52,000"
    assert number(D("3702.5"), "万元") == "3,702.50"
    assert quantity("3702.5万元") == "3,702.50万元"
    assert quantity("≥52000人") == "不低于52,000人"
    assert quantity("≤5元") == "不高于5.00元"
    assert quantity("提升2.4个百分点") == "提升2.4个百分点"


def test_ratio_states_actual_target_and_share():
    text = sentence("ratio", "4", "3.84", target="3,860万元", actual="3702.5万元")
    assert text == "实际值3,702.50万元，为目标值3,860.00万元的95.92%，按完成比例折算计得3.84分。"
    full = sentence("ratio", "4", "4", target="95%", actual="96.3%")
    assert full == "实际值96.3%，达到目标值（95%），得满分4分。"
    floor = sentence("ratio", "6", "0", target="≥52,000人", actual="20,000人", params="floor=60%")
    assert "低于60%的计分下限，不得分" in floor and "52,000人的38.46%" in floor


def test_inverse_ratio():
    text = sentence("inverse_ratio", "4", "3.85", target="≤5元", actual="5.2元")
    assert text.startswith("实际值5.20元，超过目标值（不高于5.00元），目标值与实际值之比为96.15%")
    assert text.endswith("计得3.85分。")
    assert "未超过目标值" in sentence("inverse_ratio", "4", "4", target="≤5元", actual="4.8元")


def test_linear_in_percentage_points_and_zero_line():
    params = "per=1%;deduct=5%;zero=80%"
    text = sentence("linear", "6", "3.36", target="100%", actual="91.2%", params=params)
    assert text == (
        "实际值91.2%，较目标值100%低8.8个百分点，按每低1个百分点扣分值的5%计算，"
        "共扣减分值的44%，计得3.36分。"
    )
    assert sentence("linear", "6", "0", target="100%", actual="78%", params=params) == (
        "实际值78%，未高于80%的零分线，不得分。"
    )


def test_bands():
    params = ">=200:1;>=180:0.8;>=160:0.6;else:0"
    text = sentence("bands", "6", "4.8", target="≥200天", actual="192天", params=params)
    assert text == "实际值192天，处于“不低于180天”档次，按分值的80%计得4.80分。"
    low = sentence("bands", "6", "0", target="≥200天", actual="100天", params=params)
    assert low == "实际值100天，未达到最低计分档次，不得分。"


def test_elements_names_the_points_and_cites_the_paper():
    text = sentence(
        "elements", "3", "2",
        params="1/3:1;1/3:1;1/3:0",
        elements=[(D(1) / 3, D(1)), (D(1) / 3, D(1)), (D(1) / 3, D(0))],
        element_names=["立项依据充分", "程序完整", "开展事前绩效评估"],
        findings=[FindingFact("未开展事前绩效评估", D(1), "D-08-03", "element", 3)],
    )  # fmt: skip
    assert text == (
        "该指标设3个评价要点（各要点权重相同），经核查，2个要点达到要求，“开展事前绩效评估”未达到"
        "（底稿D-08-03），按要点权重和达成度计得2.00分。"
    )
    part = sentence("elements", "3", "2.1", params="20%:1;60%:0.5;20%:1")
    assert "要点权重分别为20%、60%、20%" in part and "第2个要点部分达到（达成度50%）" in part
    assert "尚有1个要点未评定" in sentence("elements", "3", "1", params="1/2:1;1/2")


def test_qualitative():
    text = sentence("qualitative", "3", "2.1", params="部分达成:0.7")
    assert (
        text == "经综合评价，该指标评定为“部分达成”，该等级得分系数为0.6～0.8，取0.7，计得2.10分。"
    )


def test_deduction_cites_the_working_paper_index():
    findings = [
        FindingFact("账目未分开核算", D("0.5"), "D-08-01", "deduction"),
        FindingFact("列支劳务费", D("1"), "D-07-01", "deduction"),
    ]
    text = sentence("deduction", "5", "3.5", deductions=[D("0.5"), D("1")], findings=findings)
    assert text == "经核查，发现问题2处，合计扣1.5分（底稿D-08-01、D-07-01），计得3.50分。"
    typed = sentence("deduction", "5", "3", params="0.5;0.5;1")
    assert typed == "经核查，发现问题3处，分别扣0.5分、0.5分、1分，合计扣2分，计得3.00分。"
    assert sentence("deduction", "5", "5") == "经核查，未发现应扣分事项，得满分5分。"


def test_boolean_never_prints_a_dash_target():
    assert sentence("boolean", "4", "4", actual="是") == "经核查，符合评分标准的要求，得满分4分。"
    assert sentence("boolean", "4", "0", actual="否") == "经核查，不符合评分标准的要求，不得分。"


def test_satisfaction_from_the_linked_survey():
    survey = SurveyFact("学生家长满意度调查", "满意率", 229, D("80.44"))
    text = sentence(
        "satisfaction", "4", "3.79", target="85%", actual="88.2%", params="method=ratio",
        actual_value=D("80.44"), survey=survey,
    )  # fmt: skip
    assert text == (
        "根据“学生家长满意度调查”（有效问卷229份），满意率为80.44%，为目标值85%的94.64%，"
        "按完成比例折算计得3.79分。"
    )
    assert "88.2" not in text
    linear = sentence(
        "satisfaction", "5", "4.35", target="≥90%", actual="87.4%",
        params="method=linear;per=1%;deduct=5%",
    )  # fmt: skip
    assert linear.startswith("满意度调查结果为87.40%，较目标值90%低2.6个百分点")


def test_expert_trimmed_mean_in_words():
    scores = [D("2.5"), D("3"), D("2"), D("2.8"), D("2.6")]
    text = sentence("expert", "3", "2.63", params="agg=trimmed", expert_scores=scores)
    assert text == (
        "由5位专家独立打分，去掉一个最高分（3分）和一个最低分（2分）后，"
        "取其余3位专家评分的平均值，计得2.63分。"
    )
    few = sentence("expert", "3", "2.5", params="agg=trimmed", expert_scores=scores[:3])
    assert "因专家少于5位，未去掉最高分和最低分，取平均值" in few
    flagged = score_sentence(
        ScoreFacts("expert", D(3), D("2"), expert_scores=[D(1), D(3)], dispersion=D("0.7071"),
                   dispersion_flag=True)
    )  # fmt: skip
    assert flagged.endswith("专家评分差异较大（变异系数70.71%）。")


def test_manual_gives_the_reason_not_the_engine_word():
    text = sentence("manual", "3", "2.5", justification="成本节约率4.1%，专家组评定")
    assert text == "经评价组综合评定，计得2.50分。评定理由：成本节约率4.1%，专家组评定。"


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (dict(rule="ratio", target="95%", error="须填写实际值", error_field="actual"),
         "尚未取得该指标的实际值（目标值95%），暂未计分。"),
        (dict(rule="ratio", actual="96%", error="须填写目标值", error_field="target"),
         "该指标尚未设定目标值，暂未计分。"),
        (dict(rule="expert", error="还没有专家打分"), "专家尚未完成打分，该指标暂未计分。"),
        (dict(rule="manual", error="手工计分须填写得分", error_field="score"),
         "该指标尚未评定得分。"),
        (dict(rule=None, not_applicable=True, na_reason="省级统一配送"),
         "该指标不适用（省级统一配送），不计分。"),
    ],
)  # fmt: skip
def test_missing_values_get_an_honest_sentence(facts, expected):
    assert score_sentence(ScoreFacts(weight=D(4), score=None, **facts)) == expected
