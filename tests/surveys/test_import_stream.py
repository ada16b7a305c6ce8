"""Streamed imports: a large .xlsx read chunk by chunk gives what the whole-file read gives."""

import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from tests.surveys.helpers import SAMPLES, make_survey, questionnaire
from workbench.surveys.imports import (
    ChunkParser,
    parse_responses,
    propose_mapping,
    read_stream,
    read_table,
)
from workbench.surveys.imports.writer import ResponseWriter
from workbench.surveys.models import Channel, SurveyResponse


def streamed(data, chunk_rows=2):
    return read_stream(data, filename="x.xlsx", chunk_rows=chunk_rows, stream_above=0)


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("on_disk", [False, True])
def test_streamed_cells_equal_the_whole_file_read(on_disk, tmp_path):
    rows = [
        ["序号", "文本", "整数", "小数", "布尔", "日期时间", "日期", "时间", "时长", "空"],
        [1, "甲 & <乙>", 3, 2.5, True, datetime(2024, 9, 1, 10, 5, 3), date(2024, 9, 2),
         time(3, 4, 5), timedelta(hours=30), None],
        [2, "  ", 0, -1.25, False, datetime(2024, 9, 3, 0, 0, 1), date(2024, 1, 31),
         time(0, 0, 1), timedelta(minutes=5), None],
        [None] * 10,
        [3, "乙", 7, 1e-3, None, None, None, None, None, "x"],
        [4, "丙", None, 10, True, datetime(2025, 1, 1, 12), date(2025, 2, 3), None, None, None],
    ]  # fmt: skip
    data = workbook(rows)
    if on_disk:  # a stored upload: streamed from the file, its bytes never all read
        (tmp_path / "stored").write_bytes(data)
        stream = streamed(tmp_path / "stored")
    else:
        stream = streamed(data)
    assert stream.streamed
    chunks = list(stream.chunks())
    assert len(chunks) == 3
    whole = read_table(data, filename="x.xlsx")
    assert stream.head.headers == whole.headers
    pd.testing.assert_frame_equal(pd.concat([c.frame for c in chunks]), whole.frame)
    assert sum(c.empty_rows for c in chunks) == whole.empty_rows == 1
    assert stream.count_rows() == (4, 1)


def test_a_sample_export_parses_the_same_in_chunks_of_two_rows():
    data = (SAMPLES / "wjx_satisfaction_text.xlsx").read_bytes()
    questions = questionnaire()
    whole = read_table(data, filename="x.xlsx")
    expected = parse_responses(whole, questions, propose_mapping(whole, questions))
    stream = streamed(data)
    parser = ChunkParser(questions, propose_mapping(stream.head, questions), stream.head)
    got = [r for table in stream.chunks() for r in parser.feed(table)]
    result = parser.finish()
    assert result.errors == [] and expected.errors == []
    assert [r.to_record() for r in got] == [r.to_record() for r in expected.responses]
    assert (result.row_count, result.variant) == (expected.row_count, expected.variant)


def wjx_rows(serials):
    header = ["序号", "提交答卷时间", "1、您的身份"]
    return [header] + [[s, f"2024/09/01 10:00:{s % 60:02d}", "教师"] for s in serials]


def test_a_serial_repeated_in_a_later_chunk_is_reported_with_its_first_row():
    data = workbook(wjx_rows([1, 2, 3, 4, 2, 6]))
    stream = streamed(data)
    parser = ChunkParser(ONE_QUESTION, propose_mapping(stream.head, ONE_QUESTION), stream.head)
    fed = [len(parser.feed(table)) for table in stream.chunks()]
    result = parser.finish()
    assert fed == [1, 2, 0, 0]  # nothing handed out for writing once a problem is known
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (6, "第6行 A列（序号）：序号 2 与第3行重复，同一文件中每份答卷的序号应唯一")
    ]


def test_a_bad_answer_in_the_last_chunk_keeps_its_row_number():
    rows = wjx_rows(range(1, 8))
    rows[7][2] = "校长"
    stream = streamed(workbook(rows), chunk_rows=3)
    parser = ChunkParser(ONE_QUESTION, propose_mapping(stream.head, ONE_QUESTION), stream.head)
    for table in stream.chunks():
        parser.feed(table)
    [error] = parser.finish().errors
    assert error["row"] == 8 and error["column"] == "C列（1、您的身份）"
    assert "“校长”不在问卷的选项中" in error["message"]


