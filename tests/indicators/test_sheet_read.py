"""Reading indicator sheets: the sample, free column order, carry-down, the 等级 sheet."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import workbench
from workbench.indicators.sheet import LeafExtras, read_sheet
from workbench.scoring.calculator import calculate
from workbench.scoring.grades import DEFAULT_GRADES

D = Decimal
SAMPLE = Path(workbench.__file__).parent / "demo" / "samples" / "indicator_sheet_example.xlsx"
HEAD = [
    "一级指标",
    "二级指标",
    "三级指标",
    "分值",
    "规则",
    "参数",
    "目标值",
    "实际值",
    "得分",
    "不适用",
    "备注",
]
# A valid 100-point sheet; Excel rows 2–7.
VALID = [
    ["决策", "项目立项", "立项依据充分性", 20, "elements", "1/2:1;1/2:0.5", None, None, None, None, None],
    [None, None, "立项程序规范性", 10, "是否", None, None, "是", None, None, None],
    ["过程", "资金管理", "预算执行率", 20, "linear", "per=1%;deduct=5%;zero=80%", "100%", "93.35%", None, None, None],
    [None, "组织实施", "制度执行有效性", 10, "扣分", "0.5", None, None, None, None, None],
    ["产出", "产出数量", "完成率", 20, "ratio", None, "≥100", "95", None, None, None],
    ["效益", "满意度", "满意度", 20, "满意度", "method=ratio", "≥90%", "87.4%", None, None, None],
]  # fmt: skip


def make_xlsx(rows=None, *, head=None, grades=None, before=(), title="指标体系") -> bytes:
    """An .xlsx with the header, rows and optionally a 等级 sheet given as [[等级, 下限], ...]."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for line in before:
        sheet.append(line)
    sheet.append(HEAD if head is None else head)
    for row in VALID if rows is None else rows:
        sheet.append(row)
    if grades is not None:
        grade_sheet = workbook.create_sheet("等级")
        for row in grades:
            grade_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def copy_rows():
    return [list(row) for row in VALID]


def test_sample_sheet():
    sheet = read_sheet(SAMPLE)
    assert len(sheet.leaves) == 24
    assert sheet.rows == list(range(2, 26))
    assert sheet.grades_from_sheet
    assert sheet.grades == DEFAULT_GRADES
    assert sheet.leaves[1].path == ("决策", "项目立项", "立项程序规范性")  # merged 一级/二级
    assert sheet.leaves[12].path == ("产出", "产出数量", "供餐天数")
    assert sheet.leaves[1].rule == "elements"  # 要素 normalised
    assert sheet.leaves[6].target == "3,860万元"
    manual = sheet.leaves[17]
    assert (manual.rule, manual.score) == ("manual", D("2.5"))
    assert sheet.extras[17] == LeafExtras(
        definition="(计划成本-实际成本)/计划成本", standard="", note="成本节约率4.1%，专家组评定"
    )
    na = sheet.leaves[20]
    assert na.not_applicable and na.na_reason == "本项目采购由省级统一配送，不适用"
    assert sheet.warnings == []


def test_read_from_bytes_and_file_objects():
    data = SAMPLE.read_bytes()
    assert len(read_sheet(data).leaves) == 24
    assert len(read_sheet(io.BytesIO(data)).leaves) == 24


def test_columns_by_header_in_any_order_unknown_ignored():
    head = [
        "序号",
        "备注",
        "实际值",
        "三级指标",
        "分值",
        "一级指标",
        "二级指标",
        "规则",
        "目标值",
        "佐证材料",
    ]
    rows = [
        [1, None, "是", "a", 40, "决策", "x", "是否", None, "合同"],
        [2, "说明", "95%", "b", 60, "产出", "y", "正向比率", "≥100%", None],
    ]
    sheet = read_sheet(make_xlsx(rows, head=head))
    assert [leaf.path for leaf in sheet.leaves] == [("决策", "x", "a"), ("产出", "y", "b")]
    assert sheet.leaves[1].actual == "95%"
    assert sheet.extras[1].note == "说明"
    assert calculate(sheet.leaves).total == D("97.00")


def test_title_rows_blank_rows_and_total_rows():
    rows = copy_rows()
    rows.insert(2, [None] * 11)
    rows.append(["合计", None, None, 100, None, None, None, None, None, None, None])
    sheet = read_sheet(make_xlsx(rows, before=[["某项目绩效评价指标体系"], []]))
    assert len(sheet.leaves) == 6
    assert sheet.rows == [4, 5, 7, 8, 9, 10]


