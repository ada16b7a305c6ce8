"""The answers list from stored verdicts: the same verdicts as the filters, a fixed number of
statements whatever the number of answers, and judged again when answers, filters or questions
change (issue 17)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import select

from tests.surveys.helpers import MATRIX_ROWS, make_survey
from workbench.surveys.collection import answer_list
from workbench.surveys.models import SurveyJudgement, SurveyResponse
from workbench.surveys.statistics import verdicts
from workbench.surveys.statistics.service import compute

ALL_RULES = {
    "min_duration_seconds": 30,
    "duplicate_ip_window_minutes": 30,
    "straightlining_min_rows": 4,
    "require_answers": True,
}
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _answer(survey_id: int, n: int, **extra) -> dict:
    """Answer n: every 5th too fast, IPs shared by threes 10 minutes apart, every 7th straight
    across the matrix, every 9th without the required overall question."""
    matrix = {row: 0 if n % 7 == 0 else (n + i) % 5 for i, row in enumerate(MATRIX_ROWS)}
    answers = {"q1": n % 4, "q2": n % 3, "q3": [n % 5], "q4": matrix}
    missing = {"q5": "blank"} if n % 9 == 0 else {}
    if not missing:
        answers["q5"] = n % 5
    return {
        "survey_id": survey_id,
        "source_key": f"test:{n}",
        "channel": "wjx",
        "serial": n,
        "submitted_at": START + timedelta(minutes=10 * n),
        "duration_seconds": 12 if n % 5 == 0 else 200,
        "ip": f"10.0.0.{n // 3}",
        "answers": answers,
        "missing": missing,
        "other_text": {},
        "extra": {},
        "override_reason": "",
        "created_at": START,
        **extra,
    }


def _add_answers(db, survey, numbers, **extra) -> None:
    rows = [_answer(survey.id, n, **extra) for n in numbers]
    db.execute(insert(SurveyResponse.__table__), rows)
    db.flush()


def _survey(db, demo, title="有效性存储测试", rules=ALL_RULES):
    survey = make_survey(db, demo, title=title)
    survey.rules = dict(rules)
    db.add(survey)
    db.flush()
    return survey


def _url(demo, survey, tail="") -> str:
    return f"/engagements/{demo.engagement.id}/surveys/{survey.id}/responses{tail}"


def test_judged_in_chunks_the_verdicts_are_the_filters_own(db, demo):
    survey = _survey(db, demo)
    _add_answers(db, survey, range(1, 61))
    first, second = db.exec(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).limit(2)
    ).all()
    first.override, second.override = True, False
    db.add_all([first, second])
    db.flush()
    expected = compute(db, survey).validity
    judged = verdicts.judge(db, survey, chunk=7)  # duplicate IPs straddle the chunks
    assert judged.counts == expected.counts
    assert list(judged.counts) == ["too_fast", "duplicate_ip", "straightlining", "missing_required"]
    assert all(judged.counts.values())
    for position, want in enumerate(expected.results):
        assert judged.ids[position] == want.id
        assert verdicts.shown_reasons(judged.reasons[position], judged.overrides[position]) == (
            want.reasons
        )
        assert judged.excluded(position) == want.excluded
    summary = verdicts.store(db, survey, judged, verdicts.judgement_key(survey))
    assert (summary.collected, summary.collected - summary.excluded) == (60, expected.valid)
    shown = answer_list.listing(db, survey, show="excluded", per_page=100)
    assert shown.total == 60 - expected.valid == len(shown.rows)
    by_id = {v.id: v for v in expected.results}
    assert all(by_id[r.response.id].reasons == r.verdict.reasons for r in shown.rows)


def test_the_list_reads_as_many_statements_for_300_answers_as_for_3(login, db, demo, count_queries):
    small, large = _survey(db, demo, "三份答卷"), _survey(db, demo, "三百份答卷")
    _add_answers(db, small, range(1, 4))
    _add_answers(db, large, range(1, 301))
    c = login("demo-evaluator")
    counts = {}
    for survey, tail in [(small, ""), (large, ""), (large, "?page=5"), (large, "?show=valid")]:
        c.get(_url(demo, survey, tail))  # the first look judges the answers
        with count_queries() as counter:
            html = c.get(_url(demo, survey, tail)).get_data(as_text=True)
        counts[survey.title, tail] = counter.count
        assert "没有答卷" not in html
    assert len(set(counts.values())) == 1, counts
    # user, engagement, survey, the stored totals, the unjudged-answer probe, the page, the links
    assert counts["三份答卷", ""] == 7, counter.statements
    answers = [s for s in counter.statements if "FROM survey_response" in s]
    assert len(answers) == 2  # the probe and the page: no answer's JSON, no count over answers
    assert not any("survey_response.answers" in s or "count(" in s.lower() for s in answers)


def test_a_look_after_new_answers_rules_or_overrides_shows_them(login, db, demo):
    survey = _survey(db, demo, rules={"min_duration_seconds": 30})
    _add_answers(db, survey, range(1, 21))  # 4 too fast (5, 10, 15, 20)
    c = login("demo-evaluator")
    html = c.get(_url(demo, survey)).get_data(as_text=True)
    assert "共 20 份答卷，有效 16 份，剔除 4 份。" in html and "用时过短：4 份" in html
    _add_answers(db, survey, range(21, 26))  # one more too fast
    html = c.get(_url(demo, survey, "?show=excluded")).get_data(as_text=True)
    assert "共 25 份答卷，有效 20 份，剔除 5 份。" in html
    assert html.count('class="table-warning"') == 5 and "共 5 条" in html
    fast = db.exec(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.serial == 10
        )
    ).one()
    r = c.post(
        _url(demo, survey, f"/{fast.id}/override"),
        data={"decision": "include", "reason": "电话回访确认"},
    )
    assert r.status_code == 302
    db.expire_all()
    summary = db.get(SurveyJudgement, survey.id)
    judged_at = summary.judged_at
    html = c.get(_url(demo, survey)).get_data(as_text=True)
    assert "共 25 份答卷，有效 21 份，剔除 4 份。" in html and "电话回访确认" in html
    db.expire_all()
    assert db.get(SurveyJudgement, survey.id).judged_at == judged_at  # no new judgement
    data = {"min_duration_seconds": "10", "top_k": "2", "version": str(survey.version)}
    assert c.post(f"/engagements/{demo.engagement.id}/surveys/{survey.id}/rules", data=data)
    html = c.get(_url(demo, survey, "?show=valid")).get_data(as_text=True)
    assert "共 25 份答卷，有效 25 份，剔除 0 份。" in html and "用时过短：0 份" in html
    db.expire_all()
    assert compute(db, survey).stats.valid == 25
    assert "共 25 条" in html


def test_an_edited_questionnaire_is_judged_again_and_an_empty_survey_stores_nothing(
    login, db, demo
):
    survey = _survey(db, demo, rules={"require_answers": True})
    empty = _survey(db, demo, "尚无答卷")
    c = login("demo-evaluator")
    assert "没有答卷" in c.get(_url(demo, empty)).get_data(as_text=True)
    assert db.get(SurveyJudgement, empty.id) is None  # a survey without answers may be deleted
    _add_answers(db, survey, range(1, 19))  # 9 and 18 leave the required question blank
    assert "共 18 份答卷，有效 16 份，剔除 2 份。" in c.get(_url(demo, survey)).get_data(
        as_text=True
    )
    db.expire_all()
    survey = db.get(type(survey), survey.id)
    survey.questions = [{**q, "required": False} for q in survey.questions]
    db.add(survey)
    db.flush()
    html = c.get(_url(demo, survey)).get_data(as_text=True)
    assert "共 18 份答卷，有效 18 份，剔除 0 份。" in html and "必答题未答：0 份" in html
