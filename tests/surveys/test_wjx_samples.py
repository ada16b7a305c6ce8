"""The four 问卷星 sample exports reproduce samples/README.md, in both variants and all formats."""

from decimal import Decimal
from pathlib import Path

import pytest

import workbench
from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.imports import (
    SKIPPED,
    ImportMapping,
    detect_questions,
    parse_responses,
    parse_wjx_file,
    propose_mapping,
    read_table,
)
from workbench.surveys.statistics.analysis import analyze
from workbench.surveys.statistics.frames import build_frame
from workbench.surveys.statistics.validity import ValidityRules, check_validity

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
FILES = [
    "wjx_satisfaction_text.xls",
    "wjx_satisfaction_code.xls",
    "wjx_satisfaction_text.xlsx",
    "wjx_satisfaction_text_gbk.csv",
]
MATRIX_ROWS = ["补助资金发放及时性", "补助标准合理性", "申请流程便捷性", "政策宣传到位程度"]
EXPECTED = {  # samples/README.md: n, rate %, score index
    "您对以下方面的满意程度—补助资金发放及时性": (240, "79.58", "81.21"),
    "您对以下方面的满意程度—补助标准合理性": (240, "78.33", "81.38"),
    "您对以下方面的满意程度—申请流程便捷性": (240, "79.58", "82.88"),
    "您对以下方面的满意程度—政策宣传到位程度": (240, "82.50", "83.75"),
    "总体而言，您对本项目是否满意": (240, "82.50", "83.08"),
}
CHANNELS = {"学校通知": 91, "微信公众号": 89, "宣传海报": 109, "亲友介绍": 95, "其他": 95}


def questionnaire() -> list[Question]:
    """The survey as its author created it (option order = 问卷星 option numbers)."""
    likert = list(LIKERT_LABELS)
    return [
        Question(
            "q1", "您的身份", "single", ["学生家长", "教师", "学校管理人员", "其他"], group=True
        ),
        Question("q2", "您所在的区域", "single", ["城区", "乡镇", "农村"], group=True),
        Question("q3", "您是通过哪些渠道了解本项目的", "multiple", list(CHANNELS)),
        Question(
            "q4",
            "您对以下方面的满意程度",
            "matrix",
            likert,
            rows=MATRIX_ROWS,
            satisfaction_item=True,
        ),
        Question("q5", "总体而言，您对本项目是否满意", "likert", likert, satisfaction_item=True),
        Question("q6", "您对本项目还有哪些意见和建议", "text"),
    ]


