"""Hostile indicator sheets through the page and the API: a clear message, and nothing imported."""

from __future__ import annotations

import io
from functools import cache

import pytest

from tests.core import spreadsheet_files as files
from tests.indicators.helpers import HEADER, audits, indicators_of, new_engagement, small_tree, xlsx
from workbench.indicators.sheet_file import SHEET_LIMITS

BUILD = files.hostile([("指标体系", [HEADER, *small_tree()])], SHEET_LIMITS)
# What the user is told about each file (the upload check speaks first for disguised files).
EXPECTED = {
    **files.DISGUISED,
    "zip bomb (ratio)": "压缩比",
    "zip bomb (declared size)": "解压后大小为 51 MB，超过上限 50 MB（疑似压缩炸弹）",
    "zip bomb (lying size)": "实际内容比声明的大小多",
    "duplicate zip members": "重名",
    "encrypted zip member": "设置了密码",
    "too many sheets": "工作簿有 21 个工作表，超过上限 20 个",
    "forged dimension": "声明的数据范围为 A1:XFD1048576（1048576 行 × 16384 列）",
    "far corner cell": "第1048576行 XFD列有内容，超出了允许的范围（最多 5000 行、100 列）",
    "too many rows": "第5001行 A列有内容，超出了允许的范围",
    "too many columns": "第5行 CW列有内容，超出了允许的范围",
    "area too large": "数据区域约 2010 行 × 100 列，超过上限 200000 个单元格",
    "cells without references": "第5行 CW列有内容",
    "fake end of data": "第5005行 A列有内容",
    "merged cells past the sheet": "合并单元格“A1:XFD1048576”超出了允许的范围",
    "merged cells by the thousand": "合并单元格超过 10000 处",
    "100 KB cell": "第5行 B列的内容长达 100000 个字符，超过单元格上限 32767 个字符",
    "huge shared string": "第5行 B列的内容长达 32768 个字符",
    "NUL in a cell": "第5行 B列含有不可见的控制字符（U+0000）",
    "U+FFFE in a cell": "第5行 C列含有不可见的控制字符（U+FFFE）",
}
CASES = [name for name in BUILD if name in EXPECTED]


@cache
def hostile(name: str) -> bytes:
    return BUILD[name]()


@pytest.fixture()
def tree(db, demo):
    """An engagement whose tree holds the three-leaf small tree."""
    engagement = new_engagement(db, demo)
    from workbench.indicators import transfer

    transfer.import_sheet(
        db, actor=demo.users["demo-lead"], engagement=engagement, filename="t.xlsx",
        data=xlsx(small_tree()),
    )  # fmt: skip
    db.flush()
    return engagement


def _state(db, engagement) -> tuple:
    leaves = [(i.name, i.weight, i.definition) for i in indicators_of(db, engagement)]
    return leaves, len(audits(db, "indicators.import", engagement))


def test_every_attack_is_covered():
    assert len(CASES) == len(EXPECTED) >= 20


@pytest.mark.parametrize("name", CASES)
def test_page_refuses_hostile_files_and_keeps_the_tree(login, db, tree, name):
    before = _state(db, tree)
    r = login("demo-lead").post(
        f"/engagements/{tree.id}/indicators/import",
        data={"file": (io.BytesIO(hostile(name)), "指标表.xlsx")},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422, name
    assert "未导入任何内容" in page and EXPECTED[name] in page, page[page.find("import-errors") :][
        :900
    ]
    assert _state(db, tree) == before


@pytest.mark.parametrize("name", CASES)
def test_api_refuses_hostile_files_with_the_error_shape(client, db, demo, tree, token_for, name):
    before = _state(db, tree)
    r = client.put(
        f"/api/v1/engagements/{tree.id}/indicators",
        data={"file": (io.BytesIO(hostile(name)), "指标表.xlsx")},
        content_type="multipart/form-data",
        headers=token_for(demo.users["demo-lead"]),
    )
    assert r.status_code == 422, name
    body = r.get_json()
    assert "未导入任何内容" in body["error"]
    assert any(EXPECTED[name] in e["message"] for e in body["errors"]), body["errors"]
    assert all({"row", "column", "message"} <= set(e) for e in body["errors"])
    assert _state(db, tree) == before


def test_formulas_import_their_saved_values_and_say_which_cells(login, db, tree):
    rows = small_tree()
    data = files.package(
        [
            (
                "指标体系",
                files.sheet_xml(
                    files.rows_xml([HEADER, *rows[:2]])
                    + '<row r="4"><c r="A4" t="inlineStr"><is><t>效益</t></is></c>'
                    '<c r="B4" t="inlineStr"><is><t>满意度</t></is></c>'
                    '<c r="C4" t="inlineStr"><is><t>满意度</t></is></c>'
                    '<c r="D4"><f>100-D2-D3</f><v>30</v></c>'
                    '<c r="E4" t="inlineStr"><is><t>ratio</t></is></c>'
                    '<c r="G4" t="inlineStr"><is><t>100%</t></is></c>'
                    '<c r="H4" t="str"><f>"9"&amp;"0%"</f><v>90%</v></c></row>'
                ),
            )
        ]
    )
    r = login("demo-lead").post(
        f"/engagements/{tree.id}/indicators/import",
        data={"file": (io.BytesIO(data), "公式.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = r.get_data(as_text=True)
    assert "第4行“分值”列是公式：已按 Excel 保存的计算结果导入" in page
    assert "第4行“实际值”列是公式：已按 Excel 保存的计算结果导入" in page
    leaf = {i.name: i for i in indicators_of(db, tree)}["满意度"]
    assert (str(leaf.weight), leaf.actual) == ("30.00", "90%")


def test_a_formula_without_a_saved_value_reads_as_blank_and_is_refused_there(
    client, db, demo, tree, token_for
):
    rows = small_tree()
    sheet = files.rows_xml([HEADER, *rows[:2]]) + (
        '<row r="4"><c r="A4" t="inlineStr"><is><t>效益</t></is></c>'
        '<c r="B4" t="inlineStr"><is><t>满意度</t></is></c>'
        '<c r="C4" t="inlineStr"><is><t>满意度</t></is></c><c r="D4"><f>100-D2-D3</f></c></row>'
    )
    before = _state(db, tree)
    r = client.put(
        f"/api/v1/engagements/{tree.id}/indicators",
        data={
            "file": (io.BytesIO(files.package([("指标体系", files.sheet_xml(sheet))])), "a.xlsx")
        },
        content_type="multipart/form-data",
        headers=token_for(demo.users["demo-lead"]),
    )
    assert r.status_code == 422
    assert {
        "row": 4,
        "column": "分值",
        "message": "第4行“分值”列：分值为空",
    }.items() <= r.get_json()["errors"][0].items()
    assert _state(db, tree) == before


def test_the_upload_is_read_once(db, demo, monkeypatch):
    from workbench.indicators import sheet_file, transfer

    calls = []
    real = sheet_file.read_workbook
    monkeypatch.setattr(sheet_file, "read_workbook", lambda **kw: calls.append(1) or real(**kw))
    engagement = new_engagement(db, demo)
    rows = [[*row, "要点", "行业标准", "年报"] for row in small_tree()]
    data = xlsx(rows, header=[*HEADER, "评价要点", "标准类型", "数据来源"])
    transfer.import_sheet(
        db, actor=demo.users["demo-lead"], engagement=engagement, filename="t.xlsx", data=data
    )
    assert calls == [1]
    assert {i.standard_type for i in indicators_of(db, engagement)} == {"行业标准"}
