"""The content of one library indicator version: conversion, validation, digest (pure).

A version holds exactly what a pack leaf holds (plus its 一级/二级 path), so packs, forms and
engagement indicators all pass through `LeafContent`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workbench.core.problems import FieldError
from workbench.library import packs, pinyin
from workbench.scoring.params import ParamError, parse_params

MAX_LENGTHS = {
    "level1": 60,
    "level2": 60,
    "name": 120,
    "definition": 4000,
    "params": 2000,
    "target": 100,
    "scoring": 4000,
    "notes": 4000,
}
MAX_TAG = 30
MAX_TAGS = 20
TAG_SEPARATORS = re.compile(r"[、,，;；\n\r]")
LINES = re.compile(r"[\r\n]+")
WEIGHT_LIMIT = Decimal(100)
# The fields of a version as pages name them (diffs list them in this order).
FIELD_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "definition": "指标解释",
    "points": "评价要点",
    "evidence": "数据来源/佐证材料",
    "standard_type": "评价标准类型",
    "rule": "计分规则",
    "params": "规则参数",
    "weight": "建议分值",
    "target": "目标值",
    "scoring": "评分标准",
    "tags": "标签",
    "benchmarks": "基准值",
    "notes": "备注",
}

EARLIEST_YEAR, LATEST_YEAR = 1949, 2100


@dataclass(frozen=True)
class BenchmarkValue:
    """A published reference value with its year and source."""

    value: str
    year: int
    source: str


@dataclass(frozen=True)
class LeafContent:
    """Everything a version holds besides its number and authorship."""

    level1: str
    level2: str
    name: str
    definition: str = ""
    points: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    standard_type: str = "计划标准"
    rule: str = "manual"
    params: str = ""
    weight: Decimal = Decimal(0)
    target: str = ""
    scoring: str = ""
    notes: str = ""
    tags: tuple[str, ...] = ()
    benchmarks: tuple[BenchmarkValue, ...] = field(default=())

    def columns(self) -> dict[str, Any]:
        """The version columns (lists and dicts as stored in JSON)."""
        return {
            "level1": self.level1,
            "level2": self.level2,
            "name": self.name,
            "definition": self.definition,
            "points": list(self.points),
            "evidence": list(self.evidence),
            "standard_type": self.standard_type,
            "rule": self.rule,
            "params": self.params,
            "weight": self.weight,
            "target": self.target,
            "scoring": self.scoring,
            "notes": self.notes,
            "tags": list(self.tags),
            "benchmarks": [
                {"value": b.value, "year": b.year, "source": b.source} for b in self.benchmarks
            ],
        }

    def digest(self) -> str:
        """SHA-256 of a canonical JSON form: equal content, equal digest."""
        data = self.columns()
        data["weight"] = format(self.weight.quantize(Decimal("0.01")), "f")
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def search_document(self) -> str:
        """The text searched: name, definition and tags, lower-cased."""
        return "\n".join([self.name, self.definition, " ".join(self.tags)]).lower()

    def pinyin_document(self) -> str:
        """The pinyin searched: initials and full pinyin of the name and the tags."""
        return pinyin.document(self.name, self.tags)


def from_pack_leaf(path: tuple[str, str, str], leaf: packs.Indicator) -> LeafContent:
    """A pack leaf as content."""
    return LeafContent(
        level1=path[0],
        level2=path[1],
        name=leaf.name,
        definition=leaf.definition,
        points=tuple(leaf.points),
        evidence=tuple(leaf.evidence),
        standard_type=leaf.standard,
        rule=leaf.rule,
        params=leaf.params,
        weight=leaf.weight,
        target=leaf.target,
        scoring=leaf.scoring,
        notes=leaf.notes,
        tags=tuple(dict.fromkeys(leaf.tags)),  # a tag listed twice is one tag
        benchmarks=tuple(
            BenchmarkValue(item.value, item.year or 0, item.source) for item in leaf.benchmarks
        ),
    )


def to_pack_leaf(content: LeafContent, *, key: str) -> packs.Indicator:
    """Content as a pack leaf with the given leaf key."""
    return packs.Indicator(
        key=key,
        name=content.name,
        definition=content.definition,
        points=list(content.points),
        evidence=list(content.evidence),
        standard=content.standard_type,
        rule=content.rule,
        params=content.params,
        weight=content.weight,
        target=content.target,
        scoring=content.scoring,
        tags=list(content.tags),
        benchmarks=[packs.Benchmark(b.value, b.year, b.source) for b in content.benchmarks],
        notes=content.notes,
    )


def from_columns(data: dict[str, Any]) -> LeafContent:
    """Content from stored version columns (a version row's attributes)."""
    return LeafContent(
        level1=data["level1"],
        level2=data["level2"],
        name=data["name"],
        definition=data.get("definition") or "",
        points=tuple(data.get("points") or ()),
        evidence=tuple(data.get("evidence") or ()),
        standard_type=data.get("standard_type") or "",
        rule=data.get("rule") or "",
        params=data.get("params") or "",
        weight=Decimal(data["weight"]),
        target=data.get("target") or "",
        scoring=data.get("scoring") or "",
        notes=data.get("notes") or "",
        tags=tuple(data.get("tags") or ()),
        benchmarks=tuple(
            BenchmarkValue(str(b["value"]), int(b["year"]), str(b["source"]))
            for b in data.get("benchmarks") or ()
        ),
    )


def split_lines(text: str | None) -> tuple[str, ...]:
    """Lines of a textarea (评价要点, 佐证材料), blanks dropped."""
    return tuple(line.strip() for line in LINES.split(text or "") if line.strip())


def split_tags(text: str | None) -> tuple[str, ...]:
    """Tags typed as 'a、b，c' or one per line; duplicates dropped, order kept."""
    found: list[str] = []
    for tag in TAG_SEPARATORS.split(text or ""):
        tag = tag.strip()
        if tag and tag not in found:
            found.append(tag)
    return tuple(found)


def parse_benchmarks(text: str | None) -> tuple[tuple[BenchmarkValue, ...], list[str]]:
    """Benchmarks typed one per line as `数值|年份|来源`; returns them and any errors."""
    values: list[BenchmarkValue] = []
    errors: list[str] = []
    for number, line in enumerate(split_lines(text), 1):
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or not parts[1].isdigit():
            errors.append(
                f"基准值第{number}行「{line}」格式应为 数值|年份|来源，如 95.7%|2023|统计公报"
            )
            continue
        values.append(BenchmarkValue(parts[0], int(parts[1]), parts[2]))
    return tuple(values), errors


def validate(content: LeafContent) -> list[FieldError]:
    """Every problem at its field, in Chinese; empty when the content can be saved."""
    errors: list[FieldError] = []

    def fail(name: str, message: str) -> None:
        errors.append(FieldError(message, field=name))

    for name, label in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标名称")):
        if not getattr(content, name).strip():
            fail(name, f"{label}不能为空")
    if not content.definition.strip():
        fail("definition", "指标解释不能为空")
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(content, name)) > limit:
            fail(name, f"内容过长（最多 {limit} 个字符）")
    if content.rule not in packs.RULES:
        fail("rule", f"规则「{content.rule or '（空）'}」未知，应为 {'、'.join(packs.RULES)} 之一")
    if content.standard_type not in packs.STANDARDS:
        fail("standard_type", f"标准类型应为 {'、'.join(packs.STANDARDS)} 之一")
    errors += _weight_errors(content.weight)
    errors += _params_errors(content)
    for name, label in (("points", "评价要点"), ("evidence", "佐证材料")):
        for position, item in enumerate(getattr(content, name), 1):
            if LINES.search(item):
                fail(name, f"{label}第{position}条不能换行")
    errors += _tag_errors(content.tags)
    for position, item in enumerate(content.benchmarks, 1):
        errors += [
            FieldError(f"基准值第{position}项{message}", field="benchmarks")
            for message in _benchmark_errors(item)
        ]
    return errors


