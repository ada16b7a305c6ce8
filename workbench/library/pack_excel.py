"""Excel export and import of an indicator pack, one row per leaf (pure: core.spreadsheet)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbench.core.spreadsheet import (
    MIB,
    ReadLimits,
    Sheet,
    SpreadsheetRefused,
    append_row,
    new_workbook,
    read_workbook,
    xlsx_bytes,
)
from workbench.library.pack_schema import (
    ENGAGEMENT_TYPES,
    KINDS,
    RULES,
    STANDARDS,
    Benchmark,
    Indicator,
    Level1,
    Level2,
    Pack,
    PackError,
    flatten,
    format_decimal,
    parse_decimal,
    rule_key,
)

SHEET_INDICATORS = "指标"
SHEET_META = "指标包信息"
# Column header → (width, wrapped). Order is the export order; import matches by header text.
COLUMNS: dict[str, tuple[int, bool]] = {
    "一级指标": (10, False),
    "二级指标": (12, False),
    "三级指标": (20, True),
    "指标代码": (24, False),
    "指标解释": (40, True),
    "评价要点": (50, True),
    "佐证材料": (34, True),
    "标准类型": (10, False),
    "规则": (13, False),
    "参数": (28, True),
    "分值": (7, False),
    "目标值": (10, False),
    "评分标准": (40, True),
    "标签": (16, True),
    "基准值": (30, True),
    "备注": (30, True),
}
HEADER_ALIASES = {
    "一级": "一级指标",
    "二级": "二级指标",
    "三级": "三级指标",
    "key": "指标代码",
    "代码": "指标代码",
    "指标编码": "指标代码",
    "数据来源": "佐证材料",
    "数据来源/佐证材料": "佐证材料",
    "评分规则": "规则",
    "规则类型": "规则",
    "权重": "分值",
    "目标": "目标值",
    "基准": "基准值",
    "标准": "标准类型",
}
REQUIRED_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标代码", "规则", "标准类型", "分值")
META_ROWS: tuple[tuple[str, str], ...] = (
    ("key", "指标包代码"),
    ("name", "指标包名称"),
    ("kind", "类型（common 共性 / sector 个性）"),
    ("engagement_types", "适用评价类型"),
    ("sector", "领域"),
    ("version", "版本"),
    ("source", "来源"),
    ("notes", "说明"),
)
LIST_SPLIT = re.compile(r"[\n\r]+")
TAG_SPLIT = re.compile(r"[、,，;；\n\r]+")
TYPES_SPLIT = re.compile(r"[、,，;；\s]+")
BENCHMARK_SPLIT = re.compile(r"[;；\n\r]+")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# A pack holds a few hundred leaves; hand-edited workbooks get ample room and no more.
PACK_LIMITS = ReadLimits(
    max_file_bytes=20 * MIB,
    max_uncompressed_bytes=100 * MIB,
    max_sheets=20,
    max_rows=10_000,
    max_columns=100,
    max_cells=300_000,
)


# ---------------------------------------------------------------------------------------------
# Export


def export_excel(pack: Pack) -> bytes:
    """Write the pack as an .xlsx workbook: sheet 指标 (one row per leaf) and sheet 指标包信息."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(SHEET_INDICATORS)
    append_row(sheet, list(COLUMNS))
    for path, leaf in flatten(pack):
        append_row(sheet, [_blank(value) for value in _leaf_row(path, leaf)])
    _style(sheet)
    _add_choices(sheet, "标准类型", STANDARDS)
    _add_choices(sheet, "规则", tuple(RULES))
    meta = workbook.create_sheet(SHEET_META)
    append_row(meta, ["项目", "内容", "字段"])
    values = _meta_values(pack)
    for field_name, label in META_ROWS:
        append_row(meta, [label, _blank(values[field_name]), field_name])
    meta.column_dimensions["A"].width = 32
    meta.column_dimensions["B"].width = 80
    meta.column_dimensions["C"].width = 18
    return xlsx_bytes(workbook)


