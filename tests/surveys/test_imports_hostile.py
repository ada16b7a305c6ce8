"""Hostile 问卷星 files through the API and the page: a clear message, and nothing stored."""

from __future__ import annotations

import io
from functools import cache

import pytest
from sqlmodel import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.core import spreadsheet_files as files
from tests.surveys.helpers import count_imports, count_responses, make_survey
from tests.surveys.test_wjx_bad_files import sample_rows
from workbench.core.storage import Blob
from workbench.surveys.imports import DEFAULT_LIMITS

BUILD = {
    **files.hostile([("Sheet1", sample_rows())], DEFAULT_LIMITS.sheet_limits()),
    "password-protected xls": files.encrypted_xls,
    "word document named .xls": files.word_97,
}
NAMES = {"password-protected xls": "答卷.xls", "word document named .xls": "答卷.xls"}
# (message fragment, row, column) of the first error
EXPECTED = {
    "truncated zip": ("xlsx 文件不完整或已损坏", None, None),
    "zip that is no workbook": ("文件是压缩包但不是 Excel 工作簿", None, None),
    "docx renamed": ("文件是Word 文档（.docx），不是 Excel 工作簿", None, None),
    "png renamed": ("文件内容是PNG 图片", None, None),
    "html renamed": ("该文件实际上是网页（HTML）格式", None, None),
    "csv renamed": ("文件扩展名为 .xlsx，但内容不是有效的 Excel 文件", None, None),
    "password-protected xlsx": ("文件设置了打开密码（已加密）", None, None),
    "password-protected xls renamed": ("文件设置了打开密码（已加密）", None, None),
    "password-protected xls": ("文件设置了打开密码（已加密）", None, None),
    "word document named .xls": ("不是 Excel 工作簿（可能是 Word", None, None),
    "zip bomb (ratio)": ("压缩比", None, None),
    "zip bomb (declared size)": (
        "解压后大小为 513 MB，超过上限 512 MB（疑似压缩炸弹）",
        None,
        None,
    ),
    "zip bomb (lying size)": ("实际内容比声明的大小多", None, None),
    "duplicate zip members": ("重名", None, None),
    "encrypted zip member": ("设置了密码", None, None),
    "too many sheets": ("工作簿有 256 个工作表，超过上限 255 个", None, None),
    "forged dimension": ("声明的数据范围为 A1:XFD1048576", None, None),
    "far corner cell": (
        "第1048576行 XFD列有内容，超出了允许的范围（最多 200100 行、1000 列）",
        1048576,
        "XFD列",
    ),
    "too many rows": ("第200101行 A列有内容", 200101, "A列"),
    "too many columns": ("第242行 ALM列有内容", 242, "ALM列"),
    "area too large": ("数据区域约 12010 行 × 1000 列，超过上限 12000000 个单元格", None, None),
    "cells without references": ("第242行 ALM列有内容", 242, "ALM列"),
    "fake end of data": ("第200105行 A列有内容", 200105, "A列"),
    "merged cells past the sheet": ("合并单元格“A1:XFD1048576”超出了允许的范围", None, None),
    "merged cells by the thousand": ("合并单元格超过 10000 处", None, None),
    "100 KB cell": ("第242行 B列的内容长达 100000 个字符，超过单元格上限 5000 个字符", 242, "B列"),
    "huge shared string": ("第242行 B列的内容长达 5001 个字符", 242, "B列"),
    "NUL in a cell": ("第242行 B列含有不可见的控制字符（U+0000）", 242, "B列"),
    "U+FFFE in a cell": ("第242行 C列含有不可见的控制字符（U+FFFE）", 242, "C列"),
    "formula": ("工作表“Sheet1”第242行 O列的单元格含有公式", 242, "O列"),
}


@cache
def hostile(name: str) -> bytes:
    return BUILD[name]()


def upload(name: str, **fields: str) -> dict:
    """The request body built in memory: the test client would spool a large one to a temporary
    file that it never closes."""
    file = FileStorage(io.BytesIO(hostile(name)), filename=NAMES.get(name, "答卷.xlsx"))
    boundary, body = encode_multipart({"file": file, **fields})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def blobs(db) -> int:
    return db.exec(select(func.count()).select_from(Blob)).one()


def test_every_attack_is_covered():
    assert set(EXPECTED) == set(BUILD) and len(EXPECTED) >= 20


@pytest.mark.parametrize("name", list(EXPECTED))
def test_api_refuses_hostile_files_naming_row_and_column(client, db, demo, token_for, name):
    survey = make_survey(db, demo)
    before = blobs(db)
    r = client.post(
        f"/api/v1/surveys/{survey.id}/imports",
        headers=token_for(demo.users["demo-evaluator"]),
        **upload(name),
    )
    assert r.status_code == 422, r.get_json()
    first = r.get_json()["errors"][0]
    message, row, column = EXPECTED[name]
    assert message in first["message"], first
    assert (first["row"], first["column"]) == (row, column)
    assert count_responses(db, survey) == 0 and count_imports(db, survey) == 0
    assert blobs(db) == before


@pytest.mark.parametrize("name", list(EXPECTED))
def test_page_refuses_hostile_files_and_keeps_nothing(login, db, demo, name):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    before = blobs(db)
    r = c.post(
        f"/engagements/{demo.engagement.id}/surveys/{survey.id}/imports",
        **upload(name, kind="auto"),
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="import-errors"' in html and EXPECTED[name][0] in html
    assert count_imports(db, survey) == 0 and count_responses(db, survey) == 0
    assert blobs(db) == before
