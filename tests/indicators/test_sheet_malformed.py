"""Malformed indicator sheets: every error names the Excel row and the column header."""

import io
from datetime import date

import openpyxl
import pytest

from tests.indicators.test_sheet_read import HEAD, copy_rows, make_xlsx
from workbench.indicators.sheet import SheetError, read_sheet


def errors_of(data: bytes, **kw) -> list[dict]:
    with pytest.raises(SheetError) as info:
        read_sheet(data, **kw)
    assert str(info.value) == "\n".join(e["message"] for e in info.value.errors)
    return info.value.errors


def only_error(data: bytes, **kw) -> dict:
    errors = errors_of(data, **kw)
    assert len(errors) == 1, errors
    return errors[0]


def assert_at(error: dict, row: int, column: str, fragment: str) -> None:
    assert error["row"] == row
    assert error["column"] == column
    assert error["message"].startswith(f"第{row}行“{column}”列：")
    assert fragment in error["message"]


def with_cell(row: int, column: str, value) -> bytes:
    """The valid sheet with the cell at Excel row `row` and header `column` replaced."""
    rows = copy_rows()
    rows[row - 2][HEAD.index(column)] = value
    return make_xlsx(rows)


def test_missing_required_column():
    head = [h for h in HEAD if h != "分值"]
    rows = [row[:3] + row[4:] for row in copy_rows()]
    error = only_error(make_xlsx(rows, head=head))
    assert_at(error, 1, "分值", "缺少必需的列“分值”")


def test_several_missing_columns_each_reported():
    errors = errors_of(make_xlsx([["a", 10]], head=["三级指标", "分值"]))
    assert [(e["row"], e["column"]) for e in errors] == [(1, "一级指标"), (1, "二级指标")]


def test_no_header_row():
    error = only_error(make_xlsx([["x", "y"]], head=["名称", "权数"]))
    assert error["row"] == 1
    assert "没有找到表头行" in error["message"] and "分值" in error["message"]


def test_duplicate_header():
    error = only_error(make_xlsx(copy_rows(), head=[*HEAD[:-1], "分值"]))
    assert_at(error, 1, "分值", "出现了不止一次")


def test_weights_not_summing_to_100():
    error = only_error(with_cell(3, "分值", 8))
    assert error["column"] == "分值"
    assert error["message"] == "“分值”列：第2–7行三级指标分值合计为98，应为100"


def test_negative_weight():
    errors = errors_of(with_cell(5, "分值", -10))
    assert_at(errors[-1], 5, "分值", "分值应大于0且不超过100，当前为-10")


def test_non_numeric_weight():
    error = only_error(with_cell(4, "分值", "二十"))
    assert_at(error, 4, "分值", "分值“二十”不是有效的数字")


def test_blank_weight():
    error = only_error(with_cell(4, "分值", None))
    assert_at(error, 4, "分值", "分值为空")


def test_unknown_rule():
    error = only_error(with_cell(6, "规则", "加权平均"))
    assert_at(error, 6, "规则", "未知的评分规则“加权平均”")


def test_broken_parameters():
    error = only_error(with_cell(4, "参数", "per=1%;deduct"))
    assert_at(error, 4, "参数", "不认识参数“deduct”")


def test_shares_not_summing_to_one():
    error = only_error(with_cell(2, "参数", "1/2:1;1/3:0.5"))
    assert_at(error, 2, "参数", "各要点占比之和应为1（100%），当前为")


def test_met_outside_unit_interval():
    error = only_error(with_cell(2, "参数", "1/2:1.2;1/2:0.5"))
    assert_at(error, 2, "参数", "要点达成度“1.2”应在0到1之间")


def test_non_numeric_target():
    error = only_error(with_cell(6, "目标值", "全部完成"))
    assert_at(error, 6, "目标值", "“全部完成”中没有数字")


def test_ambiguous_actual():
    error = only_error(with_cell(4, "实际值", "90%-95%"))
    assert_at(error, 4, "实际值", "多个数字")


def test_date_in_a_value_cell():
    error = only_error(with_cell(6, "目标值", date(2024, 12, 31)))
    assert_at(error, 6, "目标值", "不能填写日期或时间")


def test_duplicate_leaf_names_in_a_group():
    rows = copy_rows()
    rows[1][2] = "立项依据充分性"
    error = only_error(make_xlsx(rows))
    assert_at(
        error, 3, "三级指标", "二级指标“项目立项”下的三级指标“立项依据充分性”重复（与第2行重复）"
    )


def test_blank_leaf_name():
    error = only_error(with_cell(5, "三级指标", None))
    assert_at(error, 5, "三级指标", "三级指标名称为空")


def test_first_row_without_level1():
    error = only_error(with_cell(2, "一级指标", None))
    assert_at(error, 2, "一级指标", "第一个指标须填写一级指标")


def test_new_level1_without_level2():
    error = only_error(with_cell(6, "二级指标", None))
    assert_at(error, 6, "二级指标", "一级指标“产出”下的第一个指标须填写二级指标")


def test_missing_level2_is_reported_once_per_group():
    error = only_error(with_cell(2, "二级指标", None))
    assert_at(error, 2, "二级指标", "一级指标“决策”下的第一个指标须填写二级指标")


