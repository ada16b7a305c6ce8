"""Values a working paper computes that can stand as facts: table totals and their ratios (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.facts.catalog import CENT, PAPER_COLUMNS


@dataclass(frozen=True)
class PaperValue:
    """One computed value: where it is (`<field>.<column>`), what it is called, the fact it feeds."""

    ref: str
    label: str
    value: Decimal
    fact_key: str  # the fact this column stands for ('' when none)


def _number(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw).replace(",", ""))
    except ArithmeticError:
        return None


def computed(fields: Sequence[Any], values: Mapping[str, Any]) -> list[PaperValue]:
    """Totals of money/number columns and the ratios of those totals, for every table with totals."""
    found: list[PaperValue] = []
    for spec in fields:
        if spec.type != "table" or not spec.totals:
            continue
        rows = values.get(spec.key) or []
        if not rows:
            continue
        sums: dict[str, Decimal] = {}
        for column in spec.columns:
            if column.type in ("money", "number"):
                cells = [_number(r.get(column.key)) for r in rows]
                sums[column.key] = sum((c for c in cells if c is not None), Decimal(0))
        for column in spec.columns:
            if column.key in sums:
                value = sums[column.key]
            elif column.type == "ratio" and sums.get(column.denominator):
                top = sums.get(column.numerator, Decimal(0))
                value = (top * 100 / sums[column.denominator]).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
            else:
                continue
            found.append(
                PaperValue(
                    ref=f"{spec.key}.{column.key}",
                    label=f"{spec.label}合计{column.label}",
                    value=value,
                    fact_key=PAPER_COLUMNS.get(column.key, ""),
                )
            )
    return found
