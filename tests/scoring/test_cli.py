"""`workbench score SHEET.xlsx [--out SCORED.xlsx] [--json]` through click's CliRunner."""

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import workbench
from tests.indicators.test_sheet_read import copy_rows, make_xlsx
from workbench.indicators.sheet import read_sheet
from workbench.scoring.cli import score_command

SAMPLE = Path(workbench.__file__).parent / "demo" / "samples" / "indicator_sheet_example.xlsx"


@pytest.fixture
def runner():
    return CliRunner()


def test_prints_table_total_and_grade(runner):
    result = runner.invoke(score_command, [str(SAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "一级指标",
        "二级指标",
        "三级指标",
        "分值",
        "规则",
        "得分",
        "计分说明",
    ]
    row = next(line for line in lines if "预算执行率" in line)
    assert row.split()[:6] == ["过程", "资金管理", "预算执行率", "6.00", "线性扣减", "3.36"]
    assert "带动本地农产品采购" in result.stdout and "不适用" in result.stdout
    assert "三级指标得分合计 81.61，适用分值 96.00" in result.stdout
    assert "总分 85.01（81.61 × 100 ÷ 96 = 85.01）" in result.stdout
    assert lines[-1] == "等级 良"


def test_json_is_the_design_shape(runner):
    result = runner.invoke(score_command, [str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == "85.01"
    assert data["grade"] == "良"
    assert len(data["indicators"]) == 24
    assert data["indicators"][0] == {
        "path": ["决策", "项目立项", "立项依据充分性"],
        "weight": "3.00",
        "score": "2.63",
        "rule": "elements",
        "not_applicable": False,
        "explanation": "3 × (25%×1 + 25%×1 + 25%×1 + 25%×0.5) = 2.625 → 2.63",
    }


def test_out_writes_a_scored_sheet(runner, tmp_path):
    out = tmp_path / "scored.xlsx"
    result = runner.invoke(score_command, [str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写出评分表：{out}" in result.stdout
    scored = read_sheet(out, for_scoring=True)
    scores = [leaf.score for leaf in scored.leaves]
    assert scores[7] == Decimal("3.36")
    assert scores[20] is None  # 不适用
    summary = openpyxl.load_workbook(out)["评分结果"]
    rows = {row[0]: row[1:] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["总分"][1] == pytest.approx(85.01)
    assert rows["等级"][1] == "良"


def test_json_with_out_keeps_stdout_pure(runner, tmp_path):
    out = tmp_path / "scored.xlsx"
    result = runner.invoke(score_command, [str(SAMPLE), "--json", "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["total"] == "85.01"
    assert "已写出评分表" in result.stderr
    assert out.exists()


def _broken_sample(tmp_path: Path) -> Path:
    workbook = openpyxl.load_workbook(SAMPLE)
    sheet = workbook.worksheets[0]
    sheet["H2"] = "1/4:1;1/4:1;1/4:1;1/3:0.5"  # shares no longer sum to 1
    sheet["J9"] = "很多"  # 预算执行率 actual
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    return path


def test_errors_list_rows_and_columns_and_exit_2(runner, tmp_path):
    result = runner.invoke(score_command, [str(_broken_sample(tmp_path))])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "指标表“broken.xlsx”有2处问题，未计分" in result.stderr
    assert "第2行“参数”列：各要点占比之和应为1（100%），当前为" in result.stderr
    assert "第9行“实际值”列：“很多”中没有数字" in result.stderr


def test_not_an_excel_file(runner, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("一级指标,二级指标\n", encoding="utf-8")
    result = runner.invoke(score_command, [str(path)])
    assert result.exit_code == 2
    assert "“sheet.csv”不是Excel工作簿（.xlsx）" in result.stderr


def test_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(score_command, [str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr or "不存在" in result.stderr


def test_warnings_go_to_stderr(runner, tmp_path):
    rows = copy_rows()
    rows[1][4], rows[1][5], rows[1][7] = "专家", "2;10;6", None  # wide disagreement
    rows[4][3], rows[0][3] = 10, 30  # 产出 10 + 效益 20 < 60
    path = tmp_path / "warn.xlsx"
    path.write_bytes(make_xlsx(rows))
    result = runner.invoke(score_command, [str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grade"] == "良"
    assert "提示：产出+效益指标分值合计为30，低于建议的60" in result.stderr
    assert (
        "提示：决策/项目立项/立项程序规范性的专家打分分歧较大（变异系数超过20%）" in result.stderr
    )
