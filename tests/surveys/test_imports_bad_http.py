"""Bad files through the HTTP import paths: a clear message naming row/column, nothing stored."""

import io
import zipfile

import pytest
from sqlmodel import func, select

from tests.surveys.helpers import count_imports, count_responses, make_survey, sample
from tests.surveys.test_wjx_bad_files import code_rows, sample_rows, write_csv, write_xlsx
from workbench.core.storage import Blob


def _csv(rows, tmp_path, **kwargs) -> bytes:
    return write_csv(tmp_path / "f.csv", rows, **kwargs).read_bytes()


def _xlsx(rows, tmp_path) -> bytes:
    return write_xlsx(tmp_path / "f.xlsx", rows).read_bytes()


def _changed(change):
    def build(tmp_path):
        rows = sample_rows()
        change(rows)
        return _csv(rows, tmp_path), "export.csv"

    return build


def _changed_code(change):
    def build(tmp_path):
        rows = code_rows()
        change(rows)
        return _csv(rows, tmp_path), "export.csv"

    return build


def _set(row, column, value):
    def change(rows):
        rows[row][column] = value

    return change


def _zip_not_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue(), "archive.xlsx"


def _many(rows):
    for row in rows[1:]:
        row[13] = "很满意"


def _mixed_within(rows):
    rows[3][9] = "2"
    rows[7][9] = "1"


def _serials(rows):
    rows[2][0] = "1"
    rows[5][0] = "abc"


def _another_survey(rows):
    rows[0] = rows[0][:6] + [
        "1、您的年龄", "2、您的职业", "3、您常用的交通方式", "4、出行满意度—公交", "地铁", "出租车",
        "共享单车", "5、停车是否方便", "6、其他建议",
    ]  # fmt: skip


def _mixed_columns(rows):
    codes = code_rows()
    for text_row, code_row in zip(rows[1:], codes[1:], strict=True):
        text_row[13] = code_row[17]


