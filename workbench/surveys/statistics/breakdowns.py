"""Frequency tables, text answers and cross-tabs by group question, over a response frame (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import Item, Question, item_column
from workbench.surveys.statistics.frames import MISSING, OTHER
from workbench.surveys.statistics.primitives import chi_square, q2, q4
from workbench.surveys.statistics.shapes import CrossTab, Frequency, OptionCount, TextAnswers

HUNDRED = Decimal(100)


def missing_tally(frame: pd.DataFrame) -> Counter:
    """(question key, "skipped"|"blank") → number of responses, in one pass over the frame."""
    tally: Counter = Counter()
    if MISSING not in frame:
        return tally
    for missing in frame[MISSING].to_numpy(dtype=object).tolist():
        if missing:
            tally.update(missing.items())
    return tally


def frequencies(
    questions: Sequence[Question],
    frame: pd.DataFrame,
    items: list[Item],
    counts: list[np.ndarray],
    tally: Counter,
) -> list[Frequency]:
    """Counts per option for every choice question (matrix: per row; multi-select: per option)."""
    by_column = {item.column: (item, c) for item, c in zip(items, counts, strict=True)}
    others = _other_texts(frame)
    result: list[Frequency] = []
    for q in questions:
        skipped, blank = tally[(q.key, "skipped")], tally[(q.key, "blank")]
        if q.type in ("single", "likert"):
            _, c = by_column[item_column(q.key)]
            n = int(c.sum())
            result.append(
                Frequency(
                    q.key,
                    q.text,
                    q.type,
                    n,
                    skipped,
                    blank,
                    _options(q.options, c, n),
                    other_texts=others.get(q.key, []),
                )
            )
        elif q.type == "matrix":
            rows = []
            for row in q.rows:
                _, c = by_column[item_column(q.key, row)]
                n = int(c.sum())
                rows.append({"row": row, "n": n, "options": _options(q.options, c, n)})
            answered = int(frame[[item_column(q.key, r) for r in q.rows]].notna().any(axis=1).sum())
            result.append(Frequency(q.key, q.text, q.type, answered, skipped, blank, [], rows=rows))
        elif q.type == "multiple":
            c, n = _multiple_counts(frame[item_column(q.key)], len(q.options))
            result.append(
                Frequency(
                    q.key,
                    q.text,
                    q.type,
                    n,
                    skipped,
                    blank,
                    _options(q.options, c, n),
                    other_texts=others.get(q.key, []),
                )
            )
    return result


def _options(options: Sequence[str], counts: np.ndarray, n: int) -> list[OptionCount]:
    return [
        OptionCount(o, int(c), q2(Decimal(int(c)) * HUNDRED / n) if n else None)
        for o, c in zip(options, counts, strict=True)
    ]


def _multiple_counts(column: pd.Series, size: int) -> tuple[np.ndarray, int]:
    """Respondents choosing each option, and respondents who chose anything."""
    answered = column[column.map(lambda v: isinstance(v, list) and len(v) > 0)]
    if answered.empty:
        return np.zeros(size, dtype=np.int64), 0
    chosen = answered.explode().to_numpy(dtype=np.int64)
    chosen = chosen[(chosen >= 0) & (chosen < size)]
    return np.bincount(chosen, minlength=size)[:size], len(answered)


def _other_texts(frame: pd.DataFrame) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if OTHER not in frame:
        return result
    for other in frame[OTHER].to_numpy(dtype=object).tolist():
        if other:
            for key, text in other.items():
                result.setdefault(key, []).append(text)
    return result


def text_answers(
    questions: Sequence[Question], frame: pd.DataFrame, tally: Counter
) -> list[TextAnswers]:
    """Every non-empty answer of each text question, in response order."""
    result = []
    for q in questions:
        if q.type != "text":
            continue
        values = [v for v in frame[item_column(q.key)] if isinstance(v, str) and v.strip()]
        result.append(
            TextAnswers(
                q.key,
                q.text,
                len(values),
                tally[(q.key, "skipped")],
                tally[(q.key, "blank")],
                values,
            )
        )
    return result


def crosstabs(
    questions: Sequence[Question],
    items: list[Item],
    codes: np.ndarray,
    satisfaction: list[int],
    top_k: int,
) -> list[CrossTab]:
    """Each satisfaction item by each group question: per-group rate and score, chi-square.

    `codes` holds int option indexes with -1 for unanswered (see analysis.option_indexes).
    """
    columns = {item.column: j for j, item in enumerate(items)}
    result: list[CrossTab] = []
    for g in questions:
        if not g.group or g.type not in ("single", "likert") or g.key not in columns:
            continue
        targets = [j for j in satisfaction if items[j].question_key != g.key]
        if not targets:
            continue
        tables = _count_tables(
            codes[:, columns[g.key]], codes[:, targets], len(g.options), items, targets
        )
        for j, table in zip(targets, tables, strict=True):
            result.append(_crosstab(g, items[j], table, top_k))
    return result


def _count_tables(
    group_codes: np.ndarray,
    item_codes: np.ndarray,
    levels: int,
    items: list[Item],
    targets: list[int],
) -> list[np.ndarray]:
    """All groups × options count tables in one bincount (each item offset into its own block)."""
    width = max(len(items[j].options) for j in targets)
    block = levels * width
    answered = (group_codes[:, None] >= 0) & (item_codes >= 0)
    cells = np.arange(len(targets)) * block + group_codes[:, None] * width + item_codes
    counts = np.bincount(cells[answered], minlength=len(targets) * block)
    counts = counts.reshape(len(targets), levels, width)
    return [counts[n, :, : len(items[j].options)] for n, j in enumerate(targets)]


def _crosstab(group: Question, item: Item, table: np.ndarray, top_k: int) -> CrossTab:
    test = chi_square(table)
    scores = item.scores or ()
    groups = []
    for label, row in zip(group.options, table, strict=True):
        n = int(row.sum())
        score_sum = sum((int(k) * s for k, s in zip(row, scores, strict=True)), Decimal(0))
        groups.append(
            {
                "group": label,
                "n": n,
                "rate": q2(Decimal(int(row[:top_k].sum())) * HUNDRED / n) if n else None,
                "score_index": q2(score_sum / n) if n else None,
            }
        )
    return CrossTab(
        group_key=group.key,
        group_question=group.text,
        item=item.label,
        n=int(table.sum()),
        groups=groups,
        counts=table.tolist(),
        chi2=q4(test.statistic),
        dof=test.dof,
        p_value=q4(test.p_value),
        low_expected=test.low_expected,
    )
