"""Excel export and import of indicator packs."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from openpyxl import Workbook, load_workbook

from tests.library.pack_strategies import packs as pack_strategy
from workbench.library.pack_excel import COLUMNS, SHEET_INDICATORS, SHEET_META
from workbench.library.packs import (
    Benchmark,
    Pack,
    PackError,
    default_library_root,
    dump_yaml,
    export_excel,
    flatten,
    import_excel,
    load_all,
    load_pack,
    validate_pack,
)

SHIPPED = load_all(default_library_root())
HEADER = list(COLUMNS)


def shipped(key: str) -> Pack:
    return next(pack for pack in SHIPPED if pack.key == key)


def rows_of(data: bytes, sheet: str = SHEET_INDICATORS) -> list[tuple]:
    return list(load_workbook(BytesIO(data))[sheet].iter_rows(values_only=True))


def workbook_bytes(rows: list[list], meta: list[list] | None = None) -> bytes:
    """A hand-made pack workbook, as an evaluator would type it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_INDICATORS
    for row in rows:
        sheet.append(row)
    info = workbook.create_sheet(SHEET_META)
    for row in (
        meta
        if meta is not None
        else [
            ["项目", "内容", "字段"],
            ["指标包代码", "edu_demo", "key"],
            ["指标包名称", "教育演示", "name"],
            ["类型", "个性", "kind"],
            ["适用评价类型", "project、单位自评复核", "engagement_types"],
            ["领域", "教育", "sector"],
            ["版本", "2024.1", "version"],
        ]
    ):
        info.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("pack", SHIPPED, ids=lambda pack: pack.key)
def test_shipped_packs_round_trip_through_excel(pack: Pack) -> None:
    again = import_excel(export_excel(pack))
    assert again == pack
    assert flatten(again) == flatten(pack)


def test_export_has_one_row_per_leaf_with_joined_lists() -> None:
    pack = shipped("project_common")
    rows = rows_of(export_excel(pack))
    assert list(rows[0]) == HEADER
    assert len(rows) == 1 + len(flatten(pack))
    record = dict(zip(HEADER, rows[8], strict=True))  # 预算执行率
    assert record["一级指标"] == "过程"
    assert record["二级指标"] == "资金管理"
    assert record["三级指标"] == "预算执行率"
    assert record["指标代码"] == "budget_execution_rate"
    assert record["规则"] == "linear"
    assert record["参数"] == "per=1%; deduct=5%; zero=80%"
    assert record["分值"] == 5
    assert record["目标值"] == "100%"
    assert record["评价要点"].split("\n")[0] == "核实实际到位资金金额"
    assert record["佐证材料"] == "会计账簿、记账凭证及原始单据\n财务决算报表\n国库集中支付记录"
    assert record["标签"] == "共性、过程、资金"
    meta = {row[2]: row[1] for row in rows_of(export_excel(pack), SHEET_META)[1:]}
    assert meta["key"] == "project_common"
    assert meta["kind"] == "common"
    assert meta["engagement_types"] == "project"


def test_benchmarks_and_formula_like_text_round_trip() -> None:
    pack = shipped("education")
    leaf = flatten(pack)[0].indicator
    leaf.benchmarks = [
        Benchmark(value="95.2%", year=2020, source="某省教育事业统计公报"),
        Benchmark(value="1,200元", year=2021, source="以往评价报告|第3页"),
    ]
    leaf.target = "=8个"
    leaf.weight = Decimal("2.55")
    data = export_excel(pack)
    cells = dict(zip(HEADER, rows_of(data)[1], strict=True))
    assert cells["基准值"] == "95.2%|2020|某省教育事业统计公报;\n1,200元|2021|以往评价报告|第3页"
    assert cells["目标值"] == "=8个"
    again = import_excel(data)
    assert again == pack
    assert flatten(again)[0].indicator.weight == Decimal("2.55")


