"""Stored verdicts of a survey's answers: judged in chunks, kept until answers, filters or
questions change.

Each answer keeps the filters' reasons and its verdict (`SurveyResponse.reasons`/`excluded`), and
`SurveyJudgement` what they were judged under and the totals, so the answers list reads one page
and three numbers instead of running the filters over every answer on each look (issue 17).
A survey is judged again when its filters or questionnaire changed (the key differs) or answers
were added since (they arrive with `excluded` None, whichever way they were written). The reasons
are those `validity.check_validity` gives: the same filters, run chunk by chunk (every filter but
the duplicate-IP one judges an answer on its own) with the duplicate-IP one over all answers' IP,
time and serial. Answers are never deleted nor edited (models.py), only overridden
(`after_override`); a change that did either would have to drop the survey's SurveyJudgement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Boolean, bindparam, case, func, null, update
from sqlmodel import Session, col, select

from workbench.core.timeutil import utcnow
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.models import Survey, SurveyJudgement, SurveyResponse
from workbench.surveys.statistics.frames import IP, SERIAL, SUBMITTED_AT, build_frame
from workbench.surveys.statistics.service import rules_of
from workbench.surveys.statistics.validity import (
    MANUAL_EXCLUSION,
    duplicate_ip,
    missing_required,
    straightlining,
    too_fast,
)

JUDGE_VERSION = 1  # raise when a filter's verdict or wording changes: every survey is judged again
CHUNK = 20_000  # answers read (and their JSON decoded) at a time
WRITE_CHUNK = 5_000
FILTERS = (
    "too_fast",
    "duplicate_ip",
    "straightlining",
    "missing_required",
)  # check_validity's order


def judgement_key(survey: Survey) -> str:
    """What the verdicts rest on besides the answers: the filters and the questionnaire."""
    payload = {"v": JUDGE_VERSION, "rules": asdict(rules_of(survey)), "q": survey.questions or []}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def verdict_of(reasons: list[str], override: bool | None) -> bool:
    """Excluded or not: the filters' reasons unless a manual decision overrides them."""
    return bool(reasons) if override is None else not override


def shown_reasons(reasons: list[str], override: bool | None) -> list[str]:
    """The reasons as the list and the statistics show them (a manual exclusion is one)."""
    return [*reasons, MANUAL_EXCLUSION] if override is False else list(reasons)


