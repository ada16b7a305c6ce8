"""Indicator library packs: load YAML packs from disk or text (pure: no Flask, no session).

A pack is one YAML file under ``indicator_library/`` (schema: ``indicator_library/README.md``):
metadata plus a tree 一级 → 二级 → 三级 whose leaves are indicators. This module is the one entry
point callers import: it re-exports the model (``pack_schema``), ``validate_pack``
(``pack_validation``), ``dump_yaml`` (``pack_dump``) and the Excel import/export (``pack_excel``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from workbench.core import yaml_text
from workbench.library.pack_dump import dump_yaml, pack_to_dict
from workbench.library.pack_excel import export_excel, import_excel
from workbench.library.pack_schema import (
    COMMON_TOTAL,
    ENGAGEMENT_TYPES,
    KINDS,
    RULES,
    STANDARDS,
    Benchmark,
    Indicator,
    LeafEntry,
    Level1,
    Level2,
    Pack,
    PackError,
    find_indicator,
    flatten,
    parse_decimal,
    rule_key,
    stale_benchmarks,
    total_weight,
)
from workbench.library.pack_validation import validate_library, validate_pack

__all__ = [
    "COMMON_TOTAL",
    "ENGAGEMENT_TYPES",
    "KINDS",
    "RULES",
    "STANDARDS",
    "Benchmark",
    "Indicator",
    "LeafEntry",
    "Level1",
    "Level2",
    "Pack",
    "PackError",
    "default_library_root",
    "dump_yaml",
    "export_excel",
    "find_indicator",
    "flatten",
    "import_excel",
    "load_all",
    "load_pack",
    "pack_to_dict",
    "rule_key",
    "stale_benchmarks",
    "total_weight",
    "validate_library",
    "validate_pack",
]

PACK_FIELDS = ("key", "name", "kind", "engagement_types", "sector", "version", "source", "notes")
LEVEL_FIELDS = ("name", "children")
INDICATOR_FIELDS = (
    "key",
    "name",
    "definition",
    "points",
    "evidence",
    "standard",
    "rule",
    "params",
    "weight",
    "target",
    "scoring",
    "tags",
    "benchmarks",
    "notes",
)
BENCHMARK_FIELDS = ("value", "year", "source")
PACK_FOLDERS = {"common": "common", "sectors": "sector"}
_SUFFIXES = (".yaml", ".yml")


def default_library_root() -> Path:
    """The ``indicator_library`` folder of the source tree, next to the ``workbench`` package."""
    return Path(__file__).resolve().parents[2] / "indicator_library"


# ---------------------------------------------------------------------------------------------
# Loading


def load_pack(source: str | bytes | Path, *, origin: str | None = None) -> Pack:
    """Load a pack from a file path, YAML text or bytes; raise PackError with Chinese messages.

    A ``str`` is a path when it is one line ending in ``.yaml``/``.yml``, otherwise YAML text.
    ``origin`` names the pack in messages (default: the path, if any).
    """
    if isinstance(source, Path):
        path: Path | None = source
    elif isinstance(source, str) and "\n" not in source and source.strip().endswith(_SUFFIXES):
        path = Path(source.strip())
    else:
        path = None
    origin = origin if origin is not None else (str(path) if path else "")
    if path is not None:
        text = _read_file(path, origin=origin)
    elif isinstance(source, bytes):
        text = _decode(source, origin=origin)
    else:
        text = str(source)
    try:
        data = yaml_text.load(text)
    except yaml.YAMLError as exc:
        raise PackError([_prefix(origin) + _yaml_error_message(exc)]) from exc
    errors: list[str] = []
    pack = _build_pack(data, errors)
    if errors:
        raise PackError([_prefix(origin) + message for message in errors])
    pack.origin = origin
    return pack


def load_all(root: str | Path) -> list[Pack]:
    """Load every pack under ``root/common`` and ``root/sectors``; raise PackError listing all."""
    root = Path(root)
    if not root.is_dir():
        raise PackError([f"指标库目录不存在：{root}"])
    packs: list[Pack] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for folder, kind in PACK_FOLDERS.items():
        paths = sorted(path for suffix in _SUFFIXES for path in root.glob(f"{folder}/*{suffix}"))
        for path in paths:
            relative = path.relative_to(root).as_posix()
            try:
                pack = load_pack(path, origin=relative)
            except PackError as exc:
                errors.extend(exc.messages)
                continue
            pack.origin = relative
            if pack.kind != kind:
                errors.append(f"{relative}：位于 {folder}/ 目录的指标包，类型（kind）应为 {kind}")
            if pack.key in seen:
                errors.append(f"{relative}：指标包代码「{pack.key}」与 {seen[pack.key]} 重复")
            seen.setdefault(pack.key, relative)
            packs.append(pack)
    if errors:
        raise PackError(errors)
    return packs


def _read_file(path: Path, *, origin: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackError([f"无法读取指标包文件 {path}：{exc.strerror or exc}"]) from exc
    return _decode(raw, origin=origin)


def _decode(raw: bytes, *, origin: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackError([_prefix(origin) + "指标包文件必须使用 UTF-8 编码"]) from exc


def _prefix(origin: str) -> str:
    return f"{origin}：" if origin else ""


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"YAML 格式错误（第{mark.line + 1}行第{mark.column + 1}列）：{problem}"
    return f"YAML 格式错误：{problem}"


def _build_pack(data: Any, errors: list[str]) -> Pack:
    if not isinstance(data, dict):
        errors.append("指标包内容必须是键值映射（顶层应为 key: value 形式）")
        return Pack(key="", name="", kind="")
    _unknown_fields(data, PACK_FIELDS + ("indicators",), "指标包", errors)
    pack = Pack(
        key=_text(data.get("key"), "指标包代码（key）", errors),
        name=_text(data.get("name"), "指标包名称（name）", errors),
        kind=_text(data.get("kind"), "指标包类型（kind）", errors),
        engagement_types=_text_list(data.get("engagement_types"), "适用评价类型", errors),
        sector=_text(data.get("sector"), "领域（sector）", errors) or None,
        version=_text(data.get("version"), "版本（version）", errors),
        source=_text(data.get("source"), "来源（source）", errors),
        notes=_text(data.get("notes"), "说明（notes）", errors),
    )
    pack.indicators = [
        _build_level1(item, index, errors)
        for index, item in enumerate(_list(data.get("indicators"), "指标（indicators）", errors), 1)
    ]
    return pack


def _build_level1(data: Any, index: int, errors: list[str]) -> Level1:
    where = f"第{index}个一级指标"
    if not isinstance(data, dict):
        errors.append(f"{where}必须是包含 name 和 children 的映射")
        return Level1(name="")
    name = _text(data.get("name"), f"{where}名称", errors)
    where = f"一级指标「{name}」" if name else where
    _unknown_fields(data, LEVEL_FIELDS, where, errors)
    children = [
        _build_level2(item, f"{where}下第{position}个二级指标", errors)
        for position, item in enumerate(_list(data.get("children"), f"{where}的下级", errors), 1)
    ]
    return Level1(name=name, children=children)


def _build_level2(data: Any, where: str, errors: list[str]) -> Level2:
    if not isinstance(data, dict):
        errors.append(f"{where}必须是包含 name 和 children 的映射")
        return Level2(name="")
    name = _text(data.get("name"), f"{where}名称", errors)
    where = f"二级指标「{name}」" if name else where
    _unknown_fields(data, LEVEL_FIELDS, where, errors)
    children = [
        _build_indicator(item, f"{where}下第{position}个三级指标", errors)
        for position, item in enumerate(_list(data.get("children"), f"{where}的下级", errors), 1)
    ]
    return Level2(name=name, children=children)


def _build_indicator(data: Any, where: str, errors: list[str]) -> Indicator:
    if not isinstance(data, dict):
        errors.append(f"{where}必须是映射（key: value 形式）")
        return Indicator(key="", name="")
    name = _text(data.get("name"), f"{where}名称", errors)
    where = f"三级指标「{name}」" if name else where
    _unknown_fields(data, INDICATOR_FIELDS, where, errors)
    weight = parse_decimal(data.get("weight"))
    if weight is None:
        errors.append(f"{where}：分值（weight）「{data.get('weight')}」不是有效数字")
        weight = Decimal(0)
    return Indicator(
        key=_text(data.get("key"), f"{where}代码（key）", errors),
        name=name,
        definition=_text(data.get("definition"), f"{where}指标解释", errors),
        points=_text_list(data.get("points"), f"{where}评价要点", errors),
        evidence=_text_list(data.get("evidence"), f"{where}佐证材料", errors),
        standard=_text(data.get("standard"), f"{where}标准类型", errors),
        rule=_text(data.get("rule"), f"{where}规则", errors),
        params=_text(data.get("params"), f"{where}参数", errors),
        weight=weight,
        target=_text(data.get("target"), f"{where}目标值", errors),
        scoring=_text(data.get("scoring"), f"{where}评分标准", errors),
        tags=_text_list(data.get("tags"), f"{where}标签", errors),
        benchmarks=[
            _build_benchmark(item, f"{where}第{position}个基准值", errors)
            for position, item in enumerate(_list(data.get("benchmarks"), where, errors), 1)
        ],
        notes=_text(data.get("notes"), f"{where}备注", errors),
    )


def _build_benchmark(data: Any, where: str, errors: list[str]) -> Benchmark:
    if not isinstance(data, dict):
        errors.append(f"{where}必须是包含 value、year、source 的映射")
        return Benchmark(value="", year=None, source="")
    _unknown_fields(data, BENCHMARK_FIELDS, where, errors)
    return Benchmark(
        value=_text(data.get("value"), f"{where}数值", errors),
        year=_year(data.get("year")),
        source=_text(data.get("source"), f"{where}来源", errors),
    )


def _unknown_fields(data: dict, known: tuple[str, ...], where: str, errors: list[str]) -> None:
    for name in data:
        if name not in known:
            errors.append(f"{where}含有未知字段「{name}」（可用字段：{'、'.join(known)}）")


def _text(value: Any, what: str, errors: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, dict, list)):
        errors.append(f"{what}应为文字，实际为「{value}」")
        return ""
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _text_list(value: Any, what: str, errors: list[str]) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [text for item in items if (text := _text(item, what, errors))]


def _list(value: Any, what: str, errors: list[str]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{what}应为列表（以“- ”开头的多行）")
        return []
    return value


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
