"""write_sheet: the same format as read_sheet, merged cells, 等级 sheet, scores; round trips."""

import io
from decimal import Decimal

import openpyxl
import pytest

from tests.indicators.test_sheet_read import SAMPLE, copy_rows, make_xlsx
from workbench.indicators.sheet import LeafExtras, read_sheet
from workbench.indicators.sheet_write import write_sheet
from workbench.scoring.calculator import Leaf, calculate
from workbench.scoring.grades import DEFAULT_GRADES, FIVE_BAND_GRADES

D = Decimal


def test_sample_round_trip_is_identical():
    original = read_sheet(SAMPLE)
    data = write_sheet(original.leaves, original.grades, extras=original.extras)
    again = read_sheet(data)
    assert again.leaves == original.leaves
    assert again.extras == original.extras
    assert again.grades == original.grades
    assert again.rows == original.rows
    assert again.grades_from_sheet


def test_second_round_trip_gives_the_same_bytes_content():
    first = read_sheet(SAMPLE)
    once = write_sheet(first.leaves, first.grades, extras=first.extras)
    twice_sheet = read_sheet(once)
    twice = write_sheet(twice_sheet.leaves, twice_sheet.grades, extras=twice_sheet.extras)
    rows_once = list(openpyxl.load_workbook(io.BytesIO(once)).worksheets[0].values)
    rows_twice = list(openpyxl.load_workbook(io.BytesIO(twice)).worksheets[0].values)
    assert rows_once == rows_twice


def test_merged_level_cells_and_grade_sheet():
    sheet = read_sheet(SAMPLE)
    workbook = openpyxl.load_workbook(io.BytesIO(write_sheet(sheet.leaves, sheet.grades)))
    ws = workbook.worksheets[0]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:A7", "A8:A12", "A13:A19", "A20:A25"} <= merged
    assert {"B2:B3", "B4:B5", "B8:B10", "B24:B25"} <= merged
    assert ws["A2"].value == "决策"
    assert ws["C2"].value == "立项依据充分性"
    assert ws["E2"].value is None  # no extras given
    assert ws["G2"].value == "要素计分"  # rule written by its Chinese name
    grades = list(workbook["等级"].values)
    assert grades == [("等级", "下限"), ("优", 90), ("良", 80), ("中", 60), ("差", 0)]


def test_scores_are_filled_and_summarised():
    sheet = read_sheet(SAMPLE)
    result = calculate(sheet.leaves, grades=sheet.grades)
    data = write_sheet(
        sheet.leaves,
        sheet.grades,
        scores=[leaf.score for leaf in result.leaves],
        extras=sheet.extras,
        result=result,
    )
    again = read_sheet(data, for_scoring=True)
    assert [leaf.score for leaf in again.leaves] == [leaf.score for leaf in result.leaves]
    # The filled 得分 column does not change what the rules compute.
    assert calculate(again.leaves, grades=again.grades).total == D("85.01")
    summary = {row[0]: row for row in openpyxl.load_workbook(io.BytesIO(data))["评分结果"].values}
    assert summary["决策"][1:] == (20, pytest.approx(16.36))
    assert summary["三级指标得分合计"][1:] == (96, pytest.approx(81.61))
    assert summary["总分"][1:] == (100, pytest.approx(85.01))
    assert summary["等级"][2] == "良"
    assert summary["计算"][2] == "81.61 × 100 ÷ 96 = 85.01"


def test_programmatic_leaves_round_trip():
    leaves = [
        Leaf(("决策", "项目立项", "a"), D("12.5"), rule="elements", params="1/3:1; 1/3:0.5; 1/3:0"),
        Leaf(("决策", "项目立项", "b"), D("7.5"), rule="qualitative", params="部分达成:0.7"),
        Leaf(("产出", "产出数量", "c"), D(40), rule="ratio", target="≥52,000人", actual="50,936人"),
        Leaf(("效益", "社会效益", "d"), D(30), rule="manual", score=D("25.5")),
        Leaf(("效益", "经济效益", "e"), D(10), not_applicable=True, na_reason="不涉及"),
    ]
    extras = [LeafExtras(), LeafExtras(), LeafExtras(), LeafExtras(note="专家组评定"),
              LeafExtras(note="另有说明")]  # fmt: skip
    again = read_sheet(write_sheet(leaves, FIVE_BAND_GRADES, extras=extras))
    assert again.leaves == leaves
    assert again.extras == extras
    assert again.grades == FIVE_BAND_GRADES


def test_reason_goes_to_remarks_when_there_is_no_note():
    leaves = [
        Leaf(("决策", "x", "a"), D(90), rule="manual", score=D(80)),
        Leaf(("决策", "x", "b"), D(10), not_applicable=True, na_reason="不涉及"),
    ]
    data = write_sheet(leaves, DEFAULT_GRADES)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert (ws["L3"].value, ws["M3"].value) == ("是", "不涉及")
    again = read_sheet(data)
    assert again.leaves == leaves
    assert again.extras[1] == LeafExtras(note="不涉及")


def test_generated_sheet_round_trips():
    original = read_sheet(make_xlsx(copy_rows()))
    again = read_sheet(write_sheet(original.leaves, original.grades, extras=original.extras))
    assert again.leaves == original.leaves
