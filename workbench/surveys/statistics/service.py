"""Statistics of a stored survey: answers → frame → validity filters → analysis, and metric values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.design.questions import Question, item_column, iter_items
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.statistics.analysis import analyze
from workbench.surveys.statistics.frames import build_frame
from workbench.surveys.statistics.shapes import SurveyStats
from workbench.surveys.statistics.validity import ValidityReport, ValidityRules, check_validity

# New surveys start with every filter off: the evaluator switches on what the plan says.
OFF_RULES = ValidityRules(
    min_duration_seconds=None,
    duplicate_ip_window_minutes=None,
    straightlining_min_rows=None,
    require_answers=False,
)
SUGGESTED = {
    "min_duration_seconds": 30,
    "duplicate_ip_window_minutes": 30,
    "straightlining_min_rows": 5,
}
METRICS = {
    "rate": "满意率",
    "score_index": "满意度指数",
    "pooled_rate": "满意率（合并全部回答）",
    "pooled_score_index": "满意度指数（合并全部回答）",
}


def rules_of(survey: Survey) -> ValidityRules:
    """The survey's validity filters (stored as a dict; missing keys are off)."""
    data = survey.rules or {}
    return ValidityRules(
        min_duration_seconds=data.get("min_duration_seconds"),
        duplicate_ip_window_minutes=data.get("duplicate_ip_window_minutes"),
        straightlining_min_rows=data.get("straightlining_min_rows"),
        require_answers=bool(data.get("require_answers", False)),
    )


@dataclass
class SurveyResult:
    """Everything the statistics page, the API, the exports and the score read."""

    survey: Survey
    questions: list[Question]
    frame: pd.DataFrame
    validity: ValidityReport
    stats: SurveyStats
    channels: dict[str, int]

    @property
    def excluded(self) -> pd.Series:
        return self.validity.excluded


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def load_frame(
    db: Session, survey: Survey, questions: Sequence[Question]
) -> tuple[pd.DataFrame, dict[int, bool], dict[str, int]]:
    """The survey's answers as a frame (index = response id), the manual overrides, channel counts."""
    rows = db.exec(
        select(
            SurveyResponse.id,
            SurveyResponse.serial,
            SurveyResponse.submitted_at,
            SurveyResponse.duration_seconds,
            SurveyResponse.ip,
            SurveyResponse.answers,
            SurveyResponse.missing,
            SurveyResponse.other_text,
            SurveyResponse.override,
            SurveyResponse.channel,
        )
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(col(SurveyResponse.id))
    ).all()
    records = [
        {
            "serial": serial,
            "submitted_at": _naive_utc(submitted),
            "duration_seconds": duration,
            "ip": ip,
            "answers": answers or {},
            "missing": missing or {},
            "other_text": other or {},
        }
        for _id, serial, submitted, duration, ip, answers, missing, other, _o, _c in rows
    ]
    overrides = {row[0]: row[8] for row in rows if row[8] is not None}
    channels: dict[str, int] = {}
    for row in rows:
        channels[row[9]] = channels.get(row[9], 0) + 1
    frame = build_frame(questions, records, ids=[row[0] for row in rows])
    return frame, overrides, channels


def compute(db: Session, survey: Survey, *, crosstabs: bool = True) -> SurveyResult:
    """Run the filters and the analysis over every stored answer of the survey."""
    questions = questions_of(survey)
    frame, overrides, channels = load_frame(db, survey, questions)
    validity = check_validity(
        frame=frame, questions=questions, rules=rules_of(survey), overrides=overrides
    )
    stats = analyze(
        questions=questions,
        frame=frame,
        excluded=validity.excluded.to_numpy(),
        top_k=survey.top_k,
        crosstabs=crosstabs,
    )
    return SurveyResult(survey, questions, frame, validity, stats, channels)


def valid_count(db: Session, survey: Survey) -> tuple[int, int]:
    """(valid, collected) after the filters and overrides, without the analysis."""
    questions = questions_of(survey)
    frame, overrides, _channels = load_frame(db, survey, questions)
    report = check_validity(
        frame=frame, questions=questions, rules=rules_of(survey), overrides=overrides
    )
    return report.valid, len(frame)


def group_choices(questions: Sequence[Question]) -> list[tuple[str, str]]:
    """`key:index` → label of every option of every respondent-group question."""
    return [
        (f"{q.key}:{i}", f"{q.text}：{option}")
        for q in questions
        if q.group and q.type in ("single", "likert")
        for i, option in enumerate(q.options)
    ]


def item_choices(result_or_questions: Any) -> list[tuple[str, str]]:
    """Item key → label of every satisfaction item (matrix rows one by one)."""
    questions = getattr(result_or_questions, "questions", result_or_questions)
    return [(i.column, i.label) for i in iter_items(questions) if i.satisfaction]


def _group_mask(result: SurveyResult, group: str) -> np.ndarray | None:
    key, _, index = group.partition(":")
    if key not in result.frame or not index.isdigit():
        return None
    return result.frame[item_column(key)].to_numpy(dtype=float) == int(index)


def metric(
    result: SurveyResult, *, metric: str, item: str | None = None, group: str | None = None
) -> tuple[Decimal | None, int]:
    """One figure of the survey (in %, 2 places) and how many answers it rests on.

    `metric` is rate | score_index | pooled_rate | pooled_score_index; `item` an item key (None:
    all satisfaction items, weighted); `group` `question key:option index` restricts the figure
    to that respondent group.
    """
    stats = result.stats
    if group:
        mask = _group_mask(result, group)
        if mask is None:
            return None, 0
        keep = ~result.excluded.to_numpy() & mask
        stats = analyze(
            questions=result.questions,
            frame=result.frame.loc[keep],
            top_k=result.survey.top_k,
            crosstabs=False,
        )
    if item:
        found = next((i for i in stats.items if i.key == item), None)
        if found is None:
            return None, 0
        value = found.score_index if metric in ("score_index", "pooled_score_index") else found.rate
        return value, found.n
    overall = stats.overall
    value = {
        "rate": overall.rate,
        "score_index": overall.score_index,
        "pooled_rate": overall.pooled_rate,
        "pooled_score_index": overall.pooled_score_index,
    }.get(metric)
    return value, overall.answers if metric.startswith("pooled") else overall.n
