"""The sample indicator sheet reproduces every figure in samples/README.md."""

from decimal import Decimal
from pathlib import Path

import pytest

import workbench
from workbench.indicators.sheet import read_sheet
from workbench.scoring.calculator import calculate

SAMPLE = Path(workbench.__file__).parent / "demo" / "samples" / "indicator_sheet_example.xlsx"

EXPECTED = {
    "立项依据充分性": "2.63",
    "立项程序规范性": "2.00",
    "绩效目标合理性": "2.10",
    "绩效指标明确性": "2.63",
    "预算编制科学性": "3.00",
    "资金分配合理性": "4.00",
    "资金到位率": "3.84",
    "预算执行率": "3.36",
    "资金使用合规性": "3.00",
    "管理制度健全性": "2.00",
    "制度执行有效性": "2.10",
    "受益学生人数": "5.88",
    "供餐天数": "4.80",
    "食品安全抽检合格率": "5.91",
    "营养餐标准达标率": "4.00",
    "资金拨付及时性": "4.00",
    "生均每日补助标准": "3.85",
    "成本节约率": "2.50",
    "学生营养健康状况改善": "4.50",
    "学生出勤率": "3.96",
    "带动本地农产品采购": None,
    "长效管理机制建立情况": "3.20",
    "学生满意度": "4.35",
    "家长满意度": "4.00",
}


@pytest.fixture(scope="module")
def result():
    sheet = read_sheet(SAMPLE, for_scoring=True)
    return calculate(sheet.leaves, grades=sheet.grades)


def test_every_leaf_score(result):
    scores = {leaf.path[2]: leaf.score for leaf in result.leaves}
    assert len(scores) == 24
    assert scores == {name: (Decimal(v) if v else None) for name, v in EXPECTED.items()}


def test_total_and_grade(result):
    assert result.sum_scores == Decimal("81.61")
    assert result.applicable_weight == Decimal(96)
    assert result.total == Decimal("85.01")
    assert result.grade == "良"


def test_every_rule_type_is_exercised(result):
    rules = {leaf.rule for leaf in result.leaves if not leaf.not_applicable}
    assert rules == {
        "ratio", "inverse_ratio", "linear", "bands", "elements", "qualitative",
        "deduction", "boolean", "satisfaction", "expert", "manual",
    }  # fmt: skip


def test_explanations_show_the_arithmetic(result):
    by_name = {leaf.path[2]: leaf.explanation for leaf in result.leaves}
    assert by_name["预算执行率"] == (
        "差距(100% − 91.2%) ÷ 1% = 8.8步；6 × (1 − 8.8 × 5%) = 3.36 → 3.36"
    )
    assert by_name["绩效指标明确性"].startswith(
        "5位专家去掉最高3、最低2后平均 (2.5 + 2.6 + 2.8) ÷ 3 ≈ 2.6333 → 2.63"
    )
    assert by_name["带动本地农产品采购"] == "不适用：本项目采购由省级统一配送，不适用"


def test_json_matches_design(result):
    data = result.to_json()
    assert data["total"] == "85.01"
    assert data["grade"] == "良"
    assert data["indicators"][0]["path"] == ["决策", "项目立项", "立项依据充分性"]
    assert data["indicators"][0]["weight"] == "3.00"
    assert data["indicators"][0]["score"] == "2.63"
    assert data["indicators"][20]["score"] is None
    assert data["indicators"][20]["not_applicable"] is True
