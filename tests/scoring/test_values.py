"""Numbers as evaluators write them: parse_value, parse_number and the formatters."""

from decimal import Decimal

import pytest

from workbench.scoring.params import ParamError, parse_value
from workbench.scoring.values import (
    format_auto,
    format_number,
    format_percent,
    parse_decimal_cell,
    parse_number,
    q2,
)


@pytest.mark.parametrize(
    ("text", "value", "op", "unit"),
    [
        ("95%", "0.95", None, ""),
        ("0.95", "0.95", None, ""),
        ("1,200", "1200", None, ""),
        ("≥90%", "0.9", ">=", ""),
        ("≤3天", "3", "<=", "天"),
        ("=8个", "8", "=", "个"),
        (">=52,000人", "52000", ">=", "人"),
        ("提升≥3个百分点", "3", ">=", "个百分点"),
        ("3,702.5万元", "3702.5", None, "万元"),
        ("90%以上", "0.9", ">=", ""),
        ("3天以内", "3", "<=", "天"),
        ("不低于85%", "0.85", ">=", ""),
        ("不超过5元", "5", "<=", "元"),
        ("＞９０％", "0.9", ">", ""),
        ("１，２００", "1200", None, ""),
        (" 9 5 % ", "0.95", None, ""),
        ("-5%", "-0.05", None, ""),
    ],
)
def test_parse_value_reads_number_operator_and_unit(text, value, op, unit):
    parsed = parse_value(text)
    assert parsed.value == Decimal(value)
    assert parsed.op == op
    assert parsed.unit == unit


def test_parse_value_accepts_cell_numbers():
    assert parse_value(0.912).value == Decimal("0.912")
    assert parse_value(200).value == Decimal(200)
    assert parse_value(Decimal("1.5")).value == Decimal("1.5")
    assert parse_value(0.1 + 0.2).value == Decimal("0.30000000000000004")


def test_parse_value_percent_flag():
    assert parse_value("95%").percent is True
    assert parse_value("0.95").percent is False


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("很多", "没有数字"),
        ("180-200天", "多个数字"),
        ("2023年完成95%", "多个数字"),
        ("", "为空"),
        ("   ", "为空"),
    ],
)
def test_parse_value_refuses_unclear_text(text, fragment):
    with pytest.raises(ParamError) as info:
        parse_value(text, field="target")
    assert fragment in info.value.message
    assert info.value.field == "target"


def test_parse_value_refuses_non_numbers():
    with pytest.raises(ParamError):
        parse_value(object())


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("95%", "0.95"),
        ("0.95", "0.95"),
        ("1/3", None),
        ("1/4", "0.25"),
        ("-2", "-2"),
        (".5", "0.5"),
    ],
)
def test_parse_number(token, value):
    expected = Decimal(1) / Decimal(3) if value is None else Decimal(value)
    assert parse_number(token) == expected


@pytest.mark.parametrize("token", ["abc", "1/0", "1/x", "1e5", "NaN", "Infinity", "5%%", ""])
def test_parse_number_refuses(token):
    with pytest.raises(ParamError):
        parse_number(token)


def test_parse_decimal_cell():
    assert parse_decimal_cell(3, what="分值", field="weight") == Decimal(3)
    assert parse_decimal_cell("3分", what="分值", field="weight", suffix="分") == Decimal(3)
    assert parse_decimal_cell(" 2.5 ", what="得分", field="score") == Decimal("2.5")
    with pytest.raises(ParamError) as info:
        parse_decimal_cell("三分", what="分值", field="weight")
    assert "分值“三分”不是有效的数字" in info.value.message


def test_q2_rounds_half_up_not_half_even():
    assert q2(Decimal("2.625")) == Decimal("2.63")
    assert q2(Decimal("2.635")) == Decimal("2.64")
    assert q2(Decimal("3.3375")) == Decimal("3.34")
    assert q2(Decimal("0.005")) == Decimal("0.01")


def test_formatting():
    assert format_number(Decimal("2E+2")) == "200"
    assert format_number(Decimal("0.50")) == "0.5"
    assert format_number(Decimal(1) / Decimal(3)) == "1/3"
    assert format_number(Decimal(2) / Decimal(3)) == "2/3"
    assert format_number(Decimal("-0")) == "0"
    assert format_percent(Decimal("0.05")) == "5%"
    assert format_percent(Decimal("0.875")) == "87.5%"
    assert format_percent(Decimal(1) / Decimal(3)) == "1/3"
    assert format_auto(Decimal("0.95")) == "95%"
    assert format_auto(Decimal(200)) == "200"
    assert format_auto(Decimal(1)) == "1"
