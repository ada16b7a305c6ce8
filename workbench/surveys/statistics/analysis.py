"""Survey statistics over a response frame: rates, score indexes, intervals, α, cross-tabs (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import Item, Question, iter_items
from workbench.surveys.statistics.breakdowns import crosstabs as build_crosstabs
from workbench.surveys.statistics.breakdowns import frequencies, missing_tally, text_answers
from workbench.surveys.statistics.frames import item_matrix
from workbench.surveys.statistics.primitives import (
    counts_mean_sd,
    cronbach_alpha,
    q2,
    q4,
    t_interval,
    wilson_interval,
)
from workbench.surveys.statistics.shapes import ItemStats, OptionCount, OverallStats, SurveyStats

HUNDRED = Decimal(100)


def analyze(
    *,
    questions: Sequence[Question],
    frame: pd.DataFrame,
    excluded: pd.Series | np.ndarray | None = None,
    top_k: int = 2,
    confidence: float = 0.95,
    crosstabs: bool = True,
) -> SurveyStats:
    """Statistics of the valid responses (rows not `excluded`) of a frame from `build_frame`."""
    collected = len(frame)
    if excluded is not None:
        mask = np.asarray(excluded, dtype=bool)
        frame = frame.loc[~mask]
    valid = len(frame)
    items = iter_items(questions)
    codes = option_indexes(item_matrix(frame, [i.column for i in items]), items)
    counts = [_counts(codes[:, j], len(item.options)) for j, item in enumerate(items)]
    item_stats = [
        _item_stats(item, c, top_k, confidence) for item, c in zip(items, counts, strict=True)
    ]
    satisfaction = [j for j, item in enumerate(items) if item.satisfaction]
    tally = missing_tally(frame)
    alpha, alpha_n = cronbach_alpha(_score_matrix(codes, items, satisfaction))
    stats = SurveyStats(
        collected=collected,
        valid=valid,
        validity_rate=q2(Decimal(valid) * HUNDRED / collected) if collected else None,
        items=[s for s, item in zip(item_stats, items, strict=True) if item.scores],
        overall=_overall(items, counts, codes, satisfaction, top_k),
        cronbach_alpha=q4(alpha),
        alpha_n=alpha_n,
        alpha_items=len(satisfaction),
        frequencies=frequencies(questions, frame, items, counts, tally),
        text_answers=text_answers(questions, frame, tally),
    )
    if crosstabs:
        stats.crosstabs = build_crosstabs(questions, items, codes, satisfaction, top_k)
    return stats


def option_indexes(matrix: np.ndarray, items: list[Item]) -> np.ndarray:
    """Float option indexes → int64, with -1 for unanswered or out-of-range cells."""
    sizes = np.array([len(item.options) for item in items], dtype=float)
    valid = ~np.isnan(matrix) & (matrix >= 0) & (matrix < sizes)
    return np.where(valid, matrix, -1).astype(np.int64)


def _counts(column: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(column[column >= 0], minlength=size)[:size]


def score_array(item: Item) -> np.ndarray:
    return np.array([float(s) for s in item.scores or ()], dtype=float)


def _item_stats(item: Item, counts: np.ndarray, top_k: int, confidence: float) -> ItemStats:
    n = int(counts.sum())
    distribution = distribution_of(item.options, counts, n)
    rate = ci_low = ci_high = score = score_low = score_high = None
    if n and item.scores:
        top = int(counts[:top_k].sum())
        rate = q2(Decimal(top) * HUNDRED / n)
        interval = wilson_interval(top, n, confidence)
        ci_low, ci_high = (q2(v * 100) for v in interval) if interval else (None, None)
        score = q2(_exact_mean(counts, item.scores))
        mean, sd = counts_mean_sd(counts, score_array(item))
        interval = t_interval(mean, sd, n, confidence) if sd == sd else None
        if interval:
            low, high = float(min(item.scores)), float(max(item.scores))
            score_low, score_high = q2(max(interval[0], low)), q2(min(interval[1], high))
    return ItemStats(
        key=item.column,
        question_key=item.question_key,
        row=item.row,
        question=item.label,
        satisfaction_item=item.satisfaction,
        weight=item.weight,
        n=n,
        rate=rate,
        ci_low=ci_low,
        ci_high=ci_high,
        score_index=score,
        score_ci_low=score_low,
        score_ci_high=score_high,
        distribution=distribution,
    )


def _exact_mean(counts: np.ndarray, scores: Sequence[Decimal]) -> Decimal:
    n = int(counts.sum())
    return sum((int(c) * s for c, s in zip(counts, scores, strict=True)), Decimal(0)) / n


def distribution_of(options: Sequence[str], counts: np.ndarray, n: int) -> list[OptionCount]:
    """Count and percent of answering respondents per option."""
    return [
        OptionCount(option, int(c), q2(Decimal(int(c)) * HUNDRED / n) if n else None)
        for option, c in zip(options, counts, strict=True)
    ]


def _overall(
    items: list[Item],
    counts: list[np.ndarray],
    codes: np.ndarray,
    satisfaction: list[int],
    top_k: int,
) -> OverallStats:
    """Weighted means of the item figures (items without answers leave the mean)."""
    weighted_rate = weighted_score = total_weight = Decimal(0)
    pooled_top = pooled_n = 0
    pooled_sum = Decimal(0)
    for j in satisfaction:
        n = int(counts[j].sum())
        if not n:
            continue
        top = int(counts[j][:top_k].sum())
        scores = items[j].scores or ()
        score_sum = sum((int(c) * s for c, s in zip(counts[j], scores, strict=True)), Decimal(0))
        weight = items[j].weight
        weighted_rate += weight * Decimal(top) * HUNDRED / n
        weighted_score += weight * score_sum / n
        total_weight += weight
        pooled_top += top
        pooled_n += n
        pooled_sum += score_sum
    answered_any = int((codes[:, satisfaction] >= 0).any(axis=1).sum()) if satisfaction else 0
    return OverallStats(
        items=len(satisfaction),
        n=answered_any,
        answers=pooled_n,
        rate=q2(weighted_rate / total_weight) if total_weight else None,
        score_index=q2(weighted_score / total_weight) if total_weight else None,
        pooled_rate=q2(Decimal(pooled_top) * HUNDRED / pooled_n) if pooled_n else None,
        pooled_score_index=q2(pooled_sum / pooled_n) if pooled_n else None,
    )


def _score_matrix(codes: np.ndarray, items: list[Item], columns: list[int]) -> np.ndarray:
    """Mapped scores (rows × satisfaction items), NaN where unanswered."""
    result = np.empty((codes.shape[0], len(columns)))
    for out, j in enumerate(columns):
        # Index -1 (unanswered) picks the NaN appended after the scores.
        result[:, out] = np.append(score_array(items[j]), np.nan)[codes[:, j]]
    return result
