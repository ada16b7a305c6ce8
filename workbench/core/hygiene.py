"""Characters no stored text may hold, and the numbers the database cannot hold. (pure)

Pure: imports neither Flask nor the session. NUL, the other C0 controls except tab, line feed and
carriage return, U+FFFE/U+FFFF and lone surrogates are illegal in XML, so a value holding one
would break every .docx/.xlsx written from it later; PostgreSQL refuses NUL outright.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ILLEGAL_MESSAGE = "含有不允许的控制字符"
NOT_A_NUMBER = "请输入有效的数字"
OUT_OF_RANGE = "数值超出允许范围"

# An INTEGER column: 32-bit on PostgreSQL (64-bit on SQLite); ids and versions are INTEGER.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Decimal columns are Numeric(18, 2) or Numeric(18, 4): fourteen digits before the point fit both.
DECIMAL_LIMIT = Decimal("1e14")


def has_illegal(text: str) -> bool:
    """Whether the text holds a character no stored text may hold."""
    return ILLEGAL.search(text) is not None


def strip_illegal(text: str) -> str:
    """The text without the characters no stored text may hold."""
    return ILLEGAL.sub("", text)


def int_in_range(value: int) -> bool:
    """Whether an integer fits an INTEGER column on every database."""
    return INT_MIN <= value <= INT_MAX


def parse_int(text: str | None) -> int | None:
    """Digits typed by a user as an int an INTEGER column holds; None for anything else."""
    raw = (text or "").strip()
    if not raw.isdecimal() or len(raw) > 20:  # isdecimal, not isdigit: int("²") fails
        return None
    value = int(raw)
    return value if int_in_range(value) else None


def decimal_problem(value: Decimal) -> str | None:
    """Why a Decimal cannot be stored (NaN, infinity, too large), or None."""
    if not value.is_finite():
        return NOT_A_NUMBER
    if value.copy_abs() >= DECIMAL_LIMIT:  # copy_abs: abs() would overflow on 1e999999999
        return OUT_OF_RANGE
    return None


def value_problem(value: Any) -> str | None:
    """Why one submitted scalar cannot be stored, or None (containers: see find_problems)."""
    if isinstance(value, str):
        return ILLEGAL_MESSAGE if has_illegal(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if int_in_range(value) else OUT_OF_RANGE
    if isinstance(value, Decimal):
        return decimal_problem(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return NOT_A_NUMBER
        return None if INT_MIN <= value <= INT_MAX else OUT_OF_RANGE
    return None


def find_problems(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every (path, message) in a nested value (JSON body, form data), keys included."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            problem = value_problem(key)
            if problem:
                found.append(((*path, strip_illegal(str(key))), problem))
            found.extend(find_problems(item, (*path, key)))
        return found
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in find_problems(item, (*path, index))]
    problem = value_problem(value)
    return [(path, problem)] if problem else []