@pytest.fixture(scope="module")
def parsed():
    questions = questionnaire()
    return {name: parse_wjx_file(SAMPLES / name, questions=questions) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_every_sample_parses_all_240_rows(parsed, name):
    result = parsed[name]
    assert result.errors == []
    assert len(result.responses) == 240
    assert [r.row for r in result.responses] == list(range(2, 242))
    assert [r.serial for r in result.responses] == list(range(1, 241))
    assert result.variant == ("code" if "code" in name else "text")


@pytest.mark.parametrize("name", FILES)
def test_sample_statistics_match_readme(parsed, name):
    questions = questionnaire()
    stats = analyze(questions=questions, frame=build_frame(questions, parsed[name].responses))
    assert stats.collected == stats.valid == 240
    got = {i.question: (i.n, str(i.rate), str(i.score_index)) for i in stats.items}
    assert got == EXPECTED
    frequencies = {f.key: f for f in stats.frequencies}
    assert {o.option: o.count for o in frequencies["q3"].options} == CHANNELS
    assert frequencies["q3"].n == 240
    text = stats.text_answers[0]
    assert (text.key, text.skipped, text.blank, text.n) == ("q6", 94, 66, 80)
    assert stats.overall.pooled_score_index == Decimal(
        "82.46"
    )  # (19490+19530+19890+20100+19940)/1200


def test_text_and_code_variants_give_identical_statistics(parsed):
    questions = questionnaire()
    results = []
    for name in FILES:
        stats = analyze(questions=questions, frame=build_frame(questions, parsed[name].responses))
        data = stats.to_dict()
        for frequency in data["frequencies"]:
            frequency.pop("other_texts")  # the code variant carries no 〖〗 text
        results.append(data)
    assert all(r == results[0] for r in results[1:])
    text, code = parsed["wjx_satisfaction_text.xls"], parsed["wjx_satisfaction_code.xls"]
    for a, b in zip(text.responses, code.responses, strict=True):
        assert a.answers == b.answers
        assert a.missing == b.missing
        assert a.source_key == b.source_key


def test_first_row_in_detail(parsed):
    first = parsed["wjx_satisfaction_text.xls"].responses[0]
    assert first.source_key == "1|2024-09-22 18:15:09"
    assert first.duration_seconds == 9
    assert (first.ip, first.ip_location) == ("147.214.35.62", "河南-郑州")
    assert (first.source, first.source_detail) == ("手机提交", "微信")
    assert first.answers == {
        "q1": 2,
        "q2": 2,
        "q3": [0, 4],
        "q4": dict(zip(MATRIX_ROWS, [0, 0, 1, 0], strict=True)),
        "q5": 1,
        "q6": None,
    }
    assert first.missing == {"q6": SKIPPED}
    assert first.other_text == {"q3": "村委会广播"}
    csv_first = parsed["wjx_satisfaction_text_gbk.csv"].responses[1]
    assert csv_first.source_detail is None  # N/A in the CSV
    assert csv_first.answers["q6"] == "无"


def test_thirty_second_filter_excludes_exactly_eleven(parsed):
    questions = questionnaire()
    responses = parsed["wjx_satisfaction_text.xls"].responses
    frame = build_frame(questions, responses, ids=[r.serial for r in responses])
    report = check_validity(
        frame=frame, questions=questions, rules=ValidityRules(min_duration_seconds=30)
    )
    assert report.counts["too_fast"] == 11
    assert report.valid == 229
    nine = [r for r in report.results if r.reasons == ["答题用时 9 秒，少于 30 秒"]]
    assert len(nine) == 7
    stats = analyze(questions=questions, frame=frame, excluded=report.excluded)
    assert (stats.collected, stats.valid, stats.validity_rate) == (240, 229, Decimal("95.42"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_supported_encoding(parsed, tmp_path, encoding):
    text = (SAMPLES / "wjx_satisfaction_text_gbk.csv").read_bytes().decode("gbk")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    result = parse_wjx_file(path, questions=questionnaire())
    assert result.errors == []
    reference = parsed["wjx_satisfaction_text_gbk.csv"].responses
    assert [r.answers for r in result.responses] == [r.answers for r in reference]


def test_reimport_gives_the_same_source_keys(parsed):
    again = parse_wjx_file(SAMPLES / "wjx_satisfaction_text.xlsx", questions=questionnaire())
    keys = [r.source_key for r in parsed["wjx_satisfaction_text.xlsx"].responses]
    assert [r.source_key for r in again.responses] == keys
    assert len(set(keys)) == 240


def test_detect_questions_from_text_export():
    table = read_table(SAMPLES / "wjx_satisfaction_text.xlsx")
    detected = detect_questions(table)
    assert [(q.key, q.type) for q in detected] == [
        ("q1", "single"),
        ("q2", "single"),
        ("q3", "multiple"),
        ("q4", "matrix"),
        ("q5", "likert"),
        ("q6", "text"),
    ]
    assert set(detected[0].options) == {"学生家长", "教师", "学校管理人员", "其他"}
    assert detected[0].options[-1] == "其他"
    assert set(detected[2].options) == set(CHANNELS) and detected[2].options[-1] == "其他"
    assert detected[3].rows == MATRIX_ROWS and detected[3].options == list(LIKERT_LABELS)
    assert detected[3].satisfaction_item and detected[4].satisfaction_item
    assert detected[4].scores == [Decimal(v) for v in (100, 80, 60, 30, 0)]
    assert detected[5].required is False and detected[4].required is True
    # A survey created from the file imports that same file with the same figures.
    result = parse_responses(table, detected, propose_mapping(table, detected))
    stats = analyze(questions=detected, frame=build_frame(detected, result.responses))
    assert {i.question: (i.n, str(i.rate), str(i.score_index)) for i in stats.items} == EXPECTED


def test_detect_questions_from_code_export_keeps_structure():
    detected = detect_questions(read_table(SAMPLES / "wjx_satisfaction_code.xls"))
    assert [q.type for q in detected] == [
        "single",
        "single",
        "multiple",
        "matrix",
        "single",
        "text",
    ]
    assert detected[0].options == ["选项1", "选项2", "选项3", "选项4"]
    assert detected[2].options == list(CHANNELS)
    assert detected[3].rows == MATRIX_ROWS


def test_proposed_mapping_for_code_export_and_round_trip():
    table = read_table(SAMPLES / "wjx_satisfaction_code.xls")
    mapping = propose_mapping(table, questionnaire())
    assert mapping.errors == [] and mapping.warnings == []
    split = [c for c in mapping.columns if c.question_key == "q3"]
    assert [(c.header, c.option) for c in split] == [
        ("第3题(学校通知)", 0),
        ("第3题(微信公众号)", 1),
        ("第3题(宣传海报)", 2),
        ("第3题(亲友介绍)", 3),
        ("第3题(其他【请注明】)", 4),
    ]
    restored = ImportMapping.from_dict(mapping.to_dict())
    assert restored == mapping
    assert parse_responses(table, questionnaire(), restored).errors == []


def test_mapping_by_text_when_numbers_differ():
    """A questionnaire whose order differs from the export still maps by question text."""
    questions = questionnaire()
    reordered = [questions[5], questions[4], *questions[:4]]
    table = read_table(SAMPLES / "wjx_satisfaction_text.xlsx")
    mapping = propose_mapping(table, reordered)
    assert mapping.errors == []
    by_header = {c.header: c.question_key for c in mapping.columns if c.question_key}
    assert by_header["5、总体而言，您对本项目是否满意"] == "q5"
    assert by_header["6、您对本项目还有哪些意见和建议"] == "q6"
    assert parse_responses(table, reordered, mapping).responses[0].answers["q5"] == 1
