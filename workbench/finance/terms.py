"""Contract terms (pure): instalment schedule, deposit rate, release table and due rule.

DOMAIN.md §8: no national percentage exists, so every figure here is contract data; the
constants below are only the firm-wide defaults a new contract starts from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
FRACTION_PLACES = Decimal("0.0001")


class InstalmentEvent(StrEnum):
    signing = "signing"
    plan_approved = "plan_approved"
    report_approved = "report_approved"
    deposit_release = "deposit_release"


EVENT_NAMES = {
    InstalmentEvent.signing: "合同签订后",
    InstalmentEvent.plan_approved: "评价方案通过后",
    InstalmentEvent.report_approved: "评价报告审核通过后",
    InstalmentEvent.deposit_release: "质量保证金释放",
}


@dataclass(frozen=True)
class Instalment:
    """One payment of the fee: a percentage of it, paid when `event` happens."""

    event: str
    percent: Decimal


@dataclass(frozen=True)
class Band:
    """Scores at or above `min_score` release `fraction` (0..1) of the deposit."""

    min_score: Decimal
    fraction: Decimal


@dataclass(frozen=True)
class Terms:
    """The deposit-related terms of one contract (or the firm's defaults)."""

    instalments: list[Instalment] = field(default_factory=list)
    deposit_rate: Decimal = Decimal("10.00")  # percent of the fee
    bands: list[Band] = field(default_factory=list)
    release_days: int = 30  # release due this many days after acceptance


DEFAULT_INSTALMENTS = [
    Instalment(InstalmentEvent.signing, Decimal("30")),
    Instalment(InstalmentEvent.report_approved, Decimal("60")),
    Instalment(InstalmentEvent.deposit_release, Decimal("10")),
]
DEFAULT_DEPOSIT_RATE = Decimal("10")
DEFAULT_BANDS = [
    Band(Decimal("90"), Decimal("1")),
    Band(Decimal("80"), Decimal("0.8")),
    Band(Decimal("60"), Decimal("0.5")),
    Band(Decimal("0"), Decimal("0")),
]
DEFAULT_RELEASE_DAYS = 30
MAX_RELEASE_DAYS = 3650


def default_terms() -> Terms:
    return Terms(
        instalments=list(DEFAULT_INSTALMENTS),
        deposit_rate=DEFAULT_DEPOSIT_RATE,
        bands=list(DEFAULT_BANDS),
        release_days=DEFAULT_RELEASE_DAYS,
    )


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def places(value: Decimal) -> int:
    """Number of decimal places written in `value` (Decimal('0.50') → 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from user or JSON input, else None (never via float)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(",", "").replace("％", "").rstrip("%"))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def fraction_text(value: Decimal | None) -> str | None:
    """A fraction as a short exact string: 0.1 → '0.10', 0.125 → '0.125', 1 → '1.00'."""
    if value is None:
        return None
    exact = Decimal(value).quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP).normalize()
    return f"{exact:.{max(2, places(exact))}f}"


# --- validation -------------------------------------------------------------------------------


def _row_error(row: int, column: str, message: str) -> dict:
    return {"field": "instalments", "row": row, "column": column, "message": message}


def instalment_problems(instalments: Sequence[Instalment], deposit_rate: Decimal) -> list[dict]:
    """Each instalment names a known event and a positive percentage; they sum to 100."""
    errors: list[dict] = []
    if not instalments:
        return [{"field": "instalments", "message": "请至少填写一期付款"}]
    total = Decimal(0)
    deposit_share = Decimal(0)
    for n, item in enumerate(instalments, start=1):
        if item.event not in InstalmentEvent.__members__:
            errors.append(_row_error(n, "付款节点", f"第 {n} 期：付款节点无效"))
        if item.percent is None or item.percent <= 0 or item.percent > HUNDRED:
            errors.append(_row_error(n, "比例", f"第 {n} 期：比例须大于 0 且不超过 100%"))
            continue
        if places(item.percent) > 2:
            errors.append(_row_error(n, "比例", f"第 {n} 期：比例最多保留两位小数"))
        total += item.percent
        if item.event == InstalmentEvent.deposit_release:
            deposit_share += item.percent
    if errors:
        return errors
    if total != HUNDRED:
        errors.append(
            {"field": "instalments", "message": f"各期付款比例合计须为 100%，当前合计 {total}%"}
        )
    if deposit_share != deposit_rate:
        errors.append(
            {
                "field": "instalments",
                "message": (
                    f"“质量保证金释放”一期的比例（{deposit_share}%）须等于保证金比例"
                    f"（{deposit_rate}%）"
                ),
            }
        )
    return errors


def rate_problems(deposit_rate: Decimal | None) -> list[dict]:
    if deposit_rate is None or not (0 <= deposit_rate <= HUNDRED):
        return [{"field": "deposit_rate", "message": "保证金比例须在 0–100% 之间"}]
    if places(deposit_rate) > 2:
        return [{"field": "deposit_rate", "message": "保证金比例最多保留两位小数"}]
    return []


def band_problems(bands: Sequence[Band]) -> list[dict]:
    """Lower bounds strictly descending within 0..100; fractions within 0..1."""
    errors: list[dict] = []
    if not bands:
        return [{"field": "bands", "message": "请至少填写一个分数段"}]
    previous: Decimal | None = None
    for n, band in enumerate(bands, start=1):
        if band.min_score is None or not (0 <= band.min_score <= HUNDRED):
            errors.append(
                {
                    "field": "bands",
                    "row": n,
                    "column": "分数下限",
                    "message": f"第 {n} 档：分数下限须在 0–100 之间",
                }
            )
        elif previous is not None and band.min_score >= previous:
            errors.append(
                {
                    "field": "bands",
                    "row": n,
                    "column": "分数下限",
                    "message": f"第 {n} 档：分数下限须低于上一档（{previous}），请按从高到低填写",
                }
            )
        if band.fraction is None or not (0 <= band.fraction <= 1):
            errors.append(
                {
                    "field": "bands",
                    "row": n,
                    "column": "释放比例",
                    "message": f"第 {n} 档：释放比例须在 0–100% 之间",
                }
            )
        elif places(band.fraction) > 4:
            errors.append(
                {
                    "field": "bands",
                    "row": n,
                    "column": "释放比例",
                    "message": f"第 {n} 档：释放比例最多精确到 0.01%",
                }
            )
        if band.min_score is not None and 0 <= band.min_score <= HUNDRED:
            previous = band.min_score
    return errors


def days_problems(days: int | None) -> list[dict]:
    if days is None or not (0 <= days <= MAX_RELEASE_DAYS):
        return [
            {"field": "release_days", "message": f"释放期限须为 0–{MAX_RELEASE_DAYS} 天之间的整数"}
        ]
    return []


def terms_problems(terms: Terms) -> list[dict]:
    """Every problem of a set of terms (empty when they can be saved)."""
    errors = rate_problems(terms.deposit_rate)
    errors += instalment_problems(terms.instalments, terms.deposit_rate) if not errors else []
    errors += band_problems(terms.bands)
    errors += days_problems(terms.release_days)
    return errors


# --- arithmetic -------------------------------------------------------------------------------


def deposit_amount(fee: Decimal, rate_percent: Decimal) -> Decimal:
    """The quality deposit: fee × rate, half-up to the cent."""
    return q2(fee * rate_percent / HUNDRED)


def instalment_amounts(fee: Decimal, instalments: Sequence[Instalment]) -> list[Decimal]:
    """Each instalment's amount, half-up; the cent left over by rounding goes to the last
    instalment that is not the deposit (the deposit always equals fee × rate)."""
    amounts = [q2(fee * item.percent / HUNDRED) for item in instalments]
    gap = q2(fee) - sum(amounts, Decimal(0))
    if gap and amounts:
        others = [
            i for i, item in enumerate(instalments) if item.event != InstalmentEvent.deposit_release
        ]
        target = others[-1] if others else len(amounts) - 1
        amounts[target] += gap
    return amounts


def release_fraction(score: Decimal, bands: Iterable[Band]) -> Decimal:
    """The fraction released for a quality score: the first band whose lower bound it reaches."""
    for band in bands:
        if score >= band.min_score:
            return band.fraction
    return Decimal(0)


def release_amount(deposit: Decimal, fraction: Decimal) -> Decimal:
    """The part of the deposit released: deposit × fraction, half-up to the cent."""
    return q2(deposit * fraction)


def release_due(accepted_on: date, days: int) -> date:
    """The release is due `days` after acceptance."""
    return accepted_on + timedelta(days=days)


def triggered(
    event: str, *, signed: bool, plan_done: bool, report_approved: bool, rated: bool
) -> bool:
    """Whether the event that makes an instalment payable has happened."""
    return {
        InstalmentEvent.signing: signed,
        InstalmentEvent.plan_approved: plan_done,
        InstalmentEvent.report_approved: report_approved,
        InstalmentEvent.deposit_release: rated,
    }.get(event, False)


# --- JSON -------------------------------------------------------------------------------------


def instalments_to_json(instalments: Sequence[Instalment]) -> list[dict]:
    return [{"event": str(i.event), "percent": str(i.percent)} for i in instalments]


def instalments_from_json(rows: Iterable[dict] | None) -> list[Instalment]:
    return [
        Instalment(str(row.get("event", "")), as_decimal(row.get("percent")) or Decimal(0))
        for row in rows or []
    ]


def bands_to_json(bands: Sequence[Band]) -> list[dict]:
    return [{"min_score": str(b.min_score), "fraction": str(b.fraction)} for b in bands]


def bands_from_json(rows: Iterable[dict] | None) -> list[Band]:
    return [
        Band(
            as_decimal(row.get("min_score")) or Decimal(0),
            as_decimal(row.get("fraction")) or Decimal(0),
        )
        for row in rows or []
    ]


def terms_to_json(terms: Terms) -> dict:
    return {
        "instalments": instalments_to_json(terms.instalments),
        "deposit_rate": str(terms.deposit_rate),
        "bands": bands_to_json(terms.bands),
        "release_days": terms.release_days,
    }


def terms_from_json(data: dict | None) -> Terms:
    """Terms from stored JSON; missing keys fall back to the code defaults."""
    data = data or {}
    defaults = default_terms()
    rate = as_decimal(data.get("deposit_rate"))
    days = data.get("release_days")
    return Terms(
        instalments=instalments_from_json(data["instalments"])
        if "instalments" in data
        else defaults.instalments,
        deposit_rate=rate if rate is not None else defaults.deposit_rate,
        bands=bands_from_json(data["bands"]) if "bands" in data else defaults.bands,
        release_days=int(days) if isinstance(days, int) else defaults.release_days,
    )
