"""Generic CSV/Excel tables with a manual column mapping, and small layouts of 问卷星 variants."""

from decimal import Decimal

from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.imports import (
    BLANK,
    SKIPPED,
    Table,
    map_columns,
    parse_generic_file,
    parse_responses,
    propose_mapping,
)


def questions() -> list[Question]:
    likert = list(LIKERT_LABELS)
    return [
        Question("role", "身份", "single", ["学生", "家长", "教师"], group=True),
        Question("ways", "渠道", "multiple", ["通知", "海报", "其他"]),
        Question(
            "aspects",
            "满意程度",
            "matrix",
            likert,
            rows=["及时性", "便捷性"],
            satisfaction_item=True,
        ),
        Question("overall", "总体满意度", "likert", likert, satisfaction_item=True, required=True),
        Question("people", "家庭人口", "number"),
        Question("advice", "建议", "text"),
    ]


def test_generic_csv_with_manual_mapping(tmp_path):
    path = tmp_path / "paper.csv"
    path.write_text(
        "编号,身份类别,渠道-通知,渠道-海报,及时性,便捷性,总体,人口,意见,备注\n"
        "1,学生,1,0,满意,非常满意,满意,3,无,x\n"
        "2,教师,0,1,一般,,非常满意,4.5,,y\n"
        "3,家长,0,0,(跳过),(跳过),不满意,,(跳过),z\n",
        encoding="utf-8-sig",
    )
    assignments = {
        "编号": "序号",
        "身份类别": "role",
        "渠道-通知": "ways(通知)",
        "渠道-海报": "ways(2)",
        "及时性": "aspects",
        "便捷性": "aspects—便捷性",
        "总体": "overall",
        "人口": "people",
        "意见": "advice",
        "不存在的列": "advice",
    }
    result = parse_generic_file(path, questions=questions(), assignments=assignments)
    assert result.errors == []
    assert "列对应中的表头“不存在的列”在文件中不存在，已忽略" in result.warnings
    assert "以下列未指定对应题目，导入时将忽略：备注" in result.warnings
    first, second, third = result.responses
    assert first.answers == {
        "role": 0,
        "ways": [0],
        "aspects": {"及时性": 1, "便捷性": 0},
        "overall": 1,
        "people": Decimal("3"),
        "advice": "无",
    }
    assert second.answers["ways"] == [1]
    assert second.answers["aspects"] == {"及时性": 2, "便捷性": None}
    assert second.answers["people"] == Decimal("4.5")
    assert second.missing == {"advice": BLANK}
    assert third.answers["ways"] is None and third.missing["ways"] == BLANK
    assert third.answers["aspects"] is None and third.missing["aspects"] == SKIPPED
    assert third.missing["advice"] == SKIPPED and third.missing["people"] == BLANK
    assert [r.source_key for r in result.responses] == ["1|", "2|", "3|"]


def test_generic_without_serial_keys_rows_by_content():
    table = Table.from_rows([["总体"], ["满意"], ["一般"], ["满意"]])
    mapping = map_columns(table, questions(), {"总体": "overall"})
    result = parse_responses(table, questions(), mapping)
    keys = [r.source_key for r in result.responses]
    assert all(k.startswith("row:") for k in keys)
    assert (
        keys[0] == keys[2] != keys[1]
    )  # identical rows, identical keys: re-import stays idempotent


def test_generic_unknown_target_is_reported():
    table = Table.from_rows([["a", "b"], ["满意", "x"]])
    mapping = map_columns(table, questions(), {"a": "overall", "b": "nope"})
    assert mapping.errors[0]["message"].startswith("B列（b）：目标“nope”不是问卷中的题目编号")
    mapping.ignore(1)
    assert parse_responses(table, questions(), mapping).errors == []


def test_wjx_number_prefixed_split_columns_and_joined_codes():
    """`N、(选项)` split columns, `┋`-joined option numbers and -2 skips."""
    rows = [
        [
            "序号",
            "1、身份",
            "2、(通知)",
            "2、(海报)",
            "2、(其他)",
            "4、总体满意度",
            "5、家庭人口",
            "6、建议",
        ],
        [1, 1, 1, 0, 1, 2, 3, "无"],
        [2, 3, -2, -2, -2, 1, -3, -2],
        [3, 2, 0, 0, 0, 5, 2, "(空)"],
    ]
    table = Table.from_rows(rows)
    qs = [q for q in questions() if q.key != "aspects"]
    result = parse_responses(table, qs, propose_mapping(table, qs))
    assert result.errors == [] and result.variant == "code"
    assert [r.answers["ways"] for r in result.responses] == [[0, 2], None, None]
    assert [r.missing.get("ways") for r in result.responses] == [None, SKIPPED, BLANK]
    assert [r.answers["overall"] for r in result.responses] == [1, 0, 4]
    assert result.responses[1].missing == {"ways": SKIPPED, "people": SKIPPED, "advice": SKIPPED}
    assert result.responses[2].missing == {"ways": BLANK, "advice": BLANK}