@dataclass
class Judged:
    """Every answer of a survey with the filters' reasons (in id order), and per-filter totals."""

    ids: list[int]
    reasons: list[list[str]]
    overrides: list[bool | None]
    stored: list[tuple[bool | None, list | None]]  # (excluded, reasons) as stored before
    counts: dict[str, int]

    def excluded(self, position: int) -> bool:
        return verdict_of(self.reasons[position], self.overrides[position])

    @property
    def valid(self) -> int:
        return sum(1 for i in range(len(self.ids)) if not self.excluded(i))


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def judge(db: Session, survey: Survey, *, chunk: int = CHUNK) -> Judged:
    """Run the survey's filters over all its answers, `chunk` answers at a time."""
    questions = questions_of(survey)
    rules = rules_of(survey)
    t = SurveyResponse
    # Only the straight-lining and required-answer filters read the answers' JSON.
    answers = (
        t.answers if rules.straightlining_min_rows is not None or rules.require_answers else None
    )
    missing = t.missing if rules.require_answers else None
    wanted = (t.id, t.serial, t.submitted_at, t.duration_seconds, t.ip)
    wanted += (
        null().label("answers") if answers is None else answers,
        null().label("missing") if missing is None else missing,
        t.override,
        t.excluded,
        t.reasons,
    )
    ids: list[int] = []
    overrides: list[bool | None] = []
    stored: list[tuple[bool | None, list | None]] = []
    own: dict[str, list[str | None]] = {}  # filter → reason per answer (None: not flagged)
    metas: list[pd.DataFrame] = []
    last = 0
    while True:
        rows = db.exec(
            select(*wanted)
            .where(t.survey_id == survey.id, col(t.id) > last)
            .order_by(col(t.id))
            .limit(chunk)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        records = [
            {
                "serial": r[1],
                "submitted_at": _naive_utc(r[2]),
                "duration_seconds": r[3],
                "ip": r[4],
                "answers": r[5] or {},
                "missing": r[6] or {},
            }
            for r in rows
        ]
        frame = build_frame(
            questions if answers is not None else [], records, ids=[r[0] for r in rows]
        )
        found = {
            "too_fast": too_fast(frame, rules.min_duration_seconds),
            "straightlining": straightlining(frame, questions, rules.straightlining_min_rows),
            "missing_required": missing_required(frame, questions)
            if rules.require_answers
            else None,
        }
        for name, reasons in found.items():
            if reasons is not None:
                own.setdefault(name, []).extend(reasons)
        metas.append(frame[[SERIAL, SUBMITTED_AT, IP]])
        ids.extend(r[0] for r in rows)
        overrides.extend(r[7] for r in rows)
        stored.extend((r[8], r[9]) for r in rows)
    if metas:
        meta = pd.concat(metas)
        dup = duplicate_ip(meta, rules.duplicate_ip_window_minutes)
        if dup is not None:
            own["duplicate_ip"] = dup
    columns = [(name, own[name]) for name in FILTERS if name in own]
    counts = {name: sum(1 for r in found if r) for name, found in columns}
    reasons = [[found[i] for _n, found in columns if found[i]] for i in range(len(ids))]
    return Judged(ids, reasons, overrides, stored, counts)  # type: ignore[arg-type]


def store(db: Session, survey: Survey, judged: Judged, key: str) -> SurveyJudgement:
    """Write the verdicts that changed and the totals; `excluded` follows the override stored now
    (a manual decision made since the answers were read is not undone)."""
    table = SurveyResponse.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            reasons=bindparam("b_reasons", type_=table.c.reasons.type),
            excluded=case(
                (table.c.override.is_(None), bindparam("b_flagged", type_=Boolean())),
                else_=table.c.override.is_(False),
            ),
        )
    )
    changed = [
        {"b_id": answer_id, "b_reasons": reasons, "b_flagged": bool(reasons)}
        for position, (answer_id, reasons) in enumerate(
            zip(judged.ids, judged.reasons, strict=True)
        )
        if judged.stored[position] != (judged.excluded(position), reasons)
    ]
    for start in range(0, len(changed), WRITE_CHUNK):
        db.execute(statement, changed[start : start + WRITE_CHUNK])
    collected, excluded = db.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(SurveyResponse.excluded).is_(True), 1), else_=0)), 0),
        ).where(SurveyResponse.survey_id == survey.id, col(SurveyResponse.excluded).is_not(None))
    ).one()
    summary = db.get(SurveyJudgement, survey.id) or SurveyJudgement(survey_id=survey.id, key=key)
    summary.key = key
    summary.collected = int(collected)
    summary.excluded = int(excluded)
    summary.counts = dict(judged.counts)
    summary.judged_at = utcnow()
    db.add(summary)
    db.flush()
    return summary


def current(db: Session, survey: Survey) -> SurveyJudgement | None:
    """The survey's stored totals if every answer's stored verdict is current, else None."""
    summary = db.exec(select(SurveyJudgement).where(SurveyJudgement.survey_id == survey.id)).first()
    if summary is None or summary.key != judgement_key(survey):
        return None
    unjudged = db.exec(
        select(SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id, col(SurveyResponse.excluded).is_(None))
        .limit(1)
    ).first()
    return None if unjudged is not None else summary


def after_override(db: Session, response: SurveyResponse) -> None:
    """A manual decision changed: the answer's stored verdict and the survey's total follow."""
    if response.excluded is None or response.reasons is None:
        return  # not judged yet: the next look judges it
    now = verdict_of(response.reasons, response.override)
    if now == response.excluded:
        return
    db.execute(
        update(SurveyJudgement)
        .where(col(SurveyJudgement.survey_id) == response.survey_id)
        .values(excluded=SurveyJudgement.excluded + (1 if now else -1))
    )
    response.excluded = now
