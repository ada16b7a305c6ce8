"""Hostile Excel packs through the import page: a clear message, and nothing imported."""

from __future__ import annotations

import io
from functools import cache

import pytest

from tests.core import spreadsheet_files as files
from tests.library.library_helpers import counts
from workbench.library.pack_excel import COLUMNS, PACK_LIMITS, SHEET_INDICATORS, SHEET_META

LEAF = ["产出", "产出数量", "生均公用经费保障率", "funding_rate", "实际拨付÷基准定额", "核实定额",
        "拨付凭证", "行业标准", "ratio", None, 5, "100%"]  # fmt: skip
META = [
    ["项目", "内容", "字段"],
    ["指标包代码", "edu_hostile", "key"],
    ["指标包名称", "教育演示", "name"],
    ["类型", "个性", "kind"],
    ["适用评价类型", "project", "engagement_types"],
]
BUILD = files.hostile(
    [(SHEET_INDICATORS, [list(COLUMNS), LEAF + [None] * 4]), (SHEET_META, META)], PACK_LIMITS
)
EXPECTED = {
    **files.DISGUISED,
    "zip bomb (ratio)": "压缩比",
    "zip bomb (declared size)": "解压后大小为 101 MB，超过上限 100 MB（疑似压缩炸弹）",
    "zip bomb (lying size)": "实际内容比声明的大小多",
    "duplicate zip members": "重名",
    "encrypted zip member": "设置了密码",
    "too many sheets": "工作簿有 21 个工作表，超过上限 20 个",
    "forged dimension": "声明的数据范围为 A1:XFD1048576",
    "far corner cell": "第1048576行 XFD列有内容，超出了允许的范围（最多 10000 行、100 列）",
    "too many rows": "第10001行 A列有内容",
    "too many columns": "第3行 CW列有内容",
    "area too large": "数据区域约 3010 行 × 100 列，超过上限 300000 个单元格",
    "cells without references": "第3行 CW列有内容",
    "fake end of data": "第10005行 A列有内容",
    "merged cells past the sheet": "合并单元格“A1:XFD1048576”超出了允许的范围",
    "merged cells by the thousand": "合并单元格超过 10000 处",
    "100 KB cell": "第3行 B列的内容长达 100000 个字符",
    "huge shared string": "第3行 B列的内容长达 32768 个字符",
    "NUL in a cell": "第3行 B列含有不可见的控制字符（U+0000）",
    "U+FFFE in a cell": "第3行 C列含有不可见的控制字符（U+FFFE）",
    "formula": "工作表“指标”第3行 P列的单元格含有公式",
}


@cache
def hostile(name: str) -> bytes:
    return BUILD[name]()


def test_every_attack_is_covered_and_the_base_pack_imports():
    assert set(EXPECTED) == set(BUILD) and len(EXPECTED) >= 20
    from workbench.library.packs import import_excel

    assert import_excel(_valid()).key == "edu_hostile"


def _valid() -> bytes:
    return files.package(
        [
            (SHEET_INDICATORS, files.sheet_xml(files.rows_xml([list(COLUMNS), LEAF]))),
            (SHEET_META, files.sheet_xml(files.rows_xml(META))),
        ]
    )


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_packs_are_refused_and_nothing_is_imported(login, demo, db, name):
    before = counts(db)
    page = login("demo-admin").post(
        "/library/import",
        data={"file": (io.BytesIO(hostile(name)), "指标包.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    assert EXPECTED[name] in text, text[text.find("alert") : text.find("alert") + 900]
    assert counts(db) == before