def test_header_variants():
    head = ["一级", "二级", "三级", "分值（分）", "规则"]
    rows = [["决策", "x", "a", "100分", "手工"]]
    sheet = read_sheet(make_xlsx(rows, head=head))
    assert sheet.leaves[0].weight == D(100)


def test_blank_rule_inference():
    rows = copy_rows()
    rows[4][4] = None  # ≥100 → ratio
    rows[3][4], rows[3][5], rows[3][8] = None, None, 8  # score given → manual
    result = calculate(read_sheet(make_xlsx(rows)).leaves)
    by_name = {leaf.path[2]: leaf for leaf in result.leaves}
    assert by_name["完成率"].rule == "ratio"
    assert by_name["完成率"].score == D("19.00")
    assert by_name["制度执行有效性"].rule == "manual"
    assert by_name["制度执行有效性"].score == D("8.00")


def test_not_applicable_spellings():
    rows = copy_rows()
    rows[1][9], rows[1][10] = "是", "不涉及"
    rows[3][9] = "本年度未开展"
    rows[4][9] = "否"
    sheet = read_sheet(make_xlsx(rows))
    assert (sheet.leaves[1].not_applicable, sheet.leaves[1].na_reason) == (True, "不涉及")
    assert (sheet.leaves[3].not_applicable, sheet.leaves[3].na_reason) == (True, "本年度未开展")
    assert sheet.leaves[4].not_applicable is False


def test_number_cells_become_text_values():
    rows = copy_rows()
    rows[4][6], rows[4][7] = 1, 0.95
    rows[0][3] = 20.0
    sheet = read_sheet(make_xlsx(rows))
    assert (sheet.leaves[4].target, sheet.leaves[4].actual) == ("1", "0.95")
    assert sheet.leaves[0].weight == D(20)


def test_scores_of_valid_sheet():
    sheet = read_sheet(make_xlsx(), for_scoring=True)
    result = calculate(sheet.leaves, grades=sheet.grades)
    assert [leaf.score for leaf in result.leaves] == [
        D("15.00"), D("10.00"), D("13.35"), D("9.50"), D("19.00"), D("19.42")
    ]  # fmt: skip
    assert result.total == D("86.27")
    assert result.grade == "良"


def test_five_band_grade_sheet():
    grades = [["等级", "下限"], ["优秀", 90], ["良好", 80], ["中等", 70], ["合格", 60], ["差", 0]]
    sheet = read_sheet(make_xlsx(grades=grades))
    assert sheet.grades_from_sheet
    assert [name for name, _ in sheet.grades] == ["优秀", "良好", "中等", "合格", "差"]
    result = calculate(sheet.leaves, grades=sheet.grades)
    assert result.grade == "良好"


def test_grade_sheet_rows_in_any_order_and_blank_lowest_bound():
    grades = [["下限", "等级"], [60, "中"], [None, "差"], [90, "优"], [80, "良"]]
    sheet = read_sheet(make_xlsx(grades=grades))
    assert sheet.grades == DEFAULT_GRADES


def test_without_grade_sheet_the_default_table_applies():
    sheet = read_sheet(make_xlsx())
    assert not sheet.grades_from_sheet
    assert sheet.grades == DEFAULT_GRADES


def test_import_mode_accepts_leaves_without_data_yet():
    rows = copy_rows()
    rows[2][7] = None  # no actual for 预算执行率 yet
    rows[3][4], rows[3][5] = "手工", None  # manual, not scored yet
    sheet = read_sheet(make_xlsx(rows))
    assert len(sheet.leaves) == 6
    result = calculate(sheet.leaves)
    assert result.total is None


def test_warnings_are_returned():
    rows = copy_rows()
    rows[4][3], rows[0][3] = 10, 30  # 产出 10 + 效益 20 = 30
    sheet = read_sheet(make_xlsx(rows))
    assert sheet.warnings == ["产出+效益指标分值合计为30，低于建议的60"]


@pytest.mark.parametrize("value", ["否", "0", None])
def test_applicable_values(value):
    rows = copy_rows()
    rows[0][9] = value
    assert read_sheet(make_xlsx(rows)).leaves[0].not_applicable is False
