"""Pure helpers of the application part: designer rules, form entry, column mapping, templates."""

from decimal import Decimal

import pytest

from tests.surveys.helpers import SAMPLES, questionnaire
from workbench.surveys.collection.entry import read_entry
from workbench.surveys.design import catalog
from workbench.surveys.design.edit_rules import (
    check_questionnaire,
    next_key,
    parse_scores,
    question_from_fields,
    scores_text,
    structural_changes,
)
from workbench.surveys.design.questions import Question
from workbench.surveys.imports import Table, automap, read_table


def test_scores_text_round_trip():
    assert parse_scores("100/75/50/25/0") == [Decimal(v) for v in ("100", "75", "50", "25", "0")]
    assert parse_scores("5，4、3 2;1") == [Decimal(v) for v in "54321"]
    assert parse_scores("  ") is None
    assert scores_text([Decimal("100"), Decimal("82.5"), Decimal("0.00")]) == "100/82.5/0"
    with pytest.raises(ValueError, match="不是数字"):
        parse_scores("100/很多")


def test_likert_and_matrix_get_the_default_scale():
    q = question_from_fields({"type": "matrix", "text": "满意程度", "rows": "甲\n\n乙 "}, key="q9")
    assert q.options[0] == "非常满意" and [str(s) for s in q.scores] == [
        "100",
        "80",
        "60",
        "30",
        "0",
    ]
    assert q.rows == ["甲", "乙"]
    single = question_from_fields(
        {"type": "single", "text": "t", "options": "A\nB", "rows": "x"}, key="q1"
    )
    assert single.rows == [] and single.scores is None


def test_next_key_skips_taken_keys():
    assert next_key([Question("q2", "a", "text"), Question("q3", "b", "text")]) == "q4"
    assert next_key([]) == "q1"


def test_check_questionnaire_limits():
    long = Question("q1", "题" * 501, "single", [f"选项{i}" for i in range(31)])
    problems = check_questionnaire([long, Question("1x", "t", "text")])
    assert any("题干不能超过 500 个字符" in p for p in problems)
    assert any("选项不能超过 30 个" in p for p in problems)
    assert any("只能由字母开头" in p for p in problems)


def test_structural_changes_allow_rewording_and_rescoring_only():
    before = questionnaire()
    reworded = [Question(**{**q.__dict__}) for q in before]
    reworded[4].text, reworded[4].scores = "总体满意吗", [Decimal(v) for v in (5, 4, 3, 2, 1)]
    reworded.append(Question("q7", "新题", "text"))
    assert structural_changes(before, reworded, responses=3) == []
    changed = [Question(**{**q.__dict__}) for q in before[1:]]
    changed[2].rows = changed[2].rows[:3]
    message = structural_changes(before, changed, responses=3)[0]
    assert "已有 3 份答卷" in message and "不能删除题目“您的身份”" in message
    assert "不能修改题目“您对以下方面的满意程度”的矩阵行" in message
    assert structural_changes(before, changed, responses=0) == []


def test_read_entry_public_indexes_and_paper_codes():
    questions = questionnaire()
    public = read_entry(
        questions,
        {"a.q1": ["3"], "a.q3": ["4", "0"], "r.1.q4": ["4"], "a.q5": ["0"], "a.q6": ["  好 "]},
        codes=False,
        enforce_required=True,
    )
    assert public.ok and public.answers["q1"] == 3 and public.answers["q3"] == [0, 4]
    assert public.answers["q4"] == {
        "补助资金发放及时性": None, "补助标准合理性": 4, "申请流程便捷性": None, "政策宣传到位程度": None,
    }  # fmt: skip
    assert public.answers["q6"] == "好" and public.missing == {"q2": "blank"}
    paper = read_entry(
        questions, {"a.q3": ["5 1"], "a.q1": ["4"]}, codes=True, enforce_required=False
    )
    assert paper.ok and paper.answers["q3"] == [0, 4] and paper.answers["q1"] == 3
    assert paper.missing["q5"] == "blank"
    strict = read_entry(questions, {}, codes=False, enforce_required=True)
    assert [e["field"] for e in strict.errors] == ["a.q5"]


