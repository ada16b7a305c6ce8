"""The answers list: one page of a tab (all | excluded | valid) and the totals, from stored verdicts.

With current verdicts (workbench.surveys.statistics.verdicts) a look costs the same for 300
answers and for a million: the totals are stored, the page is one indexed range (survey, verdict,
id). Otherwise the survey is judged first, the verdicts are written apart, and this look is
answered from the verdicts in hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workbench import db as database
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.indicators.services import signatures_a_change_clears
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.statistics import verdicts
from workbench.surveys.statistics.validity import ResponseValidity

log = logging.getLogger(__name__)
SHOWN = (  # what a row of the list shows (read as plain rows: no ORM object per answer)
    SurveyResponse.id,
    SurveyResponse.channel,
    SurveyResponse.serial,
    SurveyResponse.submitted_at,
    SurveyResponse.duration_seconds,
    SurveyResponse.ip,
    SurveyResponse.override,
    SurveyResponse.override_reason,
    SurveyResponse.excluded,
    SurveyResponse.reasons,
)


@dataclass
class ResponseRow:
    response: Any  # a row of SHOWN (attribute access like a SurveyResponse's)
    verdict: ResponseValidity


@dataclass
class Listing:
    rows: list[ResponseRow]
    total: int  # answers in the tab
    collected: int
    valid: int
    counts: dict[str, int]  # filter name → answers it flagged (the filters that are on)


def _rows(db: Session, survey: Survey, where: list, offset: int, limit: int) -> list:
    page = (
        select(SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id, *where)
        .order_by(col(SurveyResponse.id))
        .offset(offset)
        .limit(limit)
    )
    return list(
        db.exec(
            select(*SHOWN).where(col(SurveyResponse.id).in_(page)).order_by(col(SurveyResponse.id))
        ).all()
    )


def _stored(db, survey, summary, *, show: str, page: int, per_page: int) -> Listing:
    excluded = col(SurveyResponse.excluded)
    where, total = [], summary.collected
    if show == "excluded":
        where, total = [excluded == True], summary.excluded  # noqa: E712 (the index's equality)
    elif show == "valid":
        where, total = [excluded == False], summary.collected - summary.excluded  # noqa: E712
    rows = _rows(db, survey, where, (page - 1) * per_page, per_page) if total else []
    listed = [
        ResponseRow(
            r,
            ResponseValidity(
                r.id,
                verdicts.shown_reasons(r.reasons or [], r.override),
                r.override,
                bool(r.excluded),
            ),
        )
        for r in rows
    ]
    valid = summary.collected - summary.excluded
    return Listing(listed, total, summary.collected, valid, dict(summary.counts or {}))


def _judged(db, judged: verdicts.Judged, *, show: str, page: int, per_page: int) -> Listing:
    positions = [
        i
        for i in range(len(judged.ids))
        if show == "all" or judged.excluded(i) == (show == "excluded")
    ]
    chosen = positions[(page - 1) * per_page : page * per_page]
    by_id = {judged.ids[i]: i for i in chosen}
    rows = []
    if chosen:
        rows = db.exec(
            select(*SHOWN)
            .where(col(SurveyResponse.id).in_(list(by_id)))
            .order_by(col(SurveyResponse.id))
        ).all()
    listed = []
    for r in rows:
        i = by_id[r.id]
        override = judged.overrides[i]
        reasons = verdicts.shown_reasons(judged.reasons[i], override)
        listed.append(ResponseRow(r, ResponseValidity(r.id, reasons, override, judged.excluded(i))))
    return Listing(listed, len(positions), len(judged.ids), judged.valid, judged.counts)


def results_change_clears(db: Session, engagement: Engagement, survey: Survey) -> list[str]:
    """`links.signatures_a_results_change_clears`, reading only the engagement's indicators'
    links (not whole indicators) to find whether any rests on this survey."""
    found = db.exec(
        select(Indicator.survey_link).where(Indicator.engagement_id == engagement.id)
    ).all()
    if not any(isinstance(link, dict) and link.get("survey_id") == survey.id for link in found):
        return []
    return signatures_a_change_clears(db, engagement)


def listing(
    db: Session, survey: Survey, *, show: str = "all", page: int = 1, per_page: int = 50
) -> Listing:
    """A page of answers with their verdicts and the survey's totals."""
    summary = verdicts.current(db, survey)
    if summary is not None:
        return _stored(db, survey, summary, show=show, page=page, per_page=per_page)
    key = verdicts.judgement_key(survey)
    judged = verdicts.judge(db, survey)
    if not judged.ids:  # nothing to store (and a survey without answers may still be deleted)
        return _judged(db, judged, show=show, page=page, per_page=per_page)
    try:
        with database.small_write(db) as writer:
            verdicts.store(writer, survey, judged, key)
    except IntegrityError:  # another look judged the survey at the same moment: theirs stands
        log.info("survey %s judged concurrently", survey.id)
    return _judged(db, judged, show=show, page=page, per_page=per_page)
