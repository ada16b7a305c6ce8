"""Validity filters mark exclusions with reasons, never delete, and honour manual overrides."""

from datetime import datetime, timedelta

from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.statistics.frames import build_frame
from workbench.surveys.statistics.validity import (
    MANUAL_EXCLUSION,
    ValidityRules,
    check_validity,
)

LIKERT = list(LIKERT_LABELS)
ROWS = ["甲", "乙", "丙", "丁", "戊"]
START = datetime(2024, 9, 22, 8, 0, 0)


def questions():
    return [
        Question(
            "m", "满意程度", "matrix", LIKERT, rows=ROWS, satisfaction_item=True, required=True
        ),
        Question("overall", "总体满意度", "likert", LIKERT, required=True),
        Question("advice", "建议", "text"),
    ]


def record(
    serial, *, minutes=0, seconds=120, ip=None, matrix=(0, 1, 0, 1, 0), overall=1, missing=None
):
    return {
        "id": serial,
        "serial": serial,
        "submitted_at": START + timedelta(minutes=minutes),
        "duration_seconds": seconds,
        "ip": ip or f"10.0.0.{serial}",
        "answers": {
            "m": None if matrix is None else dict(zip(ROWS, matrix, strict=True)),
            "overall": overall,
            "advice": None,
        },
        "missing": missing or {},
    }


def report_for(records, **kwargs):
    return check_validity(frame=build_frame(questions(), records), questions=questions(), **kwargs)


def reasons(report):
    return {r.id: r.reasons for r in report.results}


def test_clean_responses_are_all_valid():
    report = report_for([record(1), record(2, minutes=5)])
    assert report.valid == 2
    assert report.counts == {
        "too_fast": 0,
        "duplicate_ip": 0,
        "straightlining": 0,
        "missing_required": 0,
    }
    assert not report.excluded.any()


def test_too_fast():
    report = report_for([record(1, seconds=29), record(2, seconds=30), record(3, seconds=None)])
    assert reasons(report) == {1: ["答题用时 29 秒，少于 30 秒"], 2: [], 3: []}
    assert (
        report_for([record(1, seconds=29)], rules=ValidityRules(min_duration_seconds=None)).valid
        == 1
    )


def test_duplicate_ip_within_window_flags_the_later_one():
    records = [
        record(1, minutes=0, ip="1.1.1.1"),
        record(2, minutes=10, ip="1.1.1.1"),
        record(3, minutes=90, ip="1.1.1.1"),
        record(4, minutes=95, ip="2.2.2.2"),
    ]
    report = report_for(records)
    assert reasons(report) == {
        1: [],
        2: ["与序号 1 的答卷来自同一 IP（1.1.1.1），间隔不超过 30 分钟"],
        3: [],
        4: [],
    }
    assert report.counts["duplicate_ip"] == 1
    wide = report_for(records, rules=ValidityRules(duplicate_ip_window_minutes=120))
    assert wide.counts["duplicate_ip"] == 2


def test_straightlining_on_long_matrices_only():
    flat = record(1, matrix=(0, 0, 0, 0, 0))
    report = report_for([flat, record(2)])
    assert reasons(report)[1] == ["矩阵题“满意程度”的 5 行全部选择“非常满意”（直线作答）"]
    assert report_for([flat], rules=ValidityRules(straightlining_min_rows=6)).valid == 1


def test_missing_required_but_not_skipped_by_logic():
    records = [
        record(1, overall=None, missing={"overall": "blank"}),
        record(2, overall=None, missing={"overall": "skipped"}),
        record(3, matrix=(0, None, 1, None, 2)),
        record(4, matrix=None, missing={"m": "skipped"}),
    ]
    report = report_for(records)
    assert reasons(report) == {
        1: ["必答题未作答：总体满意度"],
        2: [],
        3: ["必答题未作答：满意程度（乙、丁）"],
        4: [],
    }


def test_several_reasons_and_overrides():
    records = [record(1, seconds=5, matrix=(0, 0, 0, 0, 0)), record(2), record(3, seconds=3)]
    report = report_for(records, overrides={1: True, 2: False})
    by_id = {r.id: r for r in report.results}
    assert by_id[1].reasons == [
        "答题用时 5 秒，少于 30 秒",
        "矩阵题“满意程度”的 5 行全部选择“非常满意”（直线作答）",
    ]
    assert by_id[1].excluded is False and by_id[1].override is True
    assert by_id[2].excluded is True and by_id[2].reasons == [MANUAL_EXCLUSION]
    assert by_id[3].excluded is True and by_id[3].override is None
    assert report.excluded.to_dict() == {1: False, 2: True, 3: True}
    assert report.valid == 1
    assert len(report.results) == 3  # nothing is ever dropped
