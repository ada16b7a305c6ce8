"""A list page as a sheet (`table_workbook`): headers, formats, stored text kept as text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from workbench.core.spreadsheet import Column, headers, table_workbook

COLUMNS = [
    Column("名称", 30, "wrap"),
    Column("日期", 12, "date"),
    Column("时间", 16, "datetime"),
    Column("金额（元）", 14, "money"),
    Column("份数", 8, "number"),
]


def test_a_table_reads_back_as_written_with_the_pages_look():
    rows = [
        ["=HYPERLINK(\"http://x\")", date(2026, 3, 1), datetime(2026, 3, 1, 9, 30),
         Decimal("1234.5"), 3],
        ["第二行\n换行", None, None, None, 0],
    ]  # fmt: skip
    book = load_workbook(BytesIO(table_workbook("清单", COLUMNS, rows)))
    assert book.sheetnames == ["清单"]
    sheet = book["清单"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == headers(COLUMNS)
    assert values[1][0] == '=HYPERLINK("http://x")'  # text, not a formula
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert values[1][1] == datetime(2026, 3, 1) and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert values[1][3] == 1234.5 and sheet["D2"].number_format == "#,##0.00"
    assert values[2][0] == "第二行\n换行" and sheet["A3"].alignment.wrap_text
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert sheet.column_dimensions["A"].width == 30


def test_an_empty_table_is_its_header():
    sheet = load_workbook(BytesIO(table_workbook("清单", COLUMNS, [])))["清单"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [headers(COLUMNS)]


def test_a_row_of_the_wrong_length_is_a_programming_error():
    with pytest.raises(ValueError, match="row of 2 values for 5 columns"):
        table_workbook("清单", COLUMNS, [["a", None]])
