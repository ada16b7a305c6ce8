"""Survey figures kept between requests while the answers and the survey stay as they were.

The score of a satisfaction leaf and the report's survey sections read every answer of a survey
(`service.compute`): about a second for 10,000 answers, on every scoring page and every
document. The result is kept in process, keyed by what it is computed from: the survey row
(its version changes with the questions, filters and top-k) and its answers stamp, which every
added or overridden answer replaces by a new random value (models.py `mark_answers_changed`; answers
are never edited nor deleted). Reading the stamp is one primary-key lookup, however many answers
there are. The results kept hold at most 200,000 answers between them; a survey of more than half
that is computed each time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from threading import Lock

from sqlmodel import Session, select

from workbench.surveys.models import Survey
from workbench.surveys.statistics.service import SurveyResult, compute

_RESULTS: OrderedDict[tuple, SurveyResult] = OrderedDict()
# Memory is bounded by the answers held, in all results together (the oldest go first).
_MAX_ANSWERS = 200_000
_LOCK = Lock()


def answers_stamp(db: Session, survey: Survey) -> str:
    """The survey's answers stamp as the database holds it in this transaction.

    Read afresh, not from the survey object, which may predate answers this transaction added
    (the select flushes them first, which moves the stamp).
    """
    return db.exec(select(Survey.answers_stamp).where(Survey.id == survey.id)).one()


def _size(result: SurveyResult) -> int:
    return result.stats.collected


def cached_compute(db: Session, survey: Survey, *, crosstabs: bool = False) -> SurveyResult:
    """`service.compute`, from the cache when neither the survey nor its answers changed."""
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
    if _size(result) <= _MAX_ANSWERS // 2:
        with _LOCK:
            _RESULTS[key] = result
            while sum(_size(kept) for kept in _RESULTS.values()) > _MAX_ANSWERS:
                _RESULTS.popitem(last=False)
    return result


def clear() -> None:
    with _LOCK:
        _RESULTS.clear()
