"""The survey figures kept between requests follow every change of the answers and the survey."""

from __future__ import annotations

from sqlmodel import col, select

from workbench.surveys.collection.responses import set_override
from workbench.surveys.imports import ParsedResponse
from workbench.surveys.imports.writer import write_responses
from workbench.surveys.models import Channel, Survey, SurveyResponse
from workbench.surveys.statistics import cache as result_cache


def _demo_survey(db, demo) -> Survey:
    return db.exec(select(Survey).where(Survey.engagement_id == demo.engagement.id)).one()


def test_cached_until_an_answer_is_overridden(db, demo):
    survey = _demo_survey(db, demo)
    first = result_cache.cached_compute(db, survey)
    again = result_cache.cached_compute(db, survey)
    assert again.stats is first.stats and again.survey is survey
    assert (first.stats.collected, first.stats.valid) == (240, 229)
    kept = next(v.id for v in first.validity.results if not v.excluded)
    set_override(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        survey=survey,
        response_id=kept,
        decision="exclude",
        reason="同一家长重复填写",
        confirm_clear=True,
    )
    changed = result_cache.cached_compute(db, survey)
    assert changed.stats.valid == 228
    set_override(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        survey=survey,
        response_id=kept,
        decision="auto",
        confirm_clear=True,
    )
    assert result_cache.cached_compute(db, survey).stats.valid == 229


def test_cached_until_answers_are_added_or_removed(db, demo):
    survey = _demo_survey(db, demo)
    assert result_cache.cached_compute(db, survey).stats.collected == 240
    newest = db.exec(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(col(SurveyResponse.id).desc())
    ).first()
    db.delete(newest)
    db.flush()
    assert result_cache.cached_compute(db, survey).stats.collected == 239
    db.add(
        SurveyResponse(
            survey_id=survey.id,
            source_key="cache-test",
            channel="paper",
            answers=dict(newest.answers),
            missing=dict(newest.missing),
        )
    )
    db.flush()
    assert result_cache.cached_compute(db, survey).stats.collected == 240


def _parsed(row: int, answers: dict) -> ParsedResponse:
    return ParsedResponse(
        row=row,
        source_key=f"stamp-test-{row}",
        serial=None,
        submitted_at=None,
        duration_seconds=None,
        ip=None,
        ip_location=None,
        source=None,
        source_detail=None,
        answers=answers,
        missing={},
        other_text={},
        extra={},
    )


def test_an_import_written_past_the_session_moves_the_stamp(db, demo):
    """The importer INSERTs (or COPYs) rows without the session's flush: it moves the stamp."""
    survey = _demo_survey(db, demo)
    assert result_cache.cached_compute(db, survey).stats.collected == 240
    newest = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).first()
    rows = [_parsed(n, dict(newest.answers)) for n in range(3)]
    imported, _skipped = write_responses(
        db, survey=survey, responses=rows, channel=Channel.paper, import_id=None
    )
    assert imported == 3
    assert result_cache.cached_compute(db, survey).stats.collected == 243


def test_a_rolled_back_change_never_gives_its_stamp_again(db, demo):
    """Figures computed inside a transaction that rolled back are never served for another."""
    survey = _demo_survey(db, demo)
    template = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).first()

    def add(*keys: str) -> None:  # one flush, whatever the number of answers
        for key in keys:
            db.add(SurveyResponse(survey_id=survey.id, source_key=key, channel="paper",
                                  answers=dict(template.answers), missing={}))  # fmt: skip
        db.flush()

    with db.begin_nested() as attempt:
        add("rolled-back")
        assert result_cache.cached_compute(db, survey).stats.collected == 241
        attempt.rollback()
    add("kept-1", "kept-2")  # a counter would be back at the rolled-back value here
    assert result_cache.cached_compute(db, survey).stats.collected == 242


def test_knowing_the_answers_are_unchanged_costs_one_query(db, demo, count_queries):
    survey = _demo_survey(db, demo)
    result_cache.cached_compute(db, survey)
    with count_queries() as counter:
        result_cache.cached_compute(db, survey)
    assert counter.count == 1
    assert "survey_response" not in counter.statements[0]
