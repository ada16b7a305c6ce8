"""Questionnaire model: defaults, item naming, dict round-trip and validation messages."""

from decimal import Decimal

import pytest

from workbench.surveys.design.questions import (
    DEFAULT_LIKERT_SCORES,
    FIVE_POINT_SCORES,
    LIKERT_LABELS,
    Question,
    item_column,
    iter_items,
    linear_scores,
    points_to_percent_scale,
    questions_from_dicts,
    validate_questions,
)


def test_default_likert_scale_is_data():
    assert LIKERT_LABELS == ("非常满意", "满意", "一般", "不满意", "非常不满意")
    assert [int(s) for s in DEFAULT_LIKERT_SCORES] == [100, 80, 60, 30, 0]


def test_five_to_one_map_converts_to_percent_scale():
    assert points_to_percent_scale(FIVE_POINT_SCORES) == [
        Decimal("100.00"),
        Decimal("75.00"),
        Decimal("50.00"),
        Decimal("25.00"),
        Decimal("0.00"),
    ]
    assert points_to_percent_scale([1, 2, 3]) == [
        Decimal("0.00"),
        Decimal("50.00"),
        Decimal("100.00"),
    ]


def test_linear_scores_for_other_lengths():
    assert linear_scores(3) == [Decimal("100.00"), Decimal("50.00"), Decimal("0.00")]
    assert linear_scores(4) == [
        Decimal("100.00"),
        Decimal("66.67"),
        Decimal("33.33"),
        Decimal("0.00"),
    ]


def test_effective_scores_default_and_override():
    likert = Question("q5", "总体满意度", "likert", list(LIKERT_LABELS))
    assert likert.effective_scores() == list(DEFAULT_LIKERT_SCORES)
    custom = Question(
        "q5",
        "总体满意度",
        "likert",
        list(LIKERT_LABELS),
        scores=[Decimal(v) for v in (100, 75, 50, 25, 0)],
    )
    assert custom.effective_scores() == [Decimal(v) for v in (100, 75, 50, 25, 0)]
    assert Question("q1", "身份", "single", ["学生", "家长"]).effective_scores() is None
    three = Question("q9", "三级", "likert", ["好", "中", "差"])
    assert three.effective_scores() == [Decimal("100.00"), Decimal("50.00"), Decimal("0.00")]


def test_matrix_rows_are_items_named_text_dash_row():
    matrix = Question(
        "q4",
        "您对以下方面的满意程度",
        "matrix",
        list(LIKERT_LABELS),
        rows=["及时性", "合理性"],
        satisfaction_item=True,
        weight=Decimal("2"),
    )
    single = Question("q1", "身份", "single", ["学生", "家长"])
    items = iter_items([single, matrix, Question("q6", "建议", "text")])
    assert [i.label for i in items] == [
        "身份",
        "您对以下方面的满意程度—及时性",
        "您对以下方面的满意程度—合理性",
    ]
    assert [i.column for i in items] == ["q1", "q4—及时性", "q4—合理性"]
    assert [i.satisfaction for i in items] == [False, True, True]
    assert items[1].weight == Decimal("2")
    assert item_column("q4", "及时性") == "q4—及时性"


def test_dict_round_trip_matches_api_body():
    body = {
        "key": "q5",
        "text": "总体满意度",
        "type": "likert",
        "options": list(LIKERT_LABELS),
        "scores": ["100", "75", "50", "25", "0"],
        "satisfaction_item": True,
        "weight": "1.5",
    }
    question = Question.from_dict(body)
    assert question.scores == [
        Decimal("100"),
        Decimal("75"),
        Decimal("50"),
        Decimal("25"),
        Decimal("0"),
    ]
    assert question.weight == Decimal("1.5")
    assert question.rows == [] and question.group is False and question.required is False
    out = question.to_dict()
    assert out == {**body, "rows": [], "group": False, "required": False}
    assert Question.from_dict(out) == question
    matrix = Question.from_dict(
        {
            "key": "q4",
            "text": "方面",
            "type": "matrix",
            "options": ["好", "差"],
            "rows": ["甲", "乙"],
        }
    )
    assert matrix.rows == ["甲", "乙"] and matrix.weight == Decimal("1") and matrix.scores is None


def test_from_dict_refuses_non_numeric_scores_in_chinese():
    with pytest.raises(ValueError, match="分值“高”不是有效的数字"):
        Question.from_dict(
            {"key": "q1", "text": "t", "type": "likert", "options": ["a"], "scores": ["高"]}
        )
    with pytest.raises(ValueError, match="权重"):
        Question.from_dict({"key": "q1", "text": "t", "type": "text", "weight": "abc"})


def test_valid_questionnaire_has_no_errors():
    questions = questions_from_dicts(
        [
            {
                "key": "q1",
                "text": "身份",
                "type": "single",
                "options": ["学生", "家长"],
                "group": True,
            },
            {"key": "q2", "text": "渠道", "type": "multiple", "options": ["通知", "海报"]},
            {
                "key": "q3",
                "text": "方面",
                "type": "matrix",
                "options": list(LIKERT_LABELS),
                "rows": ["甲"],
                "satisfaction_item": True,
            },
            {
                "key": "q4",
                "text": "总体",
                "type": "likert",
                "options": list(LIKERT_LABELS),
                "satisfaction_item": True,
            },
            {"key": "q5", "text": "建议", "type": "text"},
            {"key": "q6", "text": "人数", "type": "number"},
        ]
    )
    assert validate_questions(questions) == []


def test_validation_messages():
    questions = [
        Question("q1", "身份", "single", []),
        Question("q1", "重复", "text"),
        Question("q3", "方面", "likert", ["好", "差"], scores=[Decimal(1)]),
        Question("q4", "权重", "likert", ["好", "差"], weight=Decimal("-1")),
        Question("q5", "题型", "dropdown"),
        Question("q6", "矩阵", "matrix", ["好", "差"]),
        Question("q7", "选项重复", "single", ["好", "好"]),
        Question("", "无编号", "text"),
        Question("q9", "", "text"),
        Question("q10", "满意度", "text", satisfaction_item=True),
        Question("q11", "填空", "text", options=["a"]),
        Question("q12", "分组", "multiple", ["a", "b"], group=True),
    ]
    errors = validate_questions(questions)
    expected = [
        "第1题（q1）（单选题）缺少选项",
        "第2题（q1）：题目编号“q1”重复",
        "第3题（q3）：分值个数（1）与选项个数（2）不一致",
        "第4题（q4）：权重不能为负数（当前为 -1）",
        "第5题（q5）：题型“dropdown”无效",
        "第6题（q6）（矩阵题）缺少行",
        "第7题（q7）：选项有重复",
        "第8题缺少题目编号（key）",
        "第9题（q9）缺少题干",
        "第10题（q10）：满意度题目必须为量表题、矩阵题或设置了分值的单选题",
        "第11题（q11）（填空题）不应设置选项",
        "第12题（q12）：只有单选题可以作为分组题",
    ]
    for text in expected:
        assert any(text in e for e in errors), (text, errors)
