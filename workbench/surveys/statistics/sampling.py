"""Sample size of a satisfaction survey: n = Z²·p(1−p)/e², finite-population corrected (pure)."""

from __future__ import annotations

import math
from decimal import Decimal

from scipy import stats


def z_for(confidence: float | Decimal) -> float:
    """Two-sided normal quantile for a confidence level: 0.95 → 1.959964…"""
    level = float(confidence)
    if not 0 < level < 1:
        raise ValueError(f"置信水平应在 0 与 1 之间（当前为 {confidence}）")
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def sample_size(
    *,
    confidence: float | Decimal = 0.95,
    margin: float | Decimal = 0.05,
    proportion: float | Decimal = 0.5,
    population: int | None = None,
    z: float | None = None,
) -> int:
    """Respondents needed, rounded up: 385 at 95 %/±5 %/p=0.5, 370 for N=10,000, 278 for N=1,000.

    `z` overrides the quantile from `confidence` (reports often quote Z = 1.96 exactly).
    """
    e = float(margin)
    p = float(proportion)
    if not 0 < e < 1:
        raise ValueError(f"允许误差应在 0 与 1 之间（当前为 {margin}）")
    if not 0 <= p <= 1:
        raise ValueError(f"预估比例应在 0 与 1 之间（当前为 {proportion}）")
    if population is not None and population < 1:
        raise ValueError(f"总体数量应为正整数（当前为 {population}）")
    quantile = z if z is not None else z_for(confidence)
    n = quantile * quantile * p * (1 - p) / (e * e)
    if population is not None:
        n = n / (1 + (n - 1) / population)
    # Round away float noise first so an exact integer is not pushed up by 1e-12.
    return max(1, math.ceil(round(n, 9)))
