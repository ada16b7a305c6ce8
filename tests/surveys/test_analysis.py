"""Survey statistics: hand-computed Wilson, t, α and chi-square; item, overall and breakdowns."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.statistics.analysis import analyze
from workbench.surveys.statistics.frames import build_frame
from workbench.surveys.statistics.primitives import (
    chi_square,
    counts_mean_sd,
    cronbach_alpha,
    q2,
    q4,
    t_interval,
    wilson_interval,
    z_value,
)

LIKERT = list(LIKERT_LABELS)


def test_z_value():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)


def test_wilson_interval_by_hand():
    # p = 0.8, z² = 3.841459: centre 0.99207/1.38415 = 0.71674, half 0.31361/1.38415 = 0.22658
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.49016, abs=1e-5)
    assert high == pytest.approx(0.94331, abs=1e-5)
    assert wilson_interval(0, 20)[0] == 0.0
    assert wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 0) is None


def test_t_interval_by_hand():
    # scores 100, 80, 60: mean 80, sd 20, t(0.975, 2) = 4.302653, half = 4.302653·20/√3 = 49.6828
    mean, sd = counts_mean_sd(np.array([1, 1, 1]), np.array([100.0, 80.0, 60.0]))
    assert (mean, sd) == (80.0, 20.0)
    low, high = t_interval(mean, sd, 3)
    assert low == pytest.approx(30.3172, abs=1e-4)
    assert high == pytest.approx(129.6828, abs=1e-4)
    assert t_interval(80.0, 0.0, 1) is None


def test_cronbach_alpha_by_hand():
    # var(x1) = var(x2) = 5/3, var(totals 3,3,7,7) = 16/3: α = 2·(1 − (10/3)/(16/3)) = 0.75
    alpha, n = cronbach_alpha(np.array([[1, 2], [2, 1], [3, 4], [4, 3]], dtype=float))
    assert alpha == pytest.approx(0.75) and n == 4
    perfect, _ = cronbach_alpha(np.array([[2, 1], [4, 3], [6, 5]], dtype=float))
    assert perfect == pytest.approx(1.0)
    # Incomplete rows are left out; opposite items leave the totals constant: undefined.
    assert cronbach_alpha(np.array([[1, 3], [2, 2], [3, 1], [np.nan, 5]])) == (None, 3)
    assert cronbach_alpha(np.array([[1.0], [2.0]])) == (None, 0)
    assert cronbach_alpha(np.array([[1.0, 2.0], [np.nan, 1.0]])) == (None, 1)


def test_chi_square_by_hand():
    # expected 12, 18 / 28, 42: χ² = 4/12 + 4/18 + 4/28 + 4/42 = 0.793651, 1 dof, p = 0.37300
    test = chi_square(np.array([[10, 20], [30, 40]]))
    assert test.statistic == pytest.approx(0.793651, abs=1e-6)
    assert test.dof == 1 and test.n == 100 and not test.low_expected
    assert test.p_value == pytest.approx(0.37300, abs=1e-5)
    small = chi_square(np.array([[1, 2], [3, 1]]))
    assert small.low_expected and small.p_value is not None


@pytest.mark.parametrize("table", [[[5, 0], [3, 0]], [[0, 0], [1, 2]], [[0, 0], [0, 0]], [[4, 6]]])
def test_chi_square_degenerate_tables(table):
    test = chi_square(np.array(table))
    assert test.statistic is None and test.p_value is None and test.dof == 0


def test_rounding_is_half_up():
    assert q2(Decimal("81.205")) == Decimal("81.21")
    assert q2(0.125) == Decimal("0.13")
    assert q4(Decimal("0.12345")) == Decimal("0.1235")
    assert q2(None) is None and q2(float("nan")) is None


def small_survey():
    questions = [
        Question("role", "身份", "single", ["学生", "家长"], group=True),
        Question(
            "speed", "办理速度", "likert", LIKERT, satisfaction_item=True, weight=Decimal("1")
        ),
        Question(
            "service",
            "服务态度",
            "likert",
            LIKERT,
            satisfaction_item=True,
            weight=Decimal("3"),
            scores=[Decimal(v) for v in (100, 75, 50, 25, 0)],
        ),
        Question("ways", "渠道", "multiple", ["通知", "海报", "其他"]),
        Question("advice", "建议", "text"),
    ]
    answers = [  # role, speed, service, ways, advice
        (0, 0, 0, [0, 2], "很好"),
        (0, 1, 0, [1], None),
        (1, 2, 1, [0], "  "),
        (1, None, 4, None, "再快一点"),
    ]
    records = [
        {
            "answers": dict(zip(["role", "speed", "service", "ways", "advice"], a, strict=True)),
            "missing": {"speed": "skipped"}
            if a[1] is None
            else ({"advice": "blank"} if a[4] is None else {}),
            "other_text": {"ways": "广播"} if a[3] == [0, 2] else {},
        }
        for a in answers
    ]
    return questions, build_frame(questions, records)


def test_items_by_hand():
    questions, frame = small_survey()
    stats = analyze(questions=questions, frame=frame)
    speed, service = stats.items
    # speed: 非常满意, 满意, 一般 → rate 2/3, score (100+80+60)/3 = 80
    assert (speed.n, speed.rate, speed.score_index) == (3, Decimal("66.67"), Decimal("80.00"))
    assert (speed.score_ci_low, speed.score_ci_high) == (Decimal("30.32"), Decimal("100.00"))
    assert (speed.ci_low, speed.ci_high) == (Decimal("20.77"), Decimal("93.85"))
    assert [(o.option, o.count, o.percent) for o in speed.distribution][:3] == [
        ("非常满意", 1, Decimal("33.33")),
        ("满意", 1, Decimal("33.33")),
        ("一般", 1, Decimal("33.33")),
    ]
    # service (100/75/50/25/0): 非常满意 ×2, 满意, 非常不满意 → rate 3/4, score 275/4
    assert (service.n, service.rate, service.score_index) == (4, Decimal("75.00"), Decimal("68.75"))
    overall = stats.overall
    # weighted 1:3 → rate (66.667 + 3·75)/4 = 72.92, score (80 + 3·68.75)/4 = 71.56
    assert (overall.rate, overall.score_index) == (Decimal("72.92"), Decimal("71.56"))
    # pooled: (240 + 275)/7 = 73.57, (2 + 3)/7 = 71.43
    assert (overall.pooled_score_index, overall.pooled_rate) == (Decimal("73.57"), Decimal("71.43"))
    assert (overall.n, overall.answers, overall.items) == (4, 7, 2)
    # α over the 3 complete rows: speed 100/80/60 (var 400), service 100/100/75 (var 208.33),
    # totals 200/180/135 (var 1108.33): α = 2·(1 − 608.33/1108.33) = 0.9023
    assert stats.cronbach_alpha == Decimal("0.9023") and stats.alpha_n == 3


def test_frequencies_text_answers_and_crosstabs():
    questions, frame = small_survey()
    stats = analyze(questions=questions, frame=frame)
    frequencies = {f.key: f for f in stats.frequencies}
    ways = frequencies["ways"]
    assert ways.n == 3 and [o.count for o in ways.options] == [2, 1, 1]
    assert [o.percent for o in ways.options] == [
        Decimal("66.67"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert ways.other_texts == ["广播"]
    assert frequencies["speed"].skipped == 1 and frequencies["speed"].n == 3
    assert [o.count for o in frequencies["role"].options] == [2, 2]
    text = stats.text_answers[0]
    assert (text.n, text.blank, text.answers) == (2, 1, ["很好", "再快一点"])
    by_item = {c.item: c for c in stats.crosstabs}
    speed = by_item["办理速度"]
    assert speed.counts == [[1, 1, 0, 0, 0], [0, 0, 1, 0, 0]]
    assert speed.groups == [
        {"group": "学生", "n": 2, "rate": Decimal("100.00"), "score_index": Decimal("90.00")},
        {"group": "家长", "n": 1, "rate": Decimal("0.00"), "score_index": Decimal("60.00")},
    ]
    # 2×3 after empty columns drop: χ² = 3 (each cell fully determined), dof 2
    assert speed.chi2 == Decimal("3.0000") and speed.dof == 2 and speed.low_expected
    assert speed.p_value == Decimal("0.2231")


def test_exclusions_and_api_shape():
    questions, frame = small_survey()
    stats = analyze(
        questions=questions, frame=frame, excluded=pd.Series([False, False, False, True])
    )
    assert (stats.collected, stats.valid, stats.validity_rate) == (4, 3, Decimal("75.00"))
    data = stats.to_dict(decimals_as_strings=True)
    assert set(data) >= {"valid", "collected", "items", "overall", "cronbach_alpha"}
    item = data["items"][1]
    assert {"question", "n", "rate", "score_index", "ci_low", "ci_high", "distribution"} <= set(
        item
    )
    assert item["rate"] == "100.00" and item["n"] == 3
    assert set(data["overall"]) >= {"rate", "score_index", "pooled_score_index"}


def test_no_responses_gives_none_not_errors():
    questions, frame = small_survey()
    stats = analyze(questions=questions, frame=frame.iloc[0:0])
    assert stats.valid == 0 and stats.validity_rate is None
    assert all(i.n == 0 and i.rate is None and i.score_index is None for i in stats.items)
    assert stats.overall.rate is None and stats.overall.pooled_score_index is None
    assert stats.cronbach_alpha is None


def test_top_k_is_configurable():
    questions, frame = small_survey()
    stats = analyze(questions=questions, frame=frame, top_k=1)
    assert stats.items[0].rate == Decimal("33.33")


def test_matrix_frequencies_per_row():
    q = Question("m", "方面", "matrix", LIKERT, rows=["甲", "乙"], satisfaction_item=True)
    frame = build_frame(
        [q], [{"answers": {"m": {"甲": 0, "乙": 4}}}, {"answers": {"m": {"甲": 1, "乙": None}}}]
    )
    stats = analyze(questions=[q], frame=frame)
    assert [i.question for i in stats.items] == ["方面—甲", "方面—乙"]
    assert [i.n for i in stats.items] == [2, 1]
    rows = stats.frequencies[0].rows
    assert [r["n"] for r in rows] == [2, 1] and stats.frequencies[0].n == 2