def _leaf_row(path: tuple[str, str, str], leaf: Indicator) -> list[Any]:
    return [
        *path,
        leaf.key,
        leaf.definition,
        "\n".join(leaf.points),
        "\n".join(leaf.evidence),
        leaf.standard,
        leaf.rule,
        leaf.params,
        _weight_cell(leaf.weight),
        leaf.target,
        leaf.scoring,
        "、".join(leaf.tags),
        ";\n".join(f"{item.value}|{item.year}|{item.source}" for item in leaf.benchmarks),
        leaf.notes,
    ]


def _weight_cell(weight: Decimal) -> int | float:
    # A number cell so Excel can sum it; the import reads it back through its shortest repr.
    return int(weight) if weight == weight.to_integral_value() else float(weight)


def _blank(value: Any) -> Any:
    """Empty text as an empty cell."""
    return None if value == "" else value


def _style(sheet: Worksheet) -> None:
    for column, (width, wrapped) in enumerate(COLUMNS.values(), 1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = width
        head = sheet.cell(row=1, column=column)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(horizontal="center", vertical="center")
        if wrapped:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"


def _add_choices(sheet: Worksheet, header: str, choices: tuple[str, ...]) -> None:
    letter = get_column_letter(list(COLUMNS).index(header) + 1)
    validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
    validation.error = f"请从下拉列表中选择{header}"
    validation.add(f"{letter}2:{letter}{max(sheet.max_row, 2) + 200}")
    sheet.add_data_validation(validation)


def _meta_values(pack: Pack) -> dict[str, str]:
    return {
        "key": pack.key,
        "name": pack.name,
        "kind": pack.kind,
        "engagement_types": ", ".join(pack.engagement_types),
        "sector": pack.sector or "",
        "version": pack.version,
        "source": pack.source,
        "notes": pack.notes,
    }


# ---------------------------------------------------------------------------------------------
# Import


def import_excel(source: bytes | str | Path | IO[bytes]) -> Pack:
    """Read a pack from an .xlsx written by ``export_excel`` (or edited by hand); all or nothing."""
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source
    try:
        workbook = read_workbook(source=data, filename="指标包.xlsx", limits=PACK_LIMITS)
    except SpreadsheetRefused as refused:
        raise PackError(
            [
                p.message if p.row else f"无法读取 Excel 文件（应为 .xlsx 格式）：{p.message}"
                for p in refused.problems
            ]
        ) from None
    errors: list[str] = []
    indicators, meta = workbook.sheet(SHEET_INDICATORS), workbook.sheet(SHEET_META)
    if indicators is None:
        errors.append(f"缺少工作表「{SHEET_INDICATORS}」")
    if meta is None:
        errors.append(f"缺少工作表「{SHEET_META}」")
    if errors or indicators is None or meta is None:
        raise PackError(errors)
    pack = _read_meta(meta, errors)
    pack.indicators = _read_indicators(indicators, errors)
    if errors:
        raise PackError(errors)
    return pack


def _read_meta(sheet: Sheet, errors: list[str]) -> Pack:
    labels = {label: name for name, label in META_ROWS}
    values: dict[str, str] = {}
    for row in sheet.rows[1:]:
        label, value, field_name = (list(row) + [None, None, None])[:3]
        name = _cell_text(field_name) or labels.get(_cell_text(label), "")
        if name in labels.values():
            values[name] = _cell_text(value)
    kind = values.get("kind", "")
    kind = {chinese: key for key, chinese in KINDS.items()}.get(kind, kind)
    by_chinese = {chinese: key for key, chinese in ENGAGEMENT_TYPES.items()}
    types = [
        by_chinese.get(item, item) for item in _split(values.get("engagement_types"), TYPES_SPLIT)
    ]
    for required in ("key", "name", "kind"):
        if not values.get(required):
            label = dict(META_ROWS)[required]
            errors.append(f"工作表「{SHEET_META}」缺少「{label}」（{required}）")
    return Pack(
        key=values.get("key", ""),
        name=values.get("name", ""),
        kind=kind,
        engagement_types=types,
        sector=values.get("sector") or None,
        version=values.get("version", ""),
        source=values.get("source", ""),
        notes=values.get("notes", ""),
    )


def _read_indicators(sheet: Sheet, errors: list[str]) -> list[Level1]:
    rows = iter(sheet.rows)
    header = next(rows, ())
    columns = _header_columns(header, errors)
    if errors:
        return []
    tree: dict[str, dict[str, list[Indicator]]] = {}
    level1 = level2 = ""
    for number, row in enumerate(rows, 2):
        cells = {name: row[index] if index < len(row) else None for name, index in columns.items()}
        if all(_cell_text(value) == "" for value in cells.values()):
            continue
        new_level1 = _cell_text(cells["一级指标"])
        new_level2 = _cell_text(cells["二级指标"])
        if new_level1 and new_level1 != level1 and not new_level2:
            errors.append(f"第{number}行「二级指标」列：一级指标变更后必须填写二级指标")
        level1 = new_level1 or level1
        level2 = new_level2 or level2
        if not level1:
            errors.append(f"第{number}行「一级指标」列：不能为空")
        leaf = _read_leaf(cells, number, errors)
        tree.setdefault(level1, {}).setdefault(level2, []).append(leaf)
    return [
        Level1(
            name=name1,
            children=[Level2(name=name2, children=leaves) for name2, leaves in group.items()],
        )
        for name1, group in tree.items()
    ]


def _header_columns(header: tuple[Any, ...], errors: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        text = _cell_text(value)
        name = (
            text
            if text in COLUMNS
            else HEADER_ALIASES.get(text) or HEADER_ALIASES.get(text.lower())
        )
        if name and name not in columns:
            columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        errors.append(f"工作表「{SHEET_INDICATORS}」第1行缺少列：{'、'.join(missing)}")
    for name in COLUMNS:
        columns.setdefault(name, len(header) + 1000)  # absent optional column reads as empty
    return columns


def _read_leaf(cells: dict[str, Any], number: int, errors: list[str]) -> Indicator:
    def where(column: str) -> str:
        return f"第{number}行「{column}」列"

    name = _cell_text(cells["三级指标"])
    if not name:
        errors.append(f"{where('三级指标')}：不能为空")
    rule_text = _cell_text(cells["规则"])
    rule = rule_key(rule_text) if rule_text else None
    if rule is None:
        errors.append(
            f"{where('规则')}：「{rule_text}」不是已知规则（{'、'.join(RULES)}，或其中文名）"
        )
    standard = _cell_text(cells["标准类型"])
    if standard not in STANDARDS:
        errors.append(f"{where('标准类型')}：「{standard}」应为 {'、'.join(STANDARDS)} 之一")
    weight = parse_decimal(cells["分值"])
    if weight is None:
        errors.append(f"{where('分值')}：「{_cell_text(cells['分值'])}」不是有效数字")
    return Indicator(
        key=_cell_text(cells["指标代码"]),
        name=name,
        definition=_cell_text(cells["指标解释"]),
        points=_split(cells["评价要点"], LIST_SPLIT),
        evidence=_split(cells["佐证材料"], LIST_SPLIT),
        standard=standard,
        rule=rule or rule_text,
        params=_cell_text(cells["参数"]),
        weight=weight if weight is not None else Decimal(0),
        target=_cell_text(cells["目标值"]),
        scoring=_cell_text(cells["评分标准"]),
        tags=_split(cells["标签"], TAG_SPLIT),
        benchmarks=_read_benchmarks(cells["基准值"], where("基准值"), errors),
        notes=_cell_text(cells["备注"]),
    )


def _read_benchmarks(value: Any, where: str, errors: list[str]) -> list[Benchmark]:
    benchmarks: list[Benchmark] = []
    for item in _split(value, BENCHMARK_SPLIT):
        parts = [part.strip() for part in item.split("|", 2)]
        if len(parts) != 3 or not parts[1].isdigit():
            errors.append(f"{where}：「{item}」格式应为 数值|年份|来源，如 95.7%|2023|统计公报")
            continue
        benchmarks.append(Benchmark(value=parts[0], year=int(parts[1]), source=parts[2]))
    return benchmarks


def _split(value: Any, pattern: re.Pattern[str]) -> list[str]:
    return [part.strip() for part in pattern.split(_cell_text(value)) if part.strip()]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()