def _weight_errors(weight: Decimal) -> list[FieldError]:
    if weight <= 0 or weight > WEIGHT_LIMIT:
        return [FieldError("分值应大于0且不超过100", field="weight")]
    if weight != weight.quantize(Decimal("0.01")):
        return [FieldError("分值最多保留两位小数", field="weight")]
    return []


def _params_errors(content: LeafContent) -> list[FieldError]:
    if content.rule not in packs.RULES:
        return []
    if content.rule == "elements" and not content.points:
        return [FieldError("要素计分（elements）的指标必须列出评价要点", field="points")]
    if content.rule == "elements" and content.params:
        items = [item for item in re.split(r"[;；]", content.params) if item.strip()]
        if len(items) != len(content.points):
            message = f"要素计分参数有{len(items)}项，与评价要点条数（{len(content.points)}）不一致"
            return [FieldError(message, field="params")]
    # Pack params are suggestions; expert scores and deductions are entered per engagement.
    if content.rule in ("expert", "deduction", "qualitative") and not content.params:
        return []
    try:
        parse_params(content.rule, content.params or None)
    except ParamError as error:
        return [FieldError(f"参数有误：{error}", field="params")]
    return []


def _tag_errors(tags: tuple[str, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(tags) > MAX_TAGS:
        errors.append(FieldError(f"标签最多 {MAX_TAGS} 个", field="tags"))
    if len(set(tags)) != len(tags):
        errors.append(FieldError("标签有重复", field="tags"))
    for tag in tags:
        if TAG_SEPARATORS.search(tag) or len(tag) > MAX_TAG:
            message = f"标签「{tag}」不能含顿号、逗号、分号，且不超过{MAX_TAG}字"
            errors.append(FieldError(message, field="tags"))
    return errors


def _benchmark_errors(item: BenchmarkValue) -> list[str]:
    errors = []
    if not item.value.strip():
        errors.append("缺少数值")
    if not EARLIEST_YEAR <= item.year <= LATEST_YEAR:
        errors.append(f"年份「{item.year}」不合理")
    if not item.source.strip():
        errors.append("缺少来源")
    if any(mark in item.value for mark in ("|", ";", "；", "\n")):
        errors.append("数值不能包含分号、竖线或换行")
    if any(mark in item.source for mark in (";", "；", "\n")):
        errors.append("来源不能包含分号或换行")
    return errors
