"""The pure rules of what text and numbers can be stored (workbench.core.hygiene)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workbench.core.hygiene import (
    ILLEGAL_MESSAGE,
    INT_MAX,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    decimal_problem,
    find_problems,
    has_illegal,
    parse_int,
    strip_illegal,
)
from workbench.core.money import parse_decimal

ILLEGAL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f"]
ILLEGAL += ["\ud800", "\udbff", "\udc00", "\udfff", "\ufffe", "\uffff"]
# Legal in XML 1.0 and kept: tab, line feed, carriage return, DEL, bidi and zero-width marks.
LEGAL = ["\t", "\n", "\r", "\x7f", "\u202e", "\u200b", "\ufeff", "\ufffd", "\U0001f600", "中"]


@pytest.mark.parametrize("char", ILLEGAL, ids=lambda c: f"U+{ord(c):04X}")
def test_illegal_characters_are_found_and_stripped(char):
    text = f"甲{char}乙"
    assert has_illegal(text)
    assert strip_illegal(text) == "甲乙"


@pytest.mark.parametrize("char", LEGAL, ids=lambda c: f"U+{ord(c):04X}")
def test_legal_characters_are_kept(char):
    text = f"甲{char}乙"
    assert not has_illegal(text)
    assert strip_illegal(text) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        (" 7 ", 7),
        (str(INT_MAX), INT_MAX),
        (str(INT_MAX + 1), None),
        ("9" * 5000, None),  # beyond Python's int-from-text limit: None, not ValueError
        ("²", None),  # isdigit() says yes, int() says no
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_int_takes_only_what_a_column_holds(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (Decimal("NaN"), NOT_A_NUMBER),
        (Decimal("sNaN"), NOT_A_NUMBER),
        (Decimal("-Infinity"), NOT_A_NUMBER),
        (Decimal("1e14"), OUT_OF_RANGE),
        (Decimal("-1e14"), OUT_OF_RANGE),
        (Decimal("1e999999999"), OUT_OF_RANGE),  # abs() would overflow the context here
        (Decimal("99999999999999.9999"), None),
        (Decimal("-3.5"), None),
    ],
)
def test_decimal_problem(value, problem):
    assert decimal_problem(value) == problem


def test_find_problems_names_the_path_of_each_value_and_key():
    data = {
        "title": "好",
        "items": ["ok", "坏\x00"],
        "键\ufffe": 1,
        "count": 2**64,
        "ratio": float("inf"),
        "amount": Decimal("NaN"),
        "flag": True,
    }
    assert find_problems(data) == [
        (("items", 1), ILLEGAL_MESSAGE),
        (("键",), ILLEGAL_MESSAGE),
        (("count",), OUT_OF_RANGE),
        (("ratio",), NOT_A_NUMBER),
        (("amount",), NOT_A_NUMBER),
    ]


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "1e30", "1e999999999"])
def test_parse_decimal_refuses_what_no_column_holds(text):
    with pytest.raises(ValueError, match=text):
        parse_decimal(text)
