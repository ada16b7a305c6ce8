"""Statistical primitives for surveys: Wilson and t intervals, Cronbach's α, chi-square (pure)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy import stats

CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


def q2(value: Decimal | float | None) -> Decimal | None:
    """Round half-up to 2 places; None stays None."""
    return _quantize(value, CENT)


def q4(value: Decimal | float | None) -> Decimal | None:
    """Round half-up to 4 places; None stays None."""
    return _quantize(value, TEN_THOUSANDTH)


def _quantize(value: Decimal | float | None, exponent: Decimal) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return None
        value = Decimal(repr(float(value)))
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def z_value(confidence: float = 0.95) -> float:
    """Two-sided normal quantile: 1.959964 at 95%."""
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion, as fractions in [0, 1]; None when n = 0."""
    if n <= 0:
        return None
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def t_interval(
    mean: float, sd: float, n: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Student-t interval of a mean from its sample sd (ddof 1); None when n < 2."""
    if n < 2:
        return None
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def counts_mean_sd(counts: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Mean and sample sd (ddof 1) of scores given how many answers each score got."""
    n = counts.sum()
    if n == 0:
        return math.nan, math.nan
    mean = float((counts * scores).sum() / n)
    if n < 2:
        return mean, math.nan
    variance = float((counts * (scores - mean) ** 2).sum() / (n - 1))
    return mean, math.sqrt(max(variance, 0.0))


def cronbach_alpha(scores: np.ndarray) -> tuple[float | None, int]:
    """Cronbach's α of a respondents × items score matrix over complete rows, and that row count.

    α = k/(k−1) · (1 − Σ item variances / variance of the totals); None when fewer than two items
    or two complete rows, or when the totals do not vary.
    """
    if scores.ndim != 2 or scores.shape[1] < 2:
        return None, 0
    complete = scores[~np.isnan(scores).any(axis=1)]
    n, k = complete.shape
    if n < 2:
        return None, n
    item_variances = complete.var(axis=0, ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance <= 0:
        return None, n
    return float(k / (k - 1) * (1 - item_variances / total_variance)), n


@dataclass(frozen=True)
class ChiSquare:
    """Pearson chi-square test of independence of a contingency table."""

    statistic: float | None
    dof: int
    p_value: float | None
    n: int
    low_expected: bool  # some expected count under 5: the p-value is only indicative


def chi_square(table: np.ndarray) -> ChiSquare:
    """Chi-square of a groups × levels count table; empty rows/columns dropped first.

    A table that degenerates to fewer than two rows or columns has no test (statistic None).
    """
    counts = np.asarray(table, dtype=float)
    n = int(counts.sum())
    if counts.ndim != 2 or n == 0:
        return ChiSquare(None, 0, None, n, False)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return ChiSquare(None, 0, None, n, False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on tiny tables; low_expected says so instead
        result = stats.chi2_contingency(counts, correction=False)
    expected = np.asarray(result.expected_freq)
    return ChiSquare(
        float(result.statistic),
        int(result.dof),
        float(result.pvalue),
        n,
        bool((expected < 5).any()),
    )