def test_blank_rule_without_score_or_operator():
    rows = copy_rows()
    rows[3][4], rows[3][5] = None, None
    error = only_error(make_xlsx(rows))
    assert_at(error, 5, "规则", "规则为空")


def test_boolean_with_unclear_answer():
    error = only_error(with_cell(3, "实际值", "基本是"))
    assert_at(error, 3, "实际值", "不是是/否")


def test_unknown_qualitative_level():
    rows = copy_rows()
    rows[1][4], rows[1][5], rows[1][7] = "定性", "良好", None
    error = only_error(make_xlsx(rows))
    assert_at(error, 3, "参数", "未知的定性等级“良好”")


def test_manual_without_score_when_scoring():
    rows = copy_rows()
    rows[3][4], rows[3][5] = "手工", None
    data = make_xlsx(rows)
    assert read_sheet(data).leaves[3].score is None  # importing a system is fine
    error = only_error(data, for_scoring=True)
    assert_at(error, 5, "得分", "手工计分须填写得分")


def test_manual_score_above_weight():
    rows = copy_rows()
    rows[3][4], rows[3][5], rows[3][8] = "手工", None, 12
    error = only_error(make_xlsx(rows))
    assert_at(error, 5, "得分", "得分12超出范围0–10")


def test_non_numeric_score():
    error = only_error(with_cell(5, "得分", "良好"))
    assert_at(error, 5, "得分", "得分“良好”不是有效的数字")


def test_missing_actual_when_scoring():
    error = only_error(with_cell(4, "实际值", None), for_scoring=True)
    assert_at(error, 4, "实际值", "须填写实际值")


def test_units_differ_when_scoring():
    rows = copy_rows()
    rows[4][6], rows[4][7] = "3,860万元", "37,025,000元"
    error = only_error(make_xlsx(rows), for_scoring=True)
    assert_at(error, 6, "实际值", "单位“元”与目标值的单位“万元”不一致")


def test_expert_score_above_weight_when_scoring():
    rows = copy_rows()
    rows[1][4], rows[1][5], rows[1][7] = "专家", "8;9;12", None
    error = only_error(make_xlsx(rows), for_scoring=True)
    assert_at(error, 3, "参数", "专家打分12超出范围0–10")


def test_every_problem_is_reported_at_once_in_row_order():
    rows = copy_rows()
    rows[4][5] = "floor=2"
    rows[0][5] = "1/2:1;1/2:7"
    rows[2][6] = "很多"
    rows[3][3] = "十"
    errors = errors_of(make_xlsx(rows))
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "参数"), (4, "目标值"), (5, "分值"), (6, "参数")
    ]  # fmt: skip


def test_empty_sheet():
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = only_error(buffer.getvalue())
    assert "工作表“Sheet”是空的" in error["message"]


def test_header_without_indicator_rows():
    error = only_error(make_xlsx([]))
    assert_at(error, 2, "三级指标", "表头下方没有任何指标行")


def test_not_an_excel_file():
    error = only_error("一级指标,二级指标\n决策,x\n".encode(), filename="指标.csv")
    assert error["message"] == "“指标.csv”不是Excel工作簿（.xlsx），请上传指标体系的.xlsx文件"


def test_old_xls_file():
    error = only_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="旧表.xls")
    assert "旧版Excel（.xls）" in error["message"] and "另存为.xlsx" in error["message"]


def test_zip_that_is_not_a_workbook():
    error = only_error(b"PK\x03\x04" + b"\0" * 200)
    assert "不是有效的Excel工作簿" in error["message"]


def test_unreadable_path(tmp_path):
    error = only_error(tmp_path / "missing.xlsx")
    assert "无法读取文件“missing.xlsx”" in error["message"]


class TestGradeSheet:
    def grade_error(self, grades) -> list[dict]:
        return errors_of(make_xlsx(grades=grades))

    def test_missing_column(self):
        [error] = self.grade_error([["等级", "分数线"], ["优", 90], ["差", 0]])
        assert error["message"] == "“等级”工作表第1行“下限”列：缺少列“下限”"

    def test_non_numeric_bound(self):
        [error] = self.grade_error([["等级", "下限"], ["优", "九十"], ["差", 0]])
        assert error["message"] == "“等级”工作表第2行“下限”列：下限“九十”不是有效的数字"

    def test_bound_out_of_range(self):
        [error] = self.grade_error([["等级", "下限"], ["优", 190], ["差", 0]])
        assert error["row"] == 2 and "应在0到100之间" in error["message"]

    def test_duplicates(self):
        errors = self.grade_error([["等级", "下限"], ["优", 90], ["优", 80], ["差", 90], ["x", 0]])
        assert [(e["row"], e["column"]) for e in errors] == [(3, "等级"), (4, "下限")]
        assert "与第2行重复" in errors[0]["message"]

    def test_no_lowest_grade(self):
        [error] = self.grade_error([["等级", "下限"], ["优", 90], ["良", 80]])
        assert error["column"] == "下限"
        assert "须有一个下限为0的最低等级" in error["message"]

    def test_blank_name(self):
        [error] = self.grade_error([["等级", "下限"], [None, 90], ["差", 0]])
        assert error["message"] == "“等级”工作表第2行“等级”列：等级名称为空"

    def test_empty(self):
        [error] = self.grade_error([["等级", "下限"]])
        assert "等级表为空" in error["message"]
