"""Full statistics of a large survey through surveys.statistics.analysis.analyze.

The reference survey: 100,000 responses to 30 Likert satisfaction items (about 2 % unanswered)
plus one respondent-group question, analysed completely — distributions, rates with Wilson
intervals, score indexes with t intervals, weighted and pooled overall figures, Cronbach's α,
cross-tabs of every item by the group with chi-square, frequency tables. Target: ≤ 300 ms.
The baseline, measured in the same run, is the bare counting floor: one numpy bincount per item
column. Times are process CPU times (best of 3), so other work on a shared machine does not skew
them. Usage: python bench/bench_survey_analysis.py [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.statistics.analysis import analyze
from workbench.surveys.statistics.frames import MISSING, OTHER

WIDTH = 30
TARGET_MS = 300


def survey(size: int, seed: int = 7) -> tuple[list[Question], pd.DataFrame]:
    """The questionnaire and a response frame as `frames.build_frame` shapes it."""
    rng = np.random.default_rng(seed)
    questions = [Question("g", "身份", "single", ["甲", "乙", "丙", "丁"], group=True)] + [
        Question(f"q{i}", f"题{i}", "likert", list(LIKERT_LABELS), satisfaction_item=True)
        for i in range(WIDTH)
    ]
    data = {"g": rng.integers(0, 4, size).astype(float)}
    for i in range(WIDTH):
        column = rng.integers(0, 5, size).astype(float)
        column[rng.random(size) < 0.02] = np.nan
        data[f"q{i}"] = column
    frame = pd.DataFrame(data)
    frame[MISSING] = [{} for _ in range(size)]
    frame[OTHER] = [{} for _ in range(size)]
    return questions, frame


def _cpu(action, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def _floor(frame: pd.DataFrame) -> None:
    for i in range(WIDTH):
        column = frame[f"q{i}"].to_numpy()
        np.bincount(column[~np.isnan(column)].astype(np.int64), minlength=5)


def run(quick: bool) -> list[dict]:
    size = 20_000 if quick else 100_000
    questions, frame = survey(size)
    stats = analyze(questions=questions, frame=frame)
    assert stats.valid == size and len(stats.items) == WIDTH and len(stats.crosstabs) == WIDTH
    ours = _cpu(lambda: analyze(questions=questions, frame=frame))
    floor = _cpu(lambda: _floor(frame))
    return [
        {
            "name": f"survey analysis {size:,} × {WIDTH} likert (full)",
            "value": round(ours * 1000, 1),
            "unit": "ms",
            "baseline": round(floor * 1000, 2),
            "ratio": round(ours / floor, 1) if floor else None,
            "target": f"≤ {TARGET_MS} ms",
        }
    ]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(
            f"{row['name']}: {row['value']} {row['unit']} (counting floor {row['baseline']} ms, "
            f"ratio {row['ratio']}, target {row['target']})"
        )
