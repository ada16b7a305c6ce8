"""Property tests: the importer never fails with an unhandled exception and never drops a row."""

import os
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.surveys.design.questions import LIKERT_LABELS, Question, validate_questions
from workbench.surveys.imports import (
    ImportMapping,
    ImportRefused,
    Table,
    detect_questions,
    parse_responses,
    propose_mapping,
    read_table,
)

QUESTIONS = [
    Question("role", "身份", "single", ["学生", "家长", "教师"], group=True),
    Question("ways", "渠道", "multiple", ["通知", "海报", "其他"]),
    Question(
        "aspects",
        "满意程度",
        "matrix",
        list(LIKERT_LABELS),
        rows=["及时性", "便捷性"],
        satisfaction_item=True,
    ),
    Question(
        "overall",
        "总体满意度",
        "likert",
        list(LIKERT_LABELS),
        satisfaction_item=True,
        required=True,
    ),
    Question("people", "家庭人口", "number"),
    Question("advice", "建议", "text"),
]
HEADERS = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "总分",
    "1、身份",
    "2、渠道",
    "第2题(通知)",
    "2、(海报)",
    "第2题(抖音)",
    "3、满意程度—及时性",
    "便捷性",
    "4、总体满意度",
    "5、家庭人口",
    "6、建议",
    "7、年龄",
    "",
    "备注",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            *LIKERT_LABELS,
            "学生",
            "家长",
            "教师",
            "通知┋海报",
            "其他〖广播〗",
            "通知┋2",
            "(跳过)",
            "(空)",
            "",
            "N/A",
            "2024/09/22 18:15:09",
            "2024-09-22",
            "138秒",
            "2分5秒",
            "1.2.3.4(河南-郑州)",
            "=1+1",
            "┋",
            "〖〗",
        ]
    ),
    st.integers(min_value=-5, max_value=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.text(max_size=12),
)


@st.composite
def tables(draw):
    headers = draw(
        st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=8)), min_size=1, max_size=9)
    )
    width = len(headers)
    body = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 1), max_size=8))
    return [headers, *body]


@settings(
    max_examples=int(os.environ.get("WORKBENCH_HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(tables())
def test_random_tables_never_raise_and_never_drop_rows(rows):
    try:
        table = Table.from_rows(rows)
    except ImportRefused as refused:
        assert refused.errors and refused.errors[0]["message"]
        return
    mapping = propose_mapping(table, QUESTIONS)
    assert ImportMapping.from_dict(mapping.to_dict()) == mapping
    result = parse_responses(table, QUESTIONS, mapping)
    _check(result, table)
    detected = detect_questions(table)
    assert validate_questions(detected) == []
    _check(parse_responses(table, detected, propose_mapping(table, detected)), table)


def _check(result, table):
    for error in result.errors:
        assert isinstance(error["message"], str) and error["message"]
        assert error["row"] is None or isinstance(error["row"], int)
    if result.errors:
        assert result.responses == []
    else:
        assert [r.row for r in result.responses] == table.frame.index.tolist()
        assert len({r.row for r in result.responses}) == table.row_count


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.txt", ""]))
def test_random_bytes_are_read_or_refused(data, name):
    try:
        table = read_table(data, filename=name)
    except ImportRefused as refused:
        assert refused.message
        return
    assert table.headers is not None
    parse_responses(table, QUESTIONS, propose_mapping(table, QUESTIONS))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(max_size=6), min_size=1, max_size=5), min_size=1, max_size=6))
def test_random_csv_text_is_read_or_refused(rows):
    text = "\n".join(",".join(cell.replace(",", "") for cell in row) for row in rows)
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        try:
            table = read_table(data, filename="x.csv")
        except ImportRefused:
            continue
        parse_responses(table, QUESTIONS, propose_mapping(table, QUESTIONS))
