"""Field values: each type validated, Decimal money, errors naming field, row and column."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.fieldwork.spec import shipped_templates
from workbench.fieldwork.values import (
    as_text,
    clean_values,
    form_to_raw,
    initial_values,
    missing_required,
    parse_date,
    parse_number,
    table_view,
)

FINANCE = shipped_templates()["financial_check"].fields
SITE = shipped_templates()["site_visit"].fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,200.50", Decimal("1200.50")),
        ("１２００", Decimal(1200)),
        ("¥3,000元", Decimal(3000)),
        ("", None),
        (None, None),
    ],
)
def test_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "NaN", "Infinity", "1e20"])
def test_bad_numbers(text):
    with pytest.raises(ValueError, match="不是有效的数字"):
        parse_number(text)


@pytest.mark.parametrize("text", ["2025-03-08", "2025/3/8", "2025年3月8日", "２０２５-03-08"])
def test_dates(text):
    assert parse_date(text) == date(2025, 3, 8)


@pytest.mark.parametrize("text", ["2025-02-30", "08/03/2025", "明天"])
def test_bad_dates(text):
    with pytest.raises(ValueError, match="不是有效的日期"):
        parse_date(text)


def test_money_is_stored_as_two_place_decimal_strings_and_blank_rows_dropped():
    values, errors = clean_values(
        FINANCE,
        {
            "check_date": "2025/3/8",
            "funds": [
                {
                    "year": "2025",
                    "source": "中央财政",
                    "budget": "8,000,000",
                    "available": "8000000",
                    "spent": "7600000.005",
                },
                {"year": "", "source": "", "budget": "", "available": "", "spent": ""},
            ],
            "conclusion": "到位率 96%",
        },
    )
    assert errors == []
    assert values["check_date"] == "2025-03-08"
    assert values["funds"] == [
        {
            "year": "2025",
            "source": "中央财政",
            "budget": "8000000.00",
            "available": "8000000.00",
            "spent": "7600000.01",
            "note": "",
        }
    ]


def test_errors_name_field_row_and_column():
    _values, errors = clean_values(
        FINANCE,
        {
            "check_date": "昨天",
            "funds": [{"year": "2025", "budget": "100"}, {"source": "外星财政", "spent": "很多"}],
            "ghost": "x",
        },
    )
    messages = [e["message"] for e in errors]
    assert any(m.startswith("模板中没有字段“ghost”") for m in messages)
    assert any("“核查日期”：“昨天”不是有效的日期" in m for m in messages)
    cell = [e for e in errors if e.get("row") == 2]
    assert {e["column"] for e in cell} == {"资金来源", "支出数"}
    assert "表格“预算与支出（按资金来源和年度）”第2行“支出数”：“很多”不是有效的数字" in messages


def test_text_refuses_control_characters_and_overlong_lines():
    _v, errors = clean_values(SITE, {"site": "a\x07b", "inspectors": "x" * 501})
    assert [e["field"] for e in errors] == ["f-site", "f-inspectors"]
    assert "控制字符" in errors[0]["message"] and "500" in errors[1]["message"]


def test_required_fields_are_enforced_only_when_signing():
    values, errors = clean_values(SITE, {"site": "第一中心小学"})
    assert errors == []
    assert missing_required(SITE, values) == ["核查日期", "核查结论"]


def test_table_view_computes_ratios_and_totals():
    funds = {f.key: f for f in FINANCE}["funds"]
    rows = [
        {
            "year": "2025",
            "source": "中央财政",
            "budget": "8000000.00",
            "available": "8000000.00",
            "spent": "7600000.00",
        },
        {
            "year": "2025",
            "source": "市级财政",
            "budget": "4500000.00",
            "available": "4000000.00",
            "spent": "3602000.00",
        },
    ]
    view = table_view(funds, rows)
    assert view["rows"][0][2:7] == [
        "8,000,000.00",
        "8,000,000.00",
        "7,600,000.00",
        "100.00%",
        "95.00%",
    ]
    assert view["totals"][:7] == [
        "合计",
        "",
        "12,500,000.00",
        "12,000,000.00",
        "11,202,000.00",
        "96.00%",
        "93.35%",
    ]
    assert "执行率：93.35%" in as_text(funds, rows)


def test_form_input_becomes_raw_values():
    form = {
        "f-site": "小学",
        "f-items-0-item": "卫生",
        "f-items-2-item": "台账",
        "f-items-2-conclusion": "相符",
        "f-items-x-item": "?",
    }
    raw = form_to_raw(SITE, form)
    assert raw["site"] == "小学" and raw["visit_date"] == ""
    assert raw["items"] == [{"item": "卫生"}, {"item": "台账", "conclusion": "相符"}]


def test_initial_values_use_defaults_and_prefilled_rows():
    values = initial_values(shipped_templates()["review_record"].fields)
    assert len(values["items"]) == 6 and values["items"][0] == {"item": "底稿索引号和名称完整"}


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=4))
def test_money_round_trips_half_up(value):
    field = {f.key: f for f in FINANCE}["funds"]
    values, errors = clean_values((field,), {"funds": [{"budget": str(value)}]})
    assert errors == []
    stored = Decimal(values["funds"][0]["budget"]) if values["funds"] else Decimal(0)
    from decimal import ROUND_HALF_UP

    assert stored == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
