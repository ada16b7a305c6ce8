"""Working-paper templates as data: field types, parsing and validation of a template (pure).

The format is documented in paper_templates/README.md. Shipped templates are the YAML files in
paper_templates/; an agency's own templates are the same structure stored in the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.core import yaml_text
from workbench.engagements.stages import STAGE_NAMES, Stage
from workbench.fieldwork.numbering import STAGE_LETTERS, is_area

SHIPPED_DIR = Path(__file__).parent / "paper_templates"

FIELD_TYPES: dict[str, str] = {
    "text": "文本",
    "number": "数字",
    "money": "金额（元）",
    "date": "日期",
    "choice": "选项",
    "table": "表格",
}
# Table columns take the scalar types plus `ratio`, derived for display from two other columns.
COLUMN_TYPES: dict[str, str] = {k: v for k, v in FIELD_TYPES.items() if k != "table"} | {
    "ratio": "比率（计算列）"
}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TEMPLATE_KEYS = {"key", "name", "stage", "area", "description", "fields"}
_FIELD_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "multiline",
    "choices",
    "help",
    "unit",
    "default",
    "columns",
    "totals",
    "default_rows",
    "numerator",
    "denominator",
}


class TemplateError(ValueError):
    """A template that cannot be used; `issues` lists every problem in Chinese."""

    def __init__(self, issues: list[str]):
        super().__init__("；".join(issues))
        self.issues = issues


@dataclass(frozen=True)
class FieldSpec:
    """One structured field of a paper (or one column of a table field)."""

    key: str
    label: str
    type: str
    required: bool = False
    multiline: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    unit: str = ""
    default: str = ""
    columns: tuple[FieldSpec, ...] = ()
    totals: bool = False
    default_rows: tuple[tuple[tuple[str, str], ...], ...] = ()
    numerator: str = ""
    denominator: str = ""

    @property
    def type_name(self) -> str:
        return COLUMN_TYPES.get(self.type) or FIELD_TYPES[self.type]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label, "type": self.type}
        optional = {
            "required": self.required,
            "multiline": self.multiline,
            "choices": list(self.choices),
            "help": self.help,
            "unit": self.unit,
            "default": self.default,
            "totals": self.totals,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }
        data.update({k: v for k, v in optional.items() if v})
        if self.columns:
            data["columns"] = [c.as_dict() for c in self.columns]
        if self.default_rows:
            data["default_rows"] = [dict(row) for row in self.default_rows]
        return data


@dataclass(frozen=True)
class TemplateSpec:
    """A working-paper template: where its papers are numbered and which fields they carry."""

    key: str
    name: str
    stage: str
    area: str
    fields: tuple[FieldSpec, ...]
    description: str = ""
    source: str = "shipped"  # shipped | agency
    id: int | None = None
    active: bool = True

    @property
    def letter(self) -> str:
        return STAGE_LETTERS[Stage(self.stage)]

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES[Stage(self.stage)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "stage": self.stage,
            "area": self.area,
            "description": self.description,
            "fields": [f.as_dict() for f in self.fields],
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _bool(value: Any, where: str, name: str, issues: list[str]) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    issues.append(f"{where}：{name} 应为 true 或 false")
    return False


def _field(raw: Any, where: str, issues: list[str], *, column: bool = False) -> FieldSpec | None:
    if not isinstance(raw, Mapping):
        issues.append(f"{where}：应为包含 key、label、type 的映射")
        return None
    unknown = sorted(set(map(str, raw)) - _FIELD_KEYS)
    if unknown:
        issues.append(f"{where}：不认识的属性 {'、'.join(unknown)}")
    key, label, kind = _text(raw.get("key")), _text(raw.get("label")), _text(raw.get("type"))
    if not _KEY.match(key):
        issues.append(f"{where}：key“{key}”应为小写英文字母开头的字母、数字或下划线（≤40 个字符）")
    if not label or len(label) > 60:
        issues.append(f"{where}：label 不能为空且不超过 60 个字符")
    allowed = COLUMN_TYPES if column else FIELD_TYPES
    if kind not in allowed:
        issues.append(f"{where}：类型“{kind}”无效，可用类型：{'、'.join(allowed)}")
        return None
    choices = raw.get("choices") or []
    if not isinstance(choices, list) or not all(_text(c) for c in choices):
        issues.append(f"{where}：choices 应为非空文字列表")
        choices = []
    choices = tuple(_text(c) for c in choices)
    if kind == "choice" and not choices:
        issues.append(f"{where}：选项字段须列出 choices")
    if len(set(choices)) != len(choices):
        issues.append(f"{where}：choices 有重复项")
    columns: tuple[FieldSpec, ...] = ()
    default_rows: tuple = ()
    if kind == "table":
        columns, default_rows = _table(raw, where, issues)
    if kind == "ratio":
        numerator, denominator = _text(raw.get("numerator")), _text(raw.get("denominator"))
        if not numerator or not denominator:
            issues.append(
                f"{where}：比率列须写明 numerator 和 denominator（两个数字或金额列的 key）"
            )
    default = raw.get("default")
    if default is not None and not isinstance(default, str | int | float):
        issues.append(f"{where}：default 应为文字或数字")
        default = None
    return FieldSpec(
        key=key,
        label=label,
        type=kind,
        required=_bool(raw.get("required"), where, "required", issues),
        multiline=_bool(raw.get("multiline"), where, "multiline", issues),
        choices=choices,
        help=_text(raw.get("help"))[:200],
        unit=_text(raw.get("unit"))[:20],
        default=_text(default),
        columns=columns,
        totals=_bool(raw.get("totals"), where, "totals", issues),
        default_rows=default_rows,
        numerator=_text(raw.get("numerator")),
        denominator=_text(raw.get("denominator")),
    )


def _table(raw: Mapping, where: str, issues: list[str]) -> tuple[tuple[FieldSpec, ...], tuple]:
    raw_columns = raw.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        issues.append(f"{where}：表格字段须列出 columns")
        return (), ()
    columns = tuple(
        c
        for i, item in enumerate(raw_columns, start=1)
        if (c := _field(item, f"{where}第{i}列", issues, column=True)) is not None
    )
    keys = [c.key for c in columns]
    if len(set(keys)) != len(keys):
        issues.append(f"{where}：列的 key 有重复")
    numeric = {c.key for c in columns if c.type in ("number", "money")}
    for c in columns:
        if c.type == "ratio" and not {c.numerator, c.denominator} <= numeric:
            issues.append(f"{where}列“{c.label}”：numerator/denominator 须是本表的数字或金额列")
    rows = raw.get("default_rows") or []
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        issues.append(f"{where}：default_rows 应为映射列表")
        return columns, ()
    prefilled = []
    for n, row in enumerate(rows, start=1):
        extra = sorted(set(map(str, row)) - set(keys))
        if extra:
            issues.append(f"{where}：default_rows 第{n}行有未定义的列 {'、'.join(extra)}")
        prefilled.append(tuple((str(k), _text(v)) for k, v in row.items() if str(k) in keys))
    return columns, tuple(prefilled)


def parse_template(data: Any, *, source: str = "agency", id: int | None = None) -> TemplateSpec:  # noqa: A002
    """Validate a template mapping (from YAML or the database); TemplateError lists every issue."""
    issues: list[str] = []
    if not isinstance(data, Mapping):
        raise TemplateError(["模板内容应为 YAML 映射（key、name、stage、area、fields）"])
    unknown = sorted(set(map(str, data)) - _TEMPLATE_KEYS)
    if unknown:
        issues.append(f"不认识的模板属性 {'、'.join(unknown)}")
    key, name = _text(data.get("key")), _text(data.get("name"))
    stage, area = _text(data.get("stage")), data.get("area")
    # YAML reads an unquoted 03 as the integer 3.
    area = f"{area:02d}" if isinstance(area, int) and not isinstance(area, bool) else _text(area)
    if not _KEY.match(key):
        issues.append(f"模板 key“{key}”应为小写英文字母开头的字母、数字或下划线（≤40 个字符）")
    if not name or len(name) > 60:
        issues.append("模板名称 name 不能为空且不超过 60 个字符")
    if stage not in Stage.__members__:
        issues.append(f"阶段 stage“{stage}”无效，可用：{'、'.join(Stage.__members__)}")
    if not is_area(area):
        issues.append(f'区号 area“{area}”应为两位数字 01–99，如 "03"')
    raw_fields = data.get("fields")
    fields: list[FieldSpec] = []
    if not isinstance(raw_fields, list) or not raw_fields:
        issues.append("fields 须列出至少一个字段")
    else:
        for i, item in enumerate(raw_fields, start=1):
            spec = _field(item, f"第{i}个字段", issues)
            if spec is not None:
                fields.append(spec)
        keys = [f.key for f in fields]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            issues.append(f"字段 key 重复：{'、'.join(duplicated)}")
    if issues:
        raise TemplateError(issues)
    return TemplateSpec(
        key=key,
        name=name,
        stage=stage,
        area=area,
        fields=tuple(fields),
        description=_text(data.get("description"))[:1000],
        source=source,
        id=id,
    )


def load_yaml(text: str) -> Any:
    """Parse YAML text safely; TemplateError with the line when it is not valid YAML."""
    try:
        return yaml_text.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise TemplateError([f"YAML 格式错误{where}：{getattr(error, 'problem', error)}"]) from None


def dump_yaml(spec: TemplateSpec) -> str:
    """The template as YAML text in the documented format."""
    return yaml.safe_dump(spec.as_dict(), allow_unicode=True, sort_keys=False, width=100)


@lru_cache(maxsize=4)
def _shipped(folder: str) -> tuple[TemplateSpec, ...]:
    found = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            found.append(parse_template(load_yaml(path.read_text("utf-8")), source="shipped"))
        except TemplateError as error:
            raise TemplateError([f"{path.name}：{issue}" for issue in error.issues]) from None
    keys = [t.key for t in found]
    if len(set(keys)) != len(keys):
        raise TemplateError(["随附模板的 key 有重复"])
    return tuple(found)


def shipped_templates(folder: Path = SHIPPED_DIR) -> dict[str, TemplateSpec]:
    """The templates shipped in paper_templates/, by key, in file-name order."""
    return {t.key: t for t in _shipped(str(folder))}


def fields_from(spec_dict: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """The field specs of a template dict stored on a paper (a snapshot taken at creation)."""
    return parse_template(spec_dict).fields


def field_templates_example() -> str:
    """A short YAML sample for the template form."""
    return (
        "key: water_site_check\n"
        "name: 水利工程现场核查表\n"
        "stage: fieldwork\n"
        'area: "09"\n'
        "description: 逐个工程点核查建设内容和质量\n"
        "fields:\n"
        "  - {key: site, label: 核查地点, type: text, required: true}\n"
        "  - {key: check_date, label: 核查日期, type: date, required: true}\n"
        "  - {key: result, label: 核查结论, type: choice, choices: [符合, 基本符合, 不符合]}\n"
        "  - key: items\n"
        "    label: 核查明细\n"
        "    type: table\n"
        "    totals: true\n"
        "    columns:\n"
        "      - {key: item, label: 工程内容, type: text}\n"
        "      - {key: planned, label: 计划投资, type: money}\n"
        "      - {key: actual, label: 实际投资, type: money}\n"
        "      - {key: rate, label: 完成率, type: ratio, numerator: actual, denominator: planned}\n"
    )
