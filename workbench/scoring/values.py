"""Numbers as evaluators write them: '95%', '1/3', '1,200', '≥90%', '≤3天' (pure)."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from workbench.core.problems import FieldError, Invalid

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Comparison operators in the forms people type; NFKC already turns ＞＜＝ into ASCII.
_OPERATOR_SYMBOLS = {
    ">=": ">=",
    "≥": ">=",
    "≧": ">=",
    "=>": ">=",
    "<=": "<=",
    "≤": "<=",
    "≦": "<=",
    "=<": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
    "==": "=",
}
_OPERATOR_WORDS = {
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "大于等于": ">=",
    "至少": ">=",
    "不高于": "<=",
    "不超过": "<=",
    "不多于": "<=",
    "不大于": "<=",
    "小于等于": "<=",
    "至多": "<=",
    "高于": ">",
    "大于": ">",
    "低于": "<",
    "小于": "<",
    "等于": "=",
}
_OPERATOR_SUFFIXES = {"及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<="}
_OP_SYMBOL_RE = re.compile(r">=|=>|<=|=<|==|[≥≧≤≦<>=]")
_NUMBER_RE = re.compile(r"(?<![\d.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_PLAIN_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


class ParamError(Invalid):
    """A value or parameter that cannot be understood; the message is for the evaluator."""

    def __init__(self, message: str, *, field: str = "params"):
        super().__init__(message, [FieldError(message, field=field)])
        self.field = field


class ParsedValue(NamedTuple):
    """A 目标值/实际值 cell: the number, its comparison operator and the unit text after it."""

    value: Decimal
    op: str | None
    percent: bool
    unit: str


def q2(value: Decimal) -> Decimal:
    """Round half-up (四舍五入) to 2 places."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def clean(text: object) -> str:
    """NFKC-normalise (full-width → ASCII) and drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def parse_number(token: str, *, what: str = "数值", field: str = "params") -> Decimal:
    """Parse '95%', '0.95', '1/3', '-2' (already cleaned) into a Decimal."""
    text = token
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if text.count("/") == 1:
        top, bottom = text.split("/")
        if not (_PLAIN_RE.fullmatch(top) and _PLAIN_RE.fullmatch(bottom)):
            raise ParamError(f"{what}“{token}”不是有效的分数", field=field)
        if Decimal(bottom) == 0:
            raise ParamError(f"{what}“{token}”的分母不能为0", field=field)
        value = Decimal(top) / Decimal(bottom)
    elif _PLAIN_RE.fullmatch(text):
        value = Decimal(text)
    else:
        raise ParamError(f"{what}“{token}”不是有效的数字", field=field)
    return value.scaleb(-2) if percent else value


def _cell_number(value: object) -> Decimal | None:
    """A number typed into a spreadsheet cell (int, float, Decimal), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            # str() gives the shortest repr, so 0.912 stays 0.912 rather than 0.91200000000000003
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


@lru_cache(maxsize=8192)
def _parse_value_text(text: str, field: str) -> ParsedValue:
    cleaned = clean(text)
    if not cleaned:
        raise ParamError("数值为空", field=field)
    numbers = list(_NUMBER_RE.finditer(cleaned))
    if not numbers:
        raise ParamError(f"“{text}”中没有数字", field=field)
    if len(numbers) > 1:
        found = "、".join(m.group() for m in numbers)
        raise ParamError(f"“{text}”中有多个数字（{found}），无法确定取哪一个", field=field)
    match = numbers[0]
    head, tail = cleaned[: match.start()], cleaned[match.end() :]
    op = None
    symbols = _OP_SYMBOL_RE.findall(head)
    if symbols:
        op = _OPERATOR_SYMBOLS[symbols[-1]]
    else:
        op = next((o for w, o in _OPERATOR_WORDS.items() if head.endswith(w)), None)
    unit = tail
    for suffix, suffix_op in _OPERATOR_SUFFIXES.items():
        if tail.endswith(suffix):
            op = op or suffix_op
            unit = tail[: -len(suffix)]
            break
    token = match.group().replace(",", "")
    value = parse_number(token, what="数值", field=field)
    return ParsedValue(value, op, token.endswith("%"), unit)


def parse_value(text: object, *, field: str = "actual") -> ParsedValue:
    """Parse a 目标值/实际值 such as '95%', '1,200', '≥90%', '≤3天', '=8个', or a cell number."""
    number = _cell_number(text)
    if number is not None:
        return ParsedValue(number, None, False, "")
    if not isinstance(text, str):
        raise ParamError(f"“{text}”不是数值", field=field)
    return _parse_value_text(text, field)


def parse_decimal_cell(value: object, *, what: str, field: str, suffix: str = "") -> Decimal:
    """A plain number cell (分值, 得分): a cell number or text like '3' / '3分'."""
    number = _cell_number(value)
    if number is not None:
        return number
    text = clean(value)
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    if not _PLAIN_RE.fullmatch(text.replace(",", "")):
        raise ParamError(f"{what}“{value}”不是有效的数字", field=field)
    return Decimal(text.replace(",", ""))


def _as_fraction_text(value: Decimal) -> str | None:
    """'1/3' for a long repeating decimal that is k/n with a small n, else None."""
    for n in range(2, 101):
        k = (value * n).to_integral_value(rounding=ROUND_HALF_UP)
        if k and abs(value * n - k) < Decimal("1e-18"):
            return f"{k}/{n}"
    return None


def decimals(text: str) -> int:
    """How many digits follow the decimal point in plain number text."""
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def plain(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 200, 0.5, -1.25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0", "") else text


def format_number(value: Decimal) -> str:
    """Shortest plain text for a Decimal: 200 not 2E+2, 0.5 not 0.50, 1/3 for 0.333…."""
    text = plain(value)
    # Only a long tail (from dividing by 3, 7, …) can be a fraction worth writing as k/n.
    if decimals(text) >= 12:
        fraction = _as_fraction_text(value)
        if fraction:
            return fraction
    return text


def format_percent(value: Decimal) -> str:
    """A fraction as a percentage: 0.05 → '5%', 1/3 stays '1/3'."""
    if decimals(plain(value)) >= 12:
        fraction = _as_fraction_text(value)
        if fraction:
            return fraction
    return format_number(value.scaleb(2)) + "%"


def format_auto(value: Decimal) -> str:
    """Percent for values strictly between 0 and 1 (rates), plain text otherwise."""
    return format_percent(value) if 0 < abs(value) < 1 else format_number(value)
