"""The survey figures kept between requests follow every change of the answers and the survey."""

from __future__ import annotations

from sqlmodel import col, select

from workbench.surveys import result_cache
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.responses import set_override


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
