"""Bad input files: each is refused or reported with a clear Chinese message naming row/column."""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

import workbench
from workbench.core.spreadsheet import xlsx
from workbench.surveys.design.questions import LIKERT_LABELS, Question
from workbench.surveys.imports import ImportRefused, Limits, parse_wjx_file, read_table

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"


def questionnaire() -> list[Question]:
    likert = list(LIKERT_LABELS)
    rows = ["补助资金发放及时性", "补助标准合理性", "申请流程便捷性", "政策宣传到位程度"]
    return [
        Question("q1", "您的身份", "single", ["学生家长", "教师", "学校管理人员", "其他"]),
        Question("q2", "您所在的区域", "single", ["城区", "乡镇", "农村"]),
        Question(
            "q3",
            "您是通过哪些渠道了解本项目的",
            "multiple",
            ["学校通知", "微信公众号", "宣传海报", "亲友介绍", "其他"],
        ),
        Question(
            "q4", "您对以下方面的满意程度", "matrix", likert, rows=rows, satisfaction_item=True
        ),
        Question("q5", "总体而言，您对本项目是否满意", "likert", likert, satisfaction_item=True),
        Question("q6", "您对本项目还有哪些意见和建议", "text"),
    ]


def sample_rows() -> list[list[str]]:
    """The GBK sample CSV as rows of text (row 1 = header)."""
    text = (SAMPLES / "wjx_satisfaction_text_gbk.csv").read_bytes().decode("gbk")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def write_csv(
    path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def parse(path: Path, **kwargs):
    return parse_wjx_file(path, questions=questionnaire(), **kwargs)


def messages(result) -> str:
    return "\n".join(e["message"] for e in result.errors)


# -- file-level refusals -------------------------------------------------------------------------


def test_empty_file(tmp_path):
    result = parse(write_bytes(tmp_path / "empty.csv", b""))
    assert result.errors == [{"row": None, "column": None, "message": "文件为空，没有任何内容"}]
    assert result.responses == []


def test_whitespace_only_file(tmp_path):
    assert "文件为空" in messages(parse(write_bytes(tmp_path / "blank.csv", b"  \r\n\r\n")))


def test_wrong_encoding(tmp_path):
    path = write_bytes(
        tmp_path / "latin.csv", "序号,Réponse\n1,é,\n".encode().replace(b"\xc3\xa9", b"\xe9")
    )
    assert "无法识别文件编码" in messages(parse(path))
    assert "UTF-8" in messages(parse(path)) and "GBK" in messages(parse(path))


def test_utf16_file(tmp_path):
    path = write_bytes(tmp_path / "utf16.csv", "序号,1、您的身份\n1,教师\n".encode("utf-16"))
    assert "UTF-16" in messages(parse(path))


def test_truncated_xlsx(tmp_path):
    data = (SAMPLES / "wjx_satisfaction_text.xlsx").read_bytes()
    path = write_bytes(tmp_path / "cut.xlsx", data[: len(data) // 2])
    assert "不完整或已损坏" in messages(parse(path))


def test_truncated_xls(tmp_path):
    data = (SAMPLES / "wjx_satisfaction_text.xls").read_bytes()
    path = write_bytes(tmp_path / "cut.xls", data[:4096])
    assert "无法读取该 .xls 文件" in messages(parse(path))


def test_html_saved_as_xls(tmp_path):
    html = "<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td></tr></table></body></html>"
    path = write_bytes(tmp_path / "export.xls", html.encode("utf-8"))
    text = messages(parse(path))
    assert "网页（HTML）格式" in text and "另存为" in text


def test_random_bytes_named_xlsx(tmp_path):
    path = write_bytes(tmp_path / "fake.xlsx", b"this is not a workbook at all")
    assert "不是有效的 Excel 文件" in messages(parse(path))


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是 Excel 工作簿" in messages(parse(path))


@pytest.mark.parametrize(("delimiter", "name"), [(";", "分号"), ("\t", "制表符")])
def test_csv_with_another_delimiter(tmp_path, delimiter, name):
    path = write_csv(tmp_path / "semi.csv", sample_rows(), delimiter=delimiter)
    text = messages(parse(path))
    assert name in text and "逗号分隔" in text


def test_csv_row_with_extra_fields_names_the_row(tmp_path):
    rows = sample_rows()
    rows[6] = rows[6] + ["多出来的一列"]
    result = parse(write_csv(tmp_path / "ragged.csv", rows))
    assert result.errors[0]["row"] == 7
    assert "第7行有 16 列，而表头只有 15 列" in result.errors[0]["message"]


def test_file_over_the_size_limit(tmp_path):
    path = SAMPLES / "wjx_satisfaction_text.xls"
    text = messages(parse(path, limits=Limits(max_file_bytes=10_000)))
    assert "超过上限" in text and "MB" in text


def test_zip_bomb_disguised_as_xlsx_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert path.stat().st_size < 200_000  # small on disk, 40 MB inside

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(xlsx, "_calamine", must_not_parse)
    monkeypatch.setattr(xlsx, "_openpyxl", must_not_parse)
    text = messages(parse(path, limits=Limits(max_uncompressed_bytes=10 * 1024 * 1024)))
    assert "解压后大小为 40 MB" in text and "压缩炸弹" in text


def test_huge_cell(tmp_path):
    rows = sample_rows()
    rows[3][14] = "很长的意见" * 2000
    result = parse(write_csv(tmp_path / "huge.csv", rows))
    assert result.errors[0]["row"] == 4
    assert result.errors[0]["column"] == "O列"
    assert "第4行 O列的内容长达 10000 个字符" in result.errors[0]["message"]
    xlsx = parse(write_xlsx(tmp_path / "huge.xlsx", rows))
    assert "第4行 O列的内容长达 10000 个字符，超过单元格上限 5000 个字符" in messages(xlsx)


def test_formula_in_xlsx_cell(tmp_path):
    rows = sample_rows()
    rows[5][0] = "=ROW()-1"
    result = parse(write_xlsx(tmp_path / "formula.xlsx", rows))
    assert result.errors[0]["row"] == 6 and result.errors[0]["column"] == "A列"
    assert "第6行 A列的单元格含有公式" in result.errors[0]["message"]
    assert "不会计算公式" in result.errors[0]["message"]


def test_formula_in_csv_cell(tmp_path):
    rows = sample_rows()
    rows[9][14] = '=HYPERLINK("http://x","点我")'
    result = parse(write_csv(tmp_path / "formula.csv", rows))
    assert result.errors[0]["row"] == 10
    assert "第10行 O列的内容以“=”开头，像是公式" in result.errors[0]["message"]


def test_header_only(tmp_path):
    result = parse(write_csv(tmp_path / "header.csv", sample_rows()[:1]))
    assert messages(result) == "文件中没有答卷数据（只有表头）"


# -- layout problems ------------------------------------------------------------------------------


def test_missing_serial_column(tmp_path):
    rows = [r[1:] for r in sample_rows()]
    result = parse(write_csv(tmp_path / "noserial.csv", rows))
    assert "文件缺少“序号”列" in messages(result)
    assert result.responses == []


def test_duplicated_meta_header(tmp_path):
    rows = [r + [r[0]] for r in sample_rows()]
    text = messages(parse(write_csv(tmp_path / "dup.csv", rows)))
    assert "表头“序号”重复出现（A列（序号） 与 P列（序号））" in text


def test_duplicated_question_header(tmp_path):
    rows = [r + [r[13]] for r in sample_rows()]
    result = parse(write_csv(tmp_path / "dup.csv", rows))
    assert result.errors == [
        {
            "row": 1,
            "column": "P列（5、总体而言，您对本项目是否满意）",
            "message": "P列（5、总体而言，您对本项目是否满意）：表头“5、总体而言，您对本项目是否满意”重复出现"
            "（N列（5、总体而言，您对本项目是否满意） 与 P列（5、总体而言，您对本项目是否满意）），"
            "无法确定使用哪一列。请在列对应中为其选择题目，或确认忽略该列",
        }
    ]


def test_file_from_another_survey(tmp_path):
    rows = sample_rows()
    rows[0] = rows[0][:6] + [
        "1、您的年龄",
        "2、您的职业",
        "3、您常用的交通方式",
        "4、出行满意度—公交",
        "地铁",
        "出租车",
        "共享单车",
        "5、停车是否方便",
        "6、其他建议",
    ]
    text = messages(parse(write_csv(tmp_path / "other.csv", rows)))
    assert "文件的题目与本问卷不一致" in text and "另一份问卷" in text


def test_column_without_header(tmp_path):
    rows = sample_rows()
    rows[0][14] = ""
    result = parse(write_csv(tmp_path / "nohead.csv", rows))
    assert "O列没有表头，无法判断属于哪一题" in messages(result)


def test_matrix_row_not_in_questionnaire(tmp_path):
    rows = sample_rows()
    rows[0][11] = "办事大厅环境"
    result = parse(write_csv(tmp_path / "row.csv", rows))
    assert (
        "L列（办事大厅环境）：矩阵题“您对以下方面的满意程度”中没有“办事大厅环境”这一行"
        in messages(result)
    )


# -- cell problems --------------------------------------------------------------------------------


def test_option_text_not_in_questionnaire(tmp_path):
    rows = sample_rows()
    rows[4][13] = "很满意"
    result = parse(write_csv(tmp_path / "option.csv", rows))
    assert result.errors == [
        {
            "row": 5,
            "column": "N列（5、总体而言，您对本项目是否满意）",
            "message": "第5行 N列（5、总体而言，您对本项目是否满意）：选项“很满意”不在问卷的选项中"
            "（可选：非常满意、满意、一般、不满意、非常不满意）",
        }
    ]


def test_code_outside_range(tmp_path):
    rows = code_rows()
    rows[8][17] = "7"
    result = parse(write_csv(tmp_path / "code.csv", rows))
    assert len(result.errors) == 1
    assert result.errors[0]["row"] == 9
    assert (
        result.errors[0]["message"]
        == "第9行 R列（5、总体而言，您对本项目是否满意）：选项序号 7 超出范围（应为 1–5）"
    )


def test_text_and_code_variants_mixed_across_columns(tmp_path):
    rows = sample_rows()
    codes = code_rows()
    for text_row, code_row in zip(rows[1:], codes[1:], strict=True):
        text_row[13] = code_row[17]  # Q5 as option numbers in an otherwise text file
    text = messages(parse(write_csv(tmp_path / "mixed.csv", rows)))
    assert (
        "N列（5、总体而言，您对本项目是否满意）：该列是选项序号（按选项序号导出），而文件中其他题目是选项文本"
        in text
    )


def test_text_and_code_variants_mixed_within_a_column(tmp_path):
    rows = sample_rows()
    rows[3][9] = "2"
    rows[7][9] = "1"
    result = parse(write_csv(tmp_path / "mixed.csv", rows))
    assert [e["row"] for e in result.errors] == [4, 8]
    assert (
        "第4行 J列（4、您对以下方面的满意程度—补助资金发放及时性）：“2”是选项序号（按选项序号导出），而本列其他答案是选项文本"
        in result.errors[0]["message"]
    )


def test_serial_problems(tmp_path):
    rows = sample_rows()
    rows[2][0] = "1"  # duplicate of row 2
    rows[5][0] = "abc"
    rows[6][0] = ""
    text = messages(parse(write_csv(tmp_path / "serial.csv", rows)))
    assert "第3行 A列（序号）：序号 1 与第2行重复" in text
    assert "第6行 A列（序号）：序号“abc”不是正整数" in text
    assert "第7行 A列（序号）：序号为空" in text


def test_bad_time_and_duration(tmp_path):
    rows = sample_rows()
    rows[2][1] = "昨天下午"
    rows[3][2] = "很久"
    text = messages(parse(write_csv(tmp_path / "time.csv", rows)))
    assert "第3行 B列（提交答卷时间）：无法识别的时间“昨天下午”" in text
    assert "第4行 C列（所用时间）：无法识别的答题用时“很久”" in text


def test_multi_select_option_not_in_questionnaire(tmp_path):
    rows = sample_rows()
    rows[10][8] = "学校通知┋抖音"
    text = messages(parse(write_csv(tmp_path / "multi.csv", rows)))
    assert "第11行 I列（3、您是通过哪些渠道了解本项目的）：选项“抖音”不在问卷的选项中" in text


def test_split_option_column_with_bad_value(tmp_path):
    rows = code_rows()
    rows[12][9] = "2"
    text = messages(parse(write_csv(tmp_path / "split.csv", rows)))
    assert (
        "第13行 J列（第3题(微信公众号)）：多选题分列的值应为 1（选中）或 0（未选），此处为“2”"
        in text
    )


def test_many_errors_are_capped_with_a_count(tmp_path):
    rows = sample_rows()
    for row in rows[1:]:
        row[13] = "很满意"
    result = parse(write_csv(tmp_path / "many.csv", rows))
    assert len(result.errors) == 21
    assert result.errors[-1]["message"] == "另有 220 处同类问题未逐一列出，请修正后重新导入"


def test_refusal_exception_carries_the_issue():
    with pytest.raises(ImportRefused) as caught:
        read_table(b"", filename="x.csv")
    assert caught.value.errors[0]["message"] == "文件为空，没有任何内容"


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def code_rows() -> list[list[str]]:
    """The code-variant sample as rows of text, via the xls reader."""
    table = read_table(SAMPLES / "wjx_satisfaction_code.xls")
    body = [
        ["" if v is None else str(v) for v in row] for row in table.frame.itertuples(index=False)
    ]
    return [table.headers, *body]
