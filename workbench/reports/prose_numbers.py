"""Numbers as a report sentence writes them (pure): thousands separators, 元 to 2 places, 不低于.

The scoring engine's explanation keeps the arithmetic ("4 × min(3702.5 ÷ 3860, 1)"); a report
reader gets "3,702.50万元" and "不低于52,000人".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from workbench.scoring.values import ParamError, ParsedValue, parse_value

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# A comparison written in a target, as words.
OP_WORDS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "=": ""}
_OP_SYMBOLS = re.compile(r"(≥|>=|≤|<=|＞|＜|>|<|＝|=)")
_SYMBOL_WORDS = {
    "≥": "不低于",
    ">=": "不低于",
    "≤": "不高于",
    "<=": "不高于",
    "＞": "高于",
    ">": "高于",
    "＜": "低于",
    "<": "低于",
    "＝": "",
    "=": "",
}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def number(value: Decimal, unit: str = "") -> str:
    """52000 → '52,000'; money (a unit with 元) always with 2 places: '3,702.50'."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if "元" in unit:
        return f"{rounded:,.2f}"
    text = f"{rounded:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(fraction: Decimal) -> str:
    """A computed rate to 2 places: 0.959197 → '95.92%'."""
    return f"{(fraction * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP):.2f}%"


def share(fraction: Decimal) -> str:
    """A parameter such as 5% or 1/3 of the weight: '5%', '33.33%', '80%' (no padding zeros)."""
    return number(fraction * HUNDRED) + "%"


def points(value: Decimal) -> str:
    """Points lost or given, without padding zeros: 1 → '1', 0.5 → '0.5'."""
    return number(value)


def parsed(text: str, *, field: str = "actual") -> ParsedValue | None:
    """The number in a 目标值/实际值 text, or None when it holds none (or several)."""
    if not text or not str(text).strip():
        return None
    try:
        return parse_value(str(text), field=field)
    except ParamError:
        return None


def quantity(text: str, *, words: bool = True) -> str:
    """A written 目标值/实际值 for a sentence: separators added, ≥ as 不低于 (or dropped)."""
    cleaned = str(text).strip()
    if not cleaned:
        return ""
    value = parsed(cleaned)
    if value is not None and not value.percent:
        match = _NUMBER.search(cleaned)
        if match:
            formatted = number(value.value, value.unit)
            cleaned = cleaned[: match.start()] + formatted + cleaned[match.end() :]
    return _OP_SYMBOLS.sub(lambda m: _SYMBOL_WORDS[m.group()] if words else "", cleaned, count=1)


def same_kind(value: Decimal, like: ParsedValue | None, *, as_percent: bool) -> str:
    """A computed value in the way its indicator writes numbers (percent or with the unit)."""
    if as_percent:
        return number(value * HUNDRED) + "%"
    return number(value, like.unit if like else "") + (like.unit if like else "")


def gap(value: Decimal, like: ParsedValue | None, *, as_percent: bool) -> str:
    """A difference: percentage points for rates, the unit otherwise."""
    if as_percent:
        return number(value * HUNDRED) + "个百分点"
    return same_kind(value, like, as_percent=False)
