"""Survey figures kept between requests while the answers and the survey stay as they were.

The score of a satisfaction leaf and the report's survey sections read every answer of a survey
(`stats_service.compute`): about a second for 10,000 answers, on every scoring page and every
document. The result is kept in process, keyed by what it is computed from: the survey row
(its version changes with the questions, filters and top-k) and a stamp of its answers (count,
newest id and time, manual overrides). Answers are only ever added, removed or overridden, each
of which moves the stamp. The results kept hold at most 200,000 answers between them; a
survey of more than half that is computed each time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from threading import Lock

from sqlalchemy import func
from sqlmodel import Session, select

from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.stats_service import SurveyResult, compute

_RESULTS: OrderedDict[tuple, SurveyResult] = OrderedDict()
# Memory is bounded by the answers held, in all results together (the oldest go first).
_MAX_ANSWERS = 200_000
_LOCK = Lock()


def answers_stamp(db: Session, survey: Survey) -> tuple:
    """One query: how many answers, the newest one, and the manual overrides among them."""
    return tuple(
        db.exec(
            select(
                func.count(SurveyResponse.id),
                func.max(SurveyResponse.id),
                func.max(SurveyResponse.created_at),
                func.count(SurveyResponse.override),
                func.max(SurveyResponse.override_at),
            ).where(SurveyResponse.survey_id == survey.id)
        ).one()
    )


def cached_compute(db: Session, survey: Survey, *, crosstabs: bool = False) -> SurveyResult:
    """`stats_service.compute`, from the cache when neither the survey nor its answers changed."""
    stamp = answers_stamp(db, survey)
    database = str(db.get_bind().engine.url)  # an Engine, or in tests a Connection
    key = (database, survey.id, survey.created_at, survey.version, crosstabs, stamp)
    with _LOCK:
        found = _RESULTS.get(key)
        if found is not None:
            _RESULTS.move_to_end(key)
    if found is not None:
        return replace(found, survey=survey)  # the caller's own row, not another session's
    result = compute(db, survey, crosstabs=crosstabs)
    if stamp[0] <= _MAX_ANSWERS // 2:
        with _LOCK:
            _RESULTS[key] = result
            while sum(k[-1][0] for k in _RESULTS) > _MAX_ANSWERS:
                _RESULTS.popitem(last=False)
    return result


def clear() -> None:
    with _LOCK:
        _RESULTS.clear()
