"""Rubrics as data: the built-in defaults, parsing the admin's text, filling in and totals (pure)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.review import rubrics
from workbench.review.rubrics import BUILTINS, DEDUCTION_KEY, STANDARD_KEY, RubricError

STANDARD = BUILTINS[STANDARD_KEY]
DEDUCTION = BUILTINS[DEDUCTION_KEY]


def test_default_rubric_is_domain_md_section_7():
    assert [(i.name, i.max) for i in STANDARD.items] == [
        ("项目团队专业能力", Decimal("15")),
        ("项目团队稳定性", Decimal("15")),
        ("工作过程沟通情况", Decimal("20")),
        ("报告数据详实真实", Decimal("25")),
        ("结论清晰、建议可操作", Decimal("25")),
    ]
    assert STANDARD.full_mark == Decimal("100")
    assert all(len(i.bands) == 3 for i in STANDARD.items)
    assert STANDARD.items[0].bands[0].as_text().startswith("13-15：")


def test_deduction_rubric_defaults():
    points = {d.key: d.points for d in DEDUCTION.deductions}
    assert points["cover_element"] == Decimal("0.4")
    assert points["calculation_error"] == Decimal("0.3")
    assert points["outline_missing"] == Decimal("1")
    assert DEDUCTION.base == Decimal("100") and DEDUCTION.style == "deduction"


def test_score_sums_items_half_up():
    result = rubrics.score(
        STANDARD,
        {"team_competence": "13.5", "team_stability": "15", "communication": "18",
         "report_data": "21.25", "conclusions": "20"},
        {},
    )  # fmt: skip
    assert result.total == Decimal("87.75")
    assert result.scores["report_data"] == Decimal("21.25")
    assert result.deducted == Decimal("0.00")


def test_deductions_are_counted_and_never_below_zero():
    result = rubrics.score(
        DEDUCTION, {}, {"cover_element": "2", "calculation_error": 3, "outline_missing": "1"}
    )
    assert result.deducted == Decimal("2.70")
    assert result.total == Decimal("97.30")
    assert result.counts == {
        "cover_element": 2, "calculation_error": 3, "outline_missing": 1,
        "data_inconsistent": 0, "wording_error": 0,
    }  # fmt: skip
    floor = rubrics.score(DEDUCTION, {}, {"outline_missing": "250"})
    assert floor.total == Decimal("0.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("16", "须在 0–15 分之间"),
        ("-1", "须在 0–15 分之间"),
        ("abc", "不是有效的数字"),
        ("12.345", "最多保留两位小数"),
        ("", "请填写"),
    ],
)
def test_bad_item_score_names_the_item(value, message):
    scores = {"team_competence": value, "team_stability": "15", "communication": "20",
              "report_data": "25", "conclusions": "25"}  # fmt: skip
    with pytest.raises(RubricError) as caught:
        rubrics.score(STANDARD, scores, {})
    [detail] = caught.value.details
    assert detail["field"] == "score_team_competence"
    assert "项目团队专业能力" in detail["message"] and message in detail["message"]


@pytest.mark.parametrize("count", ["-1", "1.5", "两"])
def test_bad_deduction_count(count):
    with pytest.raises(RubricError) as caught:
        rubrics.score(DEDUCTION, {}, {"cover_element": count})
    assert caught.value.details[0]["field"] == "count_cover_element"
    assert "0 或正整数" in caught.value.details[0]["message"]


def test_unknown_keys_and_max_count():
    with pytest.raises(RubricError) as caught:
        rubrics.score(DEDUCTION, {"nope": "1"}, {})
    assert "nope" in caught.value.details[0]["message"]
    capped = rubrics.rubric_from_data(
        {"base": 100, "deductions": [{"name": "错别字", "points": "0.1", "max_count": 5}]}, name="x"
    )
    with pytest.raises(RubricError, match="最多计 5 次"):
        rubrics.score(capped, {}, {"d1": "6"})


def test_text_round_trip_keeps_the_rubric():
    for rubric in BUILTINS.values():
        text = rubrics.rubric_to_text(rubric)
        assert rubrics.rubric_from_text(text, name=rubric.name) == rubric


def test_keys_are_optional_and_json_is_accepted():
    rubric = rubrics.rubric_from_text(
        '{"items": [{"name": "甲", "max": 60}, {"name": "乙", "max": 40}],'
        ' "deductions": [{"name": "错", "points": 0.5}]}',
        name="JSON",
    )
    assert [i.key for i in rubric.items] == ["i1", "i2"]
    assert rubric.deductions[0].key == "d1"
    assert rubrics.score(rubric, {"i1": "60", "i2": "40"}, {"d1": "2"}).total == Decimal("99.00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("items:\n  - name: 甲\n    max: 50\n", "满分须为 100 分（当前为 50 分）"),
        (
            "items:\n  - name: 甲\n    max: 100\n    bands: ['一百分']\n",
            "格式应为“下限-上限：说明”",
        ),
        ("items:\n  - name: 甲\n    max: 100\n    bands: ['90-120：好']\n", "0–100 之间"),
        (
            "items:\n  - {key: a, name: 甲, max: 50}\n  - {key: a, name: 乙, max: 50}\n",
            "key “a”重复",
        ),
        ("items:\n  - {name: 甲, max: 100}\nbase: 100\n", "不能再设置 base"),
        ("deductions:\n  - {name: 错, points: 1}\n", "须设置基础分 base"),
        ("deductions:\n  - {name: 错, points: -1}\nbase: 100\n", "须为正数"),
        ("items: [\n", "格式有误（第"),
        ("- 1\n- 2\n", "须包含 items 或 deductions"),
        ("items:\n  - {max: 100}\n", "缺少名称"),
        ("colour: red\nitems:\n  - {name: 甲, max: 100}\n", "无法识别的项：colour"),
        ("items:\n  - {name: 甲, max: 100, key: 1abc}\n", "只能由字母、数字和下划线组成"),
    ],
)
def test_bad_definitions_are_refused_with_a_clear_message(text, message):
    with pytest.raises(RubricError) as caught:
        rubrics.rubric_from_text(text, name="测试")
    assert any(message in d["message"] for d in caught.value.details), caught.value.details


def test_name_is_required():
    with pytest.raises(RubricError) as caught:
        rubrics.rubric_from_data({"items": [{"name": "甲", "max": 100}]}, name=" ")
    assert caught.value.details[0]["field"] == "name"


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=5, max_size=5))
def test_total_is_the_sum_of_item_scores_within_bounds(raw):
    maxima = [15, 15, 20, 25, 25]
    values = [Decimal(r * m) / 100 for r, m in zip(raw, maxima, strict=True)]
    keys = [i.key for i in STANDARD.items]
    result = rubrics.score(STANDARD, {k: str(v) for k, v in zip(keys, values, strict=True)}, {})
    assert result.total == rubrics.q2(sum(values))
    assert Decimal(0) <= result.total <= Decimal(100)
