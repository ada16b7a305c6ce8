"""Validation of indicator packs: every problem as a Chinese message (pure)."""

from __future__ import annotations

import re
from decimal import Decimal

from workbench.library.pack_schema import (
    COMMON_TOTAL,
    ENGAGEMENT_TYPES,
    KINDS,
    RULES,
    STANDARDS,
    Benchmark,
    Indicator,
    Pack,
    flatten,
    format_decimal,
    total_weight,
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Tags are joined with these in Excel, so a tag must not contain them.
TAG_SEPARATORS = ("、", ",", "，", ";", "；", "\n")
BENCHMARK_MARKS = ("\n", "\r", ";", "；")
EARLIEST_YEAR = 1949
LATEST_YEAR = 2100


def validate_pack(pack: Pack) -> list[str]:
    """Return every problem of the pack as a Chinese message; an empty list means valid."""
    errors = _validate_metadata(pack)
    errors += _validate_tree(pack)
    seen_keys: dict[str, str] = {}
    for path, leaf in flatten(pack):
        where = f"指标「{'/'.join(path)}」"
        if leaf.key:
            where += f"（{leaf.key}）"
            if leaf.key in seen_keys:
                errors.append(f"{where}：代码「{leaf.key}」与指标「{seen_keys[leaf.key]}」重复")
            seen_keys.setdefault(leaf.key, "/".join(path))
        errors += [f"{where}：{message}" for message in _validate_indicator(leaf)]
    if pack.kind == "common" and flatten(pack):
        total = total_weight(pack)
        if total != COMMON_TOTAL:
            errors.append(
                f"共性指标包的分值合计应为{format_decimal(COMMON_TOTAL)}，"
                f"当前为{format_decimal(total)}"
            )
    return errors


def validate_library(packs: list[Pack]) -> list[str]:
    """Validate each pack (messages prefixed by its file) and the packs against each other."""
    errors: list[str] = []
    common_for: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for pack in packs:
        label = pack.origin or pack.key
        errors += [f"{label}：{message}" for message in validate_pack(pack)]
        if pack.key in seen_keys:
            errors.append(f"{label}：指标包代码「{pack.key}」与 {seen_keys[pack.key]} 重复")
        seen_keys.setdefault(pack.key, label)
        if pack.kind != "common":
            continue
        for engagement_type in pack.engagement_types:
            if engagement_type in common_for:
                errors.append(
                    f"{label}：评价类型 {engagement_type} 已有共性框架 {common_for[engagement_type]}"
                )
            common_for.setdefault(engagement_type, label)
    return errors


def _validate_metadata(pack: Pack) -> list[str]:
    errors: list[str] = []
    if not pack.key:
        errors.append("指标包缺少代码（key）")
    elif not KEY_PATTERN.match(pack.key):
        errors.append(f"指标包代码「{pack.key}」只能由小写英文字母、数字和下划线组成，并以字母开头")
    if not pack.name:
        errors.append("指标包缺少名称（name）")
    if pack.kind not in KINDS:
        errors.append(
            f"指标包类型（kind）「{pack.kind}」无效，应为 common（共性）或 sector（个性）"
        )
    if not pack.engagement_types:
        errors.append("指标包缺少适用评价类型（engagement_types）")
    for engagement_type in pack.engagement_types:
        if engagement_type not in ENGAGEMENT_TYPES:
            errors.append(
                f"适用评价类型「{engagement_type}」无效，应为 {'、'.join(ENGAGEMENT_TYPES)} 之一"
            )
    if len(set(pack.engagement_types)) != len(pack.engagement_types):
        errors.append("适用评价类型（engagement_types）有重复项")
    if pack.kind == "common" and len(pack.engagement_types) > 1:
        errors.append("共性指标包是某一评价类型的指标框架，只能对应一种评价类型")
    if pack.kind == "sector" and not pack.sector:
        errors.append("个性指标包必须注明所属领域（sector）")
    if not pack.version:
        errors.append("指标包缺少版本号（version）")
    return errors


def _validate_tree(pack: Pack) -> list[str]:
    errors: list[str] = []
    if not pack.indicators:
        return ["指标包没有任何指标（indicators 为空）"]
    level1_names: set[str] = set()
    for level1 in pack.indicators:
        if not level1.name:
            errors.append("存在未命名的一级指标")
        elif level1.name in level1_names:
            errors.append(f"一级指标「{level1.name}」重复")
        level1_names.add(level1.name)
        if not level1.children:
            errors.append(f"一级指标「{level1.name}」下没有二级指标")
        level2_names: set[str] = set()
        for level2 in level1.children:
            where = f"{level1.name}/{level2.name}"
            if not level2.name:
                errors.append(f"一级指标「{level1.name}」下存在未命名的二级指标")
            elif level2.name in level2_names:
                errors.append(f"二级指标「{where}」重复")
            level2_names.add(level2.name)
            if not level2.children:
                errors.append(f"二级指标「{where}」下没有三级指标")
            leaf_names: set[str] = set()
            for leaf in level2.children:
                if not leaf.name:
                    errors.append(f"二级指标「{where}」下存在未命名的三级指标")
                elif leaf.name in leaf_names:
                    errors.append(f"三级指标「{where}/{leaf.name}」重复")
                leaf_names.add(leaf.name)
    return errors


def _validate_indicator(leaf: Indicator) -> list[str]:
    errors: list[str] = []
    if not leaf.key:
        errors.append("缺少指标代码（key）")
    elif not KEY_PATTERN.match(leaf.key):
        errors.append(f"指标代码「{leaf.key}」只能由小写英文字母、数字和下划线组成，并以字母开头")
    if not leaf.definition:
        errors.append("缺少指标解释（definition）")
    if leaf.rule not in RULES:
        shown = leaf.rule or "（空）"
        errors.append(f"规则「{shown}」未知，应为 {'、'.join(RULES)} 之一")
    if leaf.standard not in STANDARDS:
        shown = leaf.standard or "（空）"
        errors.append(f"标准类型「{shown}」无效，应为 {'、'.join(STANDARDS)} 之一")
    errors += _validate_weight(leaf.weight)
    errors += _validate_lines(leaf.points, "评价要点")
    errors += _validate_lines(leaf.evidence, "佐证材料")
    for tag in leaf.tags:
        if any(separator in tag for separator in TAG_SEPARATORS):
            errors.append(f"标签「{tag}」不能包含顿号、逗号、分号或换行")
    if leaf.rule == "elements":
        errors += _validate_elements(leaf)
    for position, benchmark in enumerate(leaf.benchmarks, 1):
        errors += [f"第{position}个基准值{message}" for message in _validate_benchmark(benchmark)]
    return errors


def _validate_weight(weight: Decimal) -> list[str]:
    if weight <= 0:
        return [f"分值应大于0，当前为{format_decimal(weight)}"]
    if weight != weight.quantize(Decimal("0.01")):
        return [f"分值「{format_decimal(weight)}」最多保留两位小数"]
    return []


def _validate_lines(items: list[str], what: str) -> list[str]:
    # Excel export joins these with newlines, so one item must stay on one line.
    return [
        f"{what}第{position}条不能换行（每条要点单列一项）"
        for position, item in enumerate(items, 1)
        if "\n" in item or "\r" in item
    ]


def _validate_elements(leaf: Indicator) -> list[str]:
    # Each element share belongs to one 评价要点: the counts must agree (no deeper syntax check).
    if not leaf.points:
        return ["要素计分（elements）的指标必须列出评价要点"]
    if not leaf.params:
        return []
    items = [item for item in re.split(r"[;；]", leaf.params) if item.strip()]
    if len(items) != len(leaf.points):
        return [f"要素计分参数有{len(items)}项，与评价要点条数（{len(leaf.points)}）不一致"]
    return []


def _validate_benchmark(benchmark: Benchmark) -> list[str]:
    errors: list[str] = []
    if not benchmark.value:
        errors.append("缺少数值（value）")
    if benchmark.year is None:
        errors.append("缺少年份（year）或年份不是整数")
    elif not EARLIEST_YEAR <= benchmark.year <= LATEST_YEAR:
        errors.append(f"年份「{benchmark.year}」不合理")
    if not benchmark.source:
        errors.append("缺少来源（source）")
    # Excel writes benchmarks as `value|year|source` items separated by semicolons.
    if any(mark in benchmark.value for mark in BENCHMARK_MARKS + ("|",)):
        errors.append("数值不能包含换行、分号或竖线“|”")
    if any(mark in benchmark.source for mark in BENCHMARK_MARKS):
        errors.append("来源不能包含换行或分号")
    return errors