# (id, builder(tmp_path) → (bytes, name), message fragment, row, column)
CASES = [
    ("empty", lambda t: (b"", "empty.csv"), "文件为空", None, None),
    ("blank", lambda t: (b"  \r\n\r\n", "blank.csv"), "文件为空", None, None),
    ("latin1", lambda t: ("序号,Réponse\n1,é,\n".encode().replace(b"\xc3\xa9", b"\xe9"), "l.csv"), "无法识别文件编码", None, None),
    ("utf16", lambda t: ("序号,1、您的身份\n1,教师\n".encode("utf-16"), "u.csv"), "UTF-16", None, None),
    ("cut xlsx", lambda t: (sample("wjx_satisfaction_text.xlsx")[:20000], "cut.xlsx"), "不完整或已损坏", None, None),
    ("cut xls", lambda t: (sample("wjx_satisfaction_text.xls")[:4096], "cut.xls"), "无法读取该 .xls 文件", None, None),
    ("html as xls", lambda t: (b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr></table></body></html>", "export.xls"), "网页（HTML）格式", None, None),
    ("text as xlsx", lambda t: (b"this is not a workbook at all", "fake.xlsx"), "不是有效的 Excel 文件", None, None),
    ("zip as xlsx", _zip_not_workbook, "不是 Excel 工作簿", None, None),
    ("txt", lambda t: (b"1,2\n", "answers.txt"), "不在允许范围", None, None),
    ("exe as csv", lambda t: (b"MZ\x90\x00" + b"\x00" * 200, "x.csv"), "可执行程序", None, None),
    ("semicolons", lambda t: (_csv(sample_rows(), t, delimiter=";"), "s.csv"), "分号", None, None),
    ("tabs", lambda t: (_csv(sample_rows(), t, delimiter="\t"), "t.csv"), "制表符", None, None),
    ("ragged", _changed(lambda rows: rows[6].append("多出来的一列")), "第7行有 16 列，而表头只有 15 列", 7, None),
    ("huge cell", _changed(_set(3, 14, "很长的意见" * 2000)), "第4行 O列的内容长达 10000 个字符", 4, "O列"),
    ("csv formula", _changed(_set(9, 14, '=HYPERLINK("http://x","点我")')), "像是公式", 10, "O列"),
    ("xlsx formula", lambda t: (_xlsx([*sample_rows()[:5], ["=ROW()-1", *sample_rows()[5][1:]], *sample_rows()[6:]], t), "f.xlsx"), "单元格含有公式", 6, "A列"),
    ("header only", lambda t: (_csv(sample_rows()[:1], t), "h.csv"), "只有表头", 2, None),
    ("no serial", lambda t: (_csv([r[1:] for r in sample_rows()], t), "n.csv"), "文件缺少“序号”列", 1, None),
    ("another survey", _changed(_another_survey), "另一份问卷", 1, None),
    ("no header", _changed(_set(0, 14, "")), "O列没有表头", 1, "O列"),
    ("matrix row", _changed(_set(0, 11, "办事大厅环境")), "没有“办事大厅环境”这一行", 1, "L列（办事大厅环境）"),
    ("unknown option", _changed(_set(4, 13, "很满意")), "选项“很满意”不在问卷的选项中", 5, "N列（5、总体而言，您对本项目是否满意）"),
    ("code out of range", _changed_code(_set(8, 17, "7")), "选项序号 7 超出范围（应为 1–5）", 9, "R列（5、总体而言，您对本项目是否满意）"),
    ("mixed in column", _changed(_mixed_within), "是选项序号（按选项序号导出），而本列其他答案是选项文本", 4, None),
    ("mixed columns", _changed(_mixed_columns), "该列是选项序号", None, None),
    ("serials", _changed(_serials), "序号 1 与第2行重复", 3, "A列（序号）"),
    ("bad time", _changed(_set(2, 1, "昨天下午")), "无法识别的时间“昨天下午”", 3, "B列（提交答卷时间）"),
    ("bad duration", _changed(_set(3, 2, "很久")), "无法识别的答题用时“很久”", 4, "C列（所用时间）"),
    ("multi option", _changed(_set(10, 8, "学校通知┋抖音")), "选项“抖音”不在问卷的选项中", 11, None),
    ("split value", _changed_code(_set(12, 9, "2")), "多选题分列的值应为 1（选中）或 0（未选）", 13, None),
    ("many errors", _changed(_many), "另有 220 处同类问题未逐一列出", None, None),
]  # fmt: skip


def blobs(db) -> int:
    return db.exec(select(func.count()).select_from(Blob)).one()


@pytest.mark.parametrize(
    ("build", "message", "row", "column"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_api_refuses_with_row_and_column_and_stores_nothing(
    client, db, demo, token_for, tmp_path, build, message, row, column
):
    survey = make_survey(db, demo)
    before = blobs(db)
    data, name = build(tmp_path)
    r = client.post(
        f"/api/v1/surveys/{survey.id}/imports",
        data={"file": (io.BytesIO(data), name)},
        headers=token_for(demo.users["demo-evaluator"]),
        content_type="multipart/form-data",
    )
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    hit = [e for e in errors if message in e["message"]]
    assert hit, errors
    if row is not None:
        assert hit[0]["row"] == row
    if column is not None:
        assert hit[0]["column"] == column
    assert count_responses(db, survey) == 0
    assert count_imports(db, survey) == 0
    assert blobs(db) == before


FILE_LEVEL = {
    "empty",
    "latin1",
    "utf16",
    "cut xlsx",
    "html as xls",
    "zip as xlsx",
    "txt",
    "tabs",
    "ragged",
}
CELL_LEVEL = {"unknown option", "code out of range", "bad time", "serials", "split value"}


@pytest.mark.parametrize(
    ("build", "message", "row", "column"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES if case[0] in FILE_LEVEL],
)
def test_page_upload_refuses_unreadable_files_and_keeps_nothing(
    login, db, demo, tmp_path, build, message, row, column
):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    data, name = build(tmp_path)
    r = c.post(
        f"/engagements/{demo.engagement.id}/surveys/{survey.id}/imports",
        data={"file": (io.BytesIO(data), name), "kind": "auto"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="import-errors"' in html and message in html
    if row is not None:
        assert f"第{row}行" in html
    assert count_imports(db, survey) == 0 and count_responses(db, survey) == 0


@pytest.mark.parametrize(
    ("build", "message", "row", "column"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES if case[0] in CELL_LEVEL],
)
def test_page_confirm_refuses_bad_cells_and_writes_no_answer(
    login, db, demo, tmp_path, build, message, row, column
):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    data, name = build(tmp_path)
    base = f"/engagements/{demo.engagement.id}/surveys/{survey.id}"
    r = c.post(
        f"{base}/imports",
        data={"file": (io.BytesIO(data), name), "kind": "auto"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    r = c.post(r.headers["Location"] + "/confirm", data={})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and f"第{row}行" in html
    if column is not None:
        assert column in html
    assert count_responses(db, survey) == 0
