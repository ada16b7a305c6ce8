"""Reading a filled-in table (core.spreadsheet.table_read), pure: headers, kinds, problems."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from workbench.core.spreadsheet import Field, as_text, from_text
from workbench.core.spreadsheet.table_read import (
    MAX_ROWS,
    CellError,
    parse_cell,
    read_rows,
    read_table,
)

FIELDS = [
    Field("name", "名称", required=True, max_length=10),
    Field("count", "份数", "integer"),
    Field("amount", "金额（元）", "decimal", aliases=("金额",)),
    Field("due", "截止日期", "date"),
    Field("kind", "类别", "choice", choices={"资金类": "fund", "管理类": "manage"}),
    Field("done", "是否完成", "bool"),
]


def test_headers_in_any_order_spacing_and_brackets_ignored_extra_columns_named():
    rows = [
        [None, None],  # leading blank rows before the header
        ["备注", "是否完成", " 金额(元) ", "名 称*", "类别"],
        ["x", "是", "1,234.50", "甲", "管理类"],
        [None, None, None, None, None],
        ["y", "否", 3, "乙", "fund"],
    ]
    read = read_rows(rows, FIELDS)
    assert read.problems == [] and read.ignored == ["备注"]
    assert [r.row for r in read.rows] == [3, 5]
    first, second = (r.values for r in read.rows)
    assert first == {"name": "甲", "count": None, "amount": Decimal("1234.50"), "due": None,
                     "kind": "manage", "done": True}  # fmt: skip
    assert second["amount"] == Decimal(3) and second["kind"] == "fund" and second["done"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 3, 31, 0, 0), date(2026, 3, 31)),
        ("2026-03-31", date(2026, 3, 31)),
        ("2026/3/31", date(2026, 3, 31)),
        ("2026.3.31", date(2026, 3, 31)),
        ("2026年3月31日", date(2026, 3, 31)),
    ],
)
def test_dates_as_people_write_them(value, expected):
    assert parse_cell(FIELDS[3], value) == expected


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (FIELDS[0], None, "必填，不能为空"),
        (FIELDS[0], "十一个字的名称超过上限", "不能超过 10 个字（现有 11 个）"),
        (FIELDS[1], "3.5", "应为整数，现为“3.5”"),
        (FIELDS[1], True, "应为整数"),
        (FIELDS[2], "一千", "应为数字，现为“一千”"),
        (FIELDS[2], "NaN", "应为数字，现为“NaN”"),
        (FIELDS[3], "2026-02-30", "应为日期（如 2026-03-31），现为“2026-02-30”"),
        (FIELDS[3], "下周", "应为日期"),
        (FIELDS[4], "其他", "应为“资金类”、“管理类”之一，现为“其他”"),
        (FIELDS[5], "也许", "应为“是”或“否”，现为“也许”"),
    ],
)
def test_a_cell_that_does_not_fit_says_what_is_expected(spec, value, message):
    with pytest.raises(CellError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_cell(spec, value)


def test_problems_name_row_and_column_and_keep_good_rows_apart():
    read = read_rows([["名称", "份数"], ["甲", "两份"], ["乙", 2]], FIELDS)
    assert [p.text for p in read.problems] == ["第2行“份数”列：应为整数，现为“两份”"]
    assert [r.row for r in read.rows] == [3]


def test_the_file_level_problems():
    assert read_rows([], FIELDS).problems[0].text.startswith("表格是空的")
    assert "缺少必填列“名称”" in read_rows([["份数"], [1]], FIELDS).problems[0].text
    twice = read_rows([["名称", "金额", "金额（元）"], ["甲", 1, 2]], FIELDS).problems[0].text
    assert twice == "“金额（元）”列出现了两次（B列和C列），请只保留一列"
    assert read_rows([["名称"]], FIELDS).problems[0].text == "第1行列名之下没有数据"
    many = [["名称"]] + [["甲"]] * (MAX_ROWS + 1)
    assert f"一次最多导入 {MAX_ROWS} 行" in read_rows(many, FIELDS).problems[0].text


def test_rows_survive_the_trip_through_plain_text():
    read = read_rows(
        [["名称", "份数", "金额", "截止日期", "类别", "是否完成"],
         ["甲", 2, "12.30", "2026-03-31", "资金类", "是"]],
        FIELDS,
    )  # fmt: skip
    again = from_text(as_text(read.rows, FIELDS), FIELDS)
    assert again.problems == [] and again.rows == read.rows


def test_a_percent_formatted_cell_reads_as_the_user_sees_it():
    """Excel keeps 95% as 0.95 formatted 0%: a text field gets “95%”, a number field 0.95."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["指标", "指标值", "比例"])
    for name, value, fmt in [
        ("达标率", 0.95, "0%"),
        ("覆盖率", 0.955, "0.0%"),
        ("人数", 52000, "#,##0"),
    ]:
        sheet.append([name, value, value])
        sheet.cell(sheet.max_row, 2).number_format = fmt
        sheet.cell(sheet.max_row, 3).number_format = fmt
    buffer = BytesIO()
    book.save(buffer)
    fields = [Field("name", "指标"), Field("value", "指标值"), Field("share", "比例", "decimal")]
    found = read_table(buffer.getvalue(), filename="目标.xlsx", fields=fields)
    assert found.problems == []
    assert [(r.values["value"], r.values["share"]) for r in found.rows] == [
        ("95%", Decimal("0.95")), ("95.5%", Decimal("0.955")), ("52000", Decimal("52000")),
    ]  # fmt: skip