def test_number_questions_are_kept_as_exact_text():
    questions = [Question("n", "补助金额（万元）", "number")]
    entry = read_entry(questions, {"a.n": ["1,200.50"]}, codes=False, enforce_required=True)
    assert entry.answers == {"n": "1200.50"}
    bad = read_entry(questions, {"a.n": ["很多"]}, codes=False, enforce_required=True)
    assert bad.errors[0]["message"] == "第1题“补助金额（万元）”：“很多”不是有效的数字"


def test_automap_detects_wjx_and_generic_tables():
    wjx = read_table(SAMPLES / "wjx_satisfaction_text.xlsx")
    assert automap.is_wjx(wjx)
    generic = Table.from_rows(
        [
            ["q1", "您所在的区域", "q4—补助标准合理性", "q3(其他)", "备注"],
            ["教师", "城区", "满意", "1", "x"],
        ]
    )
    assert not automap.is_wjx(generic)
    mapping = automap.propose(generic, questionnaire(), "generic")
    roles = [(c.role, c.question_key, c.row, c.option) for c in mapping.columns]
    assert roles[:4] == [
        ("answer", "q1", None, None),
        ("answer", "q2", None, None),
        ("answer", "q4", "补助标准合理性", None),
        ("answer", "q3", None, 4),
    ]
    assert roles[4][0] == "unmatched"
    assert "E列（备注）" in mapping.errors[0]["message"]


def test_apply_choices_round_trip():
    questions = questionnaire()
    table = Table.from_rows([["身份", "意见", "x"], ["教师", "无", "1"]])
    mapping = automap.propose_generic(table, questions)
    values = {c.column: automap.value_of(c, questions) for c in mapping.columns}
    assert values == {0: "?", 1: "?", 2: "?"}
    edited = automap.apply_choices(mapping, questions, {0: "q:q1", 1: "q:q6", 2: ""}, table)
    assert edited.errors == []
    assert [automap.value_of(c, questions) for c in edited.columns] == ["q:q1", "q:q6", ""]
    odd = automap.apply_choices(mapping, questions, {0: "r:q4:9", 1: "meta:serial", 2: "?"}, table)
    assert [c.role for c in odd.columns] == ["unmatched", "meta", "unmatched"]
    labels = dict(automap.choices(questions))
    assert labels["r:q4:1"] == "第4题 您对以下方面的满意程度—补助标准合理性"
    assert labels["o:q3:4"] == "第3题 您是通过哪些渠道了解本项目的（其他：1/0）"


def test_every_shipped_template_is_a_valid_questionnaire():
    found = catalog.templates()
    assert {t.key for t in found} == {"beneficiaries", "parents", "enterprises", "implementers"}
    for template in found:
        assert check_questionnaire(template.questions) == []
        assert any(q.satisfaction_item for q in template.questions)
        assert any(q.group for q in template.questions) and template.purpose


def test_template_errors_name_the_file():
    with pytest.raises(catalog.TemplateError, match="bad.yaml：.*缺少选项"):
        catalog.parse_template(
            "key: x\nname: y\nquestions:\n  - {key: q1, text: t, type: single}\n", source="bad.yaml"
        )
    with pytest.raises(catalog.TemplateError, match="YAML 格式有误"):
        catalog.parse_template("key: [", source="broken.yaml")


def test_interned_rows_match_calamine_to_python_and_share_strings():
    import io

    import openpyxl
    from python_calamine import CalamineWorkbook

    from workbench.core.spreadsheet.xlsx import interned_rows

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D4"], sheet["C5"], sheet["B9"] = "满意", 1, "满意", "z"
    buffer = io.BytesIO()
    book.save(buffer)

    def first_sheet():
        return CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0)

    rows = interned_rows(first_sheet())
    assert rows == first_sheet().to_python(skip_empty_area=False)
    assert rows[2][2] is rows[4][2]  # one object per distinct text
