"""Scoring a large indicator system through calculator.calculate.

The reference system: 500 `expert`-rule leaves (weight 0.2 each, 100 in all) scored by a panel
of 15 experts each (trimmed mean, dispersion check) — 7,500 expert scores — injected as the
application injects them (Leaf.expert_scores). Target: ≤ 20 ms for the whole calculation.
The baseline, measured in the same run, is the bare arithmetic floor: summing the same 7,500
Decimal scores leaf by leaf in a Python loop. A second row scores 500 leaves of mixed rules
(ratio, linear, bands, elements, qualitative, deduction, boolean, satisfaction, manual) for
information, against the same kind of floor. Times are the median CPU time of this process.
Usage: python bench/bench_scoring.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal

from workbench.scoring.calculator import Leaf, calculate

LEAVES = 500
EXPERTS = 15
WEIGHT = Decimal("0.2")
MIXED = [
    ("ratio", "floor=60%", "≥95%", "91.2%"),
    ("inverse_ratio", "", "≤5元", "5.2元"),
    ("linear", "per=1%; deduct=5%; zero=80%", "100%", "93.35%"),
    ("bands", ">=95%:1; >=90%:0.8; >=80%:0.6; else:0", None, "92%"),
    ("elements", "1/3:1; 1/3:0.5; 1/3:0", None, None),
    ("qualitative", "部分达成:0.7", None, None),
    ("deduction", "0.05; 0.02", None, None),
    ("boolean", "", None, "是"),
    ("satisfaction", "method=linear; per=1%; deduct=5%", "≥90%", "87.4%"),
    ("manual", "", None, None),
]


def expert_leaves() -> list[Leaf]:
    """500 expert leaves, each with 15 scores between 0.12 and 0.20."""
    leaves = []
    for n in range(LEAVES):
        scores = [Decimal(12 + (n * 7 + k * 3) % 9) / 100 for k in range(EXPERTS)]
        leaves.append(
            Leaf(
                path=(f"一级{n % 4}", f"二级{n % 20}", f"指标{n}"),
                weight=WEIGHT,
                rule="expert",
                params="agg=trimmed",
                expert_scores=scores,
            )
        )
    return leaves


def mixed_leaves() -> list[Leaf]:
    """500 leaves cycling through the other rule types, with their data."""
    leaves = []
    for n in range(LEAVES):
        rule, params, target, actual = MIXED[n % len(MIXED)]
        leaves.append(
            Leaf(
                path=(f"一级{n % 4}", f"二级{n % 20}", f"指标{n}"),
                weight=WEIGHT,
                rule=rule,
                params=params,
                target=target,
                actual=actual,
                score=Decimal("0.15") if rule == "manual" else None,
            )
        )
    return leaves


def _median_ms(fn, repeat: int) -> float:
    """Median CPU time of this process (other load on a shared machine does not count)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def _floor(leaves: list[Leaf]) -> Decimal:
    """The arithmetic floor: Σ of every number a leaf carries, in a plain loop."""
    total = Decimal(0)
    for leaf in leaves:
        for score in leaf.expert_scores or (leaf.weight,):
            total += score
    return total


def run(quick: bool) -> list[dict]:
    repeat = 5 if quick else 25
    rows = []
    for name, leaves in (
        (f"calculate {LEAVES} leaves × {EXPERTS} experts", expert_leaves()),
        (f"calculate {LEAVES} leaves of mixed rules", mixed_leaves()),
    ):
        result = calculate(leaves)  # warm the parameter caches, as a running server has them
        assert result.total is not None and not result.errors, result.errors[:3]
        value = _median_ms(lambda leaves=leaves: calculate(leaves), repeat)
        floor = _median_ms(lambda leaves=leaves: _floor(leaves), repeat)
        rows.append(
            {
                "name": f"{name} (ms)",
                "value": round(value, 2),
                "unit": "ms",
                "baseline": round(floor, 3),
                "ratio": round(value / floor, 1),
                "target": "≤ 20 ms" if "experts" in name else "information",
            }
        )
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(
            f"{row['name']:<48} {row['value']:>8} {row['unit']}  Σ-loop floor {row['baseline']} ms"
            f"  ratio {row['ratio']}  target {row['target']}"
        )