def test_content_right_of_the_header_in_a_later_chunk_is_refused():
    rows = wjx_rows(range(1, 6))
    rows[5] = [*rows[5], "多余"]
    stream = streamed(workbook(rows))
    from workbench.surveys.imports import ImportRefused

    with pytest.raises(ImportRefused) as refused:
        list(stream.chunks())
    assert refused.value.errors[0]["row"] == 6 and refused.value.errors[0]["column"] == "D列"


ONE_QUESTION = [questionnaire()[0]]


def stored(db, survey_id):
    found = db.exec(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey_id)
        .order_by(SurveyResponse.serial)
    ).all()
    skip = {"id", "survey_id", "created_at"}
    return [{k: v for k, v in r.model_dump().items() if k not in skip} for r in found]


def test_copy_stores_what_the_insert_path_stores(db, demo):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("COPY runs on PostgreSQL (WORKBENCH_TEST_DATABASE_URL)")
    data = (SAMPLES / "wjx_satisfaction_text.xlsx").read_bytes()
    questions = questionnaire()
    table = read_table(data, filename="x.xlsx")
    parsed = parse_responses(table, questions, propose_mapping(table, questions))
    by_insert, by_copy = make_survey(db, demo), make_survey(db, demo, title="副本")
    for survey, use_copy in ((by_insert, False), (by_copy, True)):
        writer = ResponseWriter(
            db, survey=survey, channel=Channel.wjx, import_id=None, use_copy=use_copy
        )
        writer.write(parsed.responses)
        assert writer.imported == len(parsed.responses) > 0
    db.expire_all()
    assert stored(db, by_copy.id) == stored(db, by_insert.id)


def test_the_writer_skips_answers_the_survey_holds_chunk_by_chunk(db, demo):
    data = (SAMPLES / "wjx_satisfaction_text.xlsx").read_bytes()
    questions = questionnaire()
    table = read_table(data, filename="x.xlsx")
    responses = parse_responses(table, questions, propose_mapping(table, questions)).responses
    survey = make_survey(db, demo)
    first = ResponseWriter(db, survey=survey, channel=Channel.wjx, import_id=None)
    first.write(responses[:3])
    again = ResponseWriter(db, survey=survey, channel=Channel.wjx, import_id=None)
    for start in range(0, len(responses), 2):
        again.write(responses[start : start + 2])
    assert (again.imported, again.skipped) == (len(responses) - 3, 3)
    assert len(stored(db, survey.id)) == len(responses)


def test_two_imports_of_one_file_at_once_take_turns_on_postgresql(demo_engine):
    """Two people importing the same export into one survey at the same moment: the second waits
    for the first's commit, then finds its answers stored and skips them (both succeed)."""
    import threading
    import uuid

    from sqlalchemy import delete
    from sqlmodel import Session, select

    from workbench.engagements.models import Engagement
    from workbench.surveys.models import Survey

    if demo_engine.dialect.name != "postgresql":
        pytest.skip("on SQLite writers take turns already (BEGIN IMMEDIATE)")
    data = (SAMPLES / "wjx_satisfaction_text.xlsx").read_bytes()
    questions = questionnaire()
    table = read_table(data, filename="x.xlsx")
    responses = parse_responses(table, questions, propose_mapping(table, questions)).responses
    with Session(demo_engine) as db:
        engagement = db.exec(select(Engagement)).first()
        survey = Survey(
            engagement_id=engagement.id,
            title="同时导入",
            questions=[q.to_dict() for q in questions],
            token=uuid.uuid4().hex,
        )
        db.add(survey)
        db.commit()
        survey_id = survey.id
    first_wrote, release = threading.Event(), threading.Event()
    results: dict[str, tuple[int, int]] = {}

    def run(name: str) -> None:
        with Session(demo_engine) as db:
            survey = db.get(Survey, survey_id)
            writer = ResponseWriter(db, survey=survey, channel=Channel.wjx, import_id=None)
            writer.write(responses)
            if name == "first":
                first_wrote.set()
                release.wait(10)
            writer.finish()
            db.commit()
            results[name] = (writer.imported, writer.skipped)

    first = threading.Thread(target=run, args=("first",))
    second = threading.Thread(target=run, args=("second",))
    try:
        first.start()
        assert first_wrote.wait(10)
        second.start()
        second.join(1.0)
        assert second.is_alive(), "the second import waits for the first's commit"
        release.set()
        first.join(10)
        second.join(10)
        assert results == {"first": (len(responses), 0), "second": (0, len(responses))}
    finally:
        release.set()
        with Session(demo_engine) as db:
            db.execute(delete(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
            db.execute(delete(Survey).where(Survey.id == survey_id))
            db.commit()