def test_import_hand_made_sheet_with_blanks_aliases_and_chinese_rules(tmp_path: Path) -> None:
    rows = [
        [
            "一级",
            "二级",
            "三级",
            "key",
            "指标解释",
            "评价要点",
            "数据来源",
            "标准",
            "规则",
            "权重",
            "目标",
            "标签",
            "备用列",
        ],
        [
            "产出",
            "产出数量",
            "生均公用经费保障率",
            "funding_rate",
            "实际拨付÷基准定额",
            "核实定额\n核实拨付",
            "拨付凭证",
            "行业标准",
            "正向比率",
            5,
            "100%",
            "义务教育, 经费",
            "忽略",
        ],
        [
            None,
            None,
            "资助覆盖率",
            "aid_coverage",
            "获资助人数÷认定人数",
            None,
            None,
            "计划标准",
            "要素计分",
            "2.5",
            None,
            None,
            None,
        ],
        [
            None,
            "产出质量",
            "校舍安全达标率",
            "safety_rate",
            "达标面积÷总面积",
            None,
            None,
            "行业标准",
            "ratio",
            4.25,
            None,
            None,
            None,
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        [
            "效益",
            "满意度",
            "家长满意度",
            "parent_satisfaction",
            "问卷调查",
            None,
            None,
            "计划标准",
            "满意度",
            3,
            "0.9",
            None,
            None,
        ],
    ]
    path = tmp_path / "pack.xlsx"
    path.write_bytes(workbook_bytes(rows))
    pack = import_excel(path)
    assert (pack.key, pack.kind, pack.sector, pack.version) == (
        "edu_demo",
        "sector",
        "教育",
        "2024.1",
    )
    assert pack.engagement_types == ["project", "self_eval_review"]
    entries = flatten(pack)
    assert [entry.path for entry in entries] == [
        ("产出", "产出数量", "生均公用经费保障率"),
        ("产出", "产出数量", "资助覆盖率"),
        ("产出", "产出质量", "校舍安全达标率"),
        ("效益", "满意度", "家长满意度"),
    ]
    first, second, third, fourth = (entry.indicator for entry in entries)
    assert first.points == ["核实定额", "核实拨付"]
    assert first.evidence == ["拨付凭证"]
    assert first.tags == ["义务教育", "经费"]
    assert (first.rule, second.rule, third.rule, fourth.rule) == (
        "ratio",
        "elements",
        "ratio",
        "satisfaction",
    )
    assert (first.weight, second.weight, third.weight) == (
        Decimal(5),
        Decimal("2.5"),
        Decimal("4.25"),
    )
    assert fourth.target == "0.9"


def sheet_row(**cells: object) -> list[object]:
    """A row of the indicator sheet in export column order; unnamed columns are blank."""
    return [cells.get(header) for header in HEADER]


def test_import_errors_name_row_and_column() -> None:
    rows = [
        HEADER,
        sheet_row(
            一级指标="产出",
            二级指标="产出数量",
            三级指标="实际完成率",
            指标代码="completion",
            标准类型="国际标准",
            规则="百分比",
            分值="五分",
        ),
        sheet_row(
            一级指标="效益",
            三级指标="社会效益",
            指标代码="social",
            标准类型="其他",
            规则="qualitative",
            分值=3,
            基准值="98%|去年|公报",
        ),
        sheet_row(指标代码="orphan", 标准类型="其他", 规则="manual", 分值=1),
    ]
    with pytest.raises(PackError) as caught:
        import_excel(workbook_bytes(rows))
    errors = caught.value.messages
    assert (
        "第2行「规则」列：「百分比」不是已知规则（ratio、inverse_ratio、linear、bands、elements、qualitative、deduction、boolean、satisfaction、expert、manual，或其中文名）"
        in errors
    )
    assert "第2行「标准类型」列：「国际标准」应为 计划标准、行业标准、历史标准、其他 之一" in errors
    assert "第2行「分值」列：「五分」不是有效数字" in errors
    assert "第3行「二级指标」列：一级指标变更后必须填写二级指标" in errors
    assert (
        "第3行「基准值」列：「98%|去年|公报」格式应为 数值|年份|来源，如 95.7%|2023|统计公报"
        in errors
    )
    assert "第4行「三级指标」列：不能为空" in errors
    assert len(errors) == 6


def test_import_requires_sheets_columns_and_metadata() -> None:
    with pytest.raises(PackError, match="无法读取 Excel 文件"):
        import_excel(b"not an excel file")
    workbook = Workbook()
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(PackError) as caught:
        import_excel(buffer.getvalue())
    assert caught.value.messages == ["缺少工作表「指标」", "缺少工作表「指标包信息」"]
    with pytest.raises(PackError) as caught:
        import_excel(workbook_bytes([["一级指标", "三级指标"]], meta=[["项目", "内容", "字段"]]))
    assert caught.value.messages == [
        "工作表「指标包信息」缺少「指标包代码」（key）",
        "工作表「指标包信息」缺少「指标包名称」（name）",
        "工作表「指标包信息」缺少「类型（common 共性 / sector 个性）」（kind）",
        "工作表「指标」第1行缺少列：二级指标、指标代码、规则、标准类型、分值",
    ]


def test_excel_and_yaml_agree() -> None:
    pack = shipped("water")
    text = dump_yaml(import_excel(export_excel(pack)))
    assert text == dump_yaml(pack)
    assert load_pack(text) == pack
    assert validate_pack(import_excel(export_excel(pack))) == []


@settings(max_examples=25, deadline=None)
@given(pack_strategy())
def test_any_pack_round_trips_through_excel(pack: Pack) -> None:
    assert import_excel(export_excel(pack)) == pack