def test_joined_option_numbers_and_other_text_in_single_choice():
    rows = [
        ["序号", "1、身份", "2、渠道"],
        [1, "其他〖社区工作者〗", "通知┋其他〖广播〗"],
        [2, "学生", "海报"],
    ]
    qs = [
        Question("role", "身份", "single", ["学生", "家长", "其他"]),
        Question("ways", "渠道", "multiple", ["通知", "海报", "其他"]),
    ]
    table = Table.from_rows(rows)
    result = parse_responses(table, qs, propose_mapping(table, qs))
    assert result.errors == []
    first = result.responses[0]
    assert first.answers == {"role": 2, "ways": [0, 2]}
    assert first.other_text == {"role": "社区工作者", "ways": "广播"}
    code_rows = [["序号", "1、身份", "2、渠道"], [1, 3, "1┋3"], [2, 1, "2"]]
    code_table = Table.from_rows(code_rows)
    coded = parse_responses(code_table, qs, propose_mapping(code_table, qs))
    assert coded.variant == "code"
    assert [r.answers for r in coded.responses] == [
        {"role": 2, "ways": [0, 2]},
        {"role": 0, "ways": [1]},
    ]


def test_digit_option_texts_follow_the_file_variant():
    """Options that are themselves digits read as text in a text export, as numbers in a code export."""
    qs = [
        Question("kids", "子女数", "single", ["0", "1", "2", "3及以上"]),
        Question("overall", "总体满意度", "likert", list(LIKERT_LABELS)),
    ]
    text = Table.from_rows(
        [["序号", "1、子女数", "2、总体满意度"], [1, "2", "满意"], [2, "3及以上", "一般"]]
    )
    parsed = parse_responses(text, qs, propose_mapping(text, qs))
    assert parsed.variant == "text"
    assert [r.answers["kids"] for r in parsed.responses] == [2, 3]
    code = Table.from_rows([["序号", "1、子女数", "2、总体满意度"], [1, 2, 2], [2, 4, 3]])
    parsed = parse_responses(code, qs, propose_mapping(code, qs))
    assert parsed.variant == "code"
    assert [r.answers["kids"] for r in parsed.responses] == [1, 3]


def test_metadata_columns_in_another_order_and_fully_empty_rows():
    rows = [
        ["来自IP", "所用时间", "序号", "提交答卷时间", "总分", "1、总体满意度"],
        ["10.0.0.1", "2分5秒", 7, "2024-09-22 08:00", "", "满意"],
        [None, None, None, None, None, None],
        ["10.0.0.2(北京)", "61", 8, "2024/09/22 09:00:01", "95", "(空)"],
    ]
    qs = [Question("overall", "总体满意度", "likert", list(LIKERT_LABELS))]
    table = Table.from_rows(rows)
    result = parse_responses(table, qs, propose_mapping(table, qs))
    assert result.errors == []
    assert "已跳过 1 个完全空白的行" in result.warnings
    first, second = result.responses
    assert (first.row, second.row) == (2, 4)
    assert (first.duration_seconds, second.duration_seconds) == (125, 61)
    assert (first.ip, first.ip_location, second.ip_location) == ("10.0.0.1", None, "北京")
    assert second.extra == {"总分": "95"} and first.extra == {}
    assert first.source_key == "7|2024-09-22 08:00:00"
    assert second.missing == {"overall": BLANK}


def test_questionnaire_question_absent_from_file_is_warned():
    qs = questions()
    table = Table.from_rows([["序号", "4、总体满意度"], [1, "满意"]])
    mapping = propose_mapping(table, qs)
    assert mapping.errors == []
    assert "问卷第1题“身份”在文件中没有对应的列，导入后该题均视为未作答" in mapping.warnings
    result = parse_responses(table, qs, mapping)
    assert result.responses[0].answers["overall"] == 1
    assert result.responses[0].missing["role"] == BLANK


def test_an_invalid_questionnaire_is_reported_before_reading_rows():
    table = Table.from_rows([["序号", "1、身份"], [1, "学生"]])
    broken = [Question("role", "身份", "single", [])]
    result = parse_responses(table, broken, propose_mapping(table, broken))
    assert result.errors == [
        {"row": None, "column": None, "message": "问卷设置有误：第1题（role）（单选题）缺少选项"}
    ]
