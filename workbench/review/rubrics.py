"""Quality-rating rubrics (质量考核表) as data: parsing, validation, the built-ins, scoring (pure).

A rubric has scored items (each 0..max, with band descriptions) and/or deductions (points taken
off per counted error). With items the full mark is Σ max; a deduction-only rubric states its
`base`. Either way the full mark is 100, because the deposit release table is on a 100 scale.
Total = (Σ item scores or base) − Σ count × points, never below 0, rounded half-up to 2 places.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import yaml

from workbench.core import yaml_text
from workbench.review.rubric_defaults import DEDUCTION, STANDARD

FULL_MARK = Decimal("100")
CENT = Decimal("0.01")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_BAND = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(?:分)?\s*[-–—~至]\s*(\d+(?:\.\d+)?)\s*(?:分)?\s*[:：]?\s*(.*)$"
)


class RubricError(ValueError):
    """A rubric definition or a filled-in rubric that cannot be accepted; details name the item."""

    def __init__(self, details: list[dict]):
        super().__init__("; ".join(d["message"] for d in details))
        self.details = details


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal
    text: str

    def as_text(self) -> str:
        return f"{_num(self.low)}-{_num(self.high)}：{self.text}"


@dataclass(frozen=True)
class Item:
    key: str
    name: str
    max: Decimal
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class Deduction:
    key: str
    name: str
    points: Decimal
    max_count: int | None = None


@dataclass(frozen=True)
class Rubric:
    name: str
    items: tuple[Item, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    base: Decimal | None = None

    @property
    def full_mark(self) -> Decimal:
        return self.base if self.base is not None else sum((i.max for i in self.items), Decimal(0))

    @property
    def style(self) -> str:
        return "points" if self.items else "deduction"


@dataclass(frozen=True)
class Result:
    """A filled-in rubric: scores per item, counts per deduction, the total."""

    scores: dict[str, Decimal]
    counts: dict[str, int]
    deducted: Decimal
    total: Decimal


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace("，", "").replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _places_ok(value: Decimal) -> bool:
    return value == value.quantize(CENT)


# --- definitions ----------------------------------------------------------------------------


def _bands(raw: Any, item: str, maximum: Decimal, errors: list[dict]) -> tuple[Band, ...]:
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list):
        errors.append({"field": "definition", "message": f"“{item}”的档次说明须为列表"})
        return ()
    bands = []
    for n, entry in enumerate(raw, start=1):
        if isinstance(entry, Mapping):
            low, high = _decimal(entry.get("low")), _decimal(entry.get("high"))
            text = str(entry.get("text") or "").strip()
        else:
            match = _BAND.match(str(entry))
            low, high, text = (
                (Decimal(match[1]), Decimal(match[2]), match[3].strip())
                if match
                else (None, None, "")
            )
        if low is None or high is None or not text:
            errors.append(
                {
                    "field": "definition",
                    "message": f"“{item}”第 {n} 档格式应为“下限-上限：说明”，如“13-15：专业结构合理”",
                }
            )
            continue
        if not (0 <= low <= high <= maximum):
            errors.append(
                {
                    "field": "definition",
                    "message": f"“{item}”第 {n} 档的分数范围须在 0–{_num(maximum)} 之间且下限不大于上限",
                }
            )
            continue
        bands.append(Band(low, high, text[:300]))
    return tuple(bands)


def _key(raw: Any, fallback: str, what: str, errors: list[dict], seen: set[str]) -> str:
    key = str(raw).strip() if raw not in (None, "") else fallback
    if not _KEY.match(key):
        errors.append(
            {
                "field": "definition",
                "message": f"“{what}”的 key 只能由字母、数字和下划线组成且以字母开头",
            }
        )
    elif key in seen:
        errors.append({"field": "definition", "message": f"key “{key}”重复"})
    seen.add(key)
    return key


def rubric_from_data(data: Any, *, name: str) -> Rubric:
    """Validate a rubric given as a mapping {items, deductions, base}; errors name the item."""
    errors: list[dict] = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": "请填写考核表名称"})
    if not isinstance(data, Mapping):
        raise RubricError(
            errors + [{"field": "definition", "message": "考核表内容须包含 items 或 deductions"}]
        )
    unknown = set(data) - {"items", "deductions", "base"}
    if unknown:
        errors.append(
            {
                "field": "definition",
                "message": f"无法识别的项：{'、'.join(sorted(map(str, unknown)))}（只允许 items、deductions、base）",
            }
        )
    seen: set[str] = set()
    items = []
    for n, raw in enumerate(data.get("items") or [], start=1):
        if not isinstance(raw, Mapping):
            errors.append({"field": "definition", "message": f"第 {n} 个评分项目格式有误"})
            continue
        item_name = str(raw.get("name") or "").strip()
        label = item_name or f"第 {n} 个评分项目"
        if not item_name:
            errors.append({"field": "definition", "message": f"{label}缺少名称（name）"})
        maximum = _decimal(raw.get("max"))
        if maximum is None or maximum <= 0 or not _places_ok(maximum):
            errors.append(
                {"field": "definition", "message": f"“{label}”的分值（max）须为正数，最多两位小数"}
            )
            maximum = Decimal(0)
        key = _key(raw.get("key"), f"i{n}", label, errors, seen)
        items.append(
            Item(key, item_name[:100], maximum, _bands(raw.get("bands"), label, maximum, errors))
        )
    deductions = []
    for n, raw in enumerate(data.get("deductions") or [], start=1):
        if not isinstance(raw, Mapping):
            errors.append({"field": "definition", "message": f"第 {n} 个扣分项目格式有误"})
            continue
        item_name = str(raw.get("name") or "").strip()
        label = item_name or f"第 {n} 个扣分项目"
        if not item_name:
            errors.append({"field": "definition", "message": f"{label}缺少名称（name）"})
        points = _decimal(raw.get("points"))
        if points is None or points <= 0 or not _places_ok(points):
            errors.append(
                {
                    "field": "definition",
                    "message": f"“{label}”每处扣分（points）须为正数，最多两位小数",
                }
            )
            points = Decimal(0)
        max_count = raw.get("max_count")
        if max_count is not None and (not isinstance(max_count, int) or max_count < 1):
            errors.append(
                {"field": "definition", "message": f"“{label}”的最多次数（max_count）须为正整数"}
            )
            max_count = None
        key = _key(raw.get("key"), f"d{n}", label, errors, seen)
        deductions.append(Deduction(key, item_name[:100], points, max_count))
    base = _decimal(data.get("base")) if data.get("base") not in (None, "") else None
    if not items and not deductions:
        errors.append({"field": "definition", "message": "考核表至少须有一个评分项目或扣分项目"})
    if items and base is not None:
        errors.append(
            {"field": "definition", "message": "有评分项目时满分为各项分值之和，不能再设置 base"}
        )
    if not items and deductions and base is None:
        errors.append({"field": "definition", "message": "扣分制考核表须设置基础分 base（如 100）"})
    rubric = Rubric(name[:100], tuple(items), tuple(deductions), base)
    if not errors and rubric.full_mark != FULL_MARK:
        errors.append(
            {
                "field": "definition",
                "message": f"满分须为 100 分（当前为 {_num(rubric.full_mark)} 分）：保证金释放比例按百分制计算",
            }
        )
    if errors:
        raise RubricError(errors)
    return rubric


def rubric_from_text(text: str, *, name: str) -> Rubric:
    """Parse the admin's YAML (or JSON) text of a rubric."""
    try:
        data = yaml_text.load(text or "")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise RubricError(
            [
                {
                    "field": "definition",
                    "message": f"考核表内容格式有误{('（' + where + '）') if where else ''}",
                }
            ]
        ) from None
    return rubric_from_data(data, name=name)


def rubric_to_data(rubric: Rubric) -> dict:
    """A JSON-safe mapping (Decimals as strings) that rubric_from_data reads back."""
    data: dict[str, Any] = {}
    if rubric.items:
        data["items"] = [
            {
                "key": i.key,
                "name": i.name,
                "max": _num(i.max),
                **({"bands": [b.as_text() for b in i.bands]} if i.bands else {}),
            }
            for i in rubric.items
        ]
    if rubric.deductions:
        data["deductions"] = [
            {
                "key": d.key,
                "name": d.name,
                "points": _num(d.points),
                **({"max_count": d.max_count} if d.max_count else {}),
            }
            for d in rubric.deductions
        ]
    if rubric.base is not None:
        data["base"] = _num(rubric.base)
    return data


def rubric_to_text(rubric: Rubric) -> str:
    return yaml.safe_dump(rubric_to_data(rubric), allow_unicode=True, sort_keys=False, width=100)


# --- filling in -----------------------------------------------------------------------------


def score(rubric: Rubric, scores: Mapping[str, Any], counts: Mapping[str, Any]) -> Result:
    """Check a filled-in rubric (scores within [0, max], counts whole and ≥ 0) and total it."""
    errors: list[dict] = []
    got: dict[str, Decimal] = {}
    for item in rubric.items:
        raw = scores.get(item.key)
        value = _decimal(raw) if raw not in (None, "") else None
        field = f"score_{item.key}"
        if raw in (None, ""):
            errors.append({"field": field, "message": f"请填写“{item.name}”的得分"})
        elif value is None:
            errors.append({"field": field, "message": f"“{item.name}”的得分“{raw}”不是有效的数字"})
        elif not (0 <= value <= item.max):
            errors.append(
                {"field": field, "message": f"“{item.name}”的得分须在 0–{_num(item.max)} 分之间"}
            )
        elif not _places_ok(value):
            errors.append({"field": field, "message": f"“{item.name}”的得分最多保留两位小数"})
        else:
            got[item.key] = q2(value)
    counted: dict[str, int] = {}
    for deduction in rubric.deductions:
        raw = counts.get(deduction.key)
        field = f"count_{deduction.key}"
        text = "" if raw is None else str(raw).strip()
        if text == "":
            counted[deduction.key] = 0
            continue
        if not text.isdigit():
            errors.append({"field": field, "message": f"“{deduction.name}”的次数须为 0 或正整数"})
            continue
        number = int(text)
        if deduction.max_count is not None and number > deduction.max_count:
            errors.append(
                {
                    "field": field,
                    "message": f"“{deduction.name}”最多计 {deduction.max_count} 次",
                }
            )
            continue
        counted[deduction.key] = number
    unknown = (set(scores) - {i.key for i in rubric.items}) | (
        set(counts) - {d.key for d in rubric.deductions}
    )
    if unknown:
        errors.append(
            {"field": "scores", "message": f"考核表中没有这些项目：{'、'.join(sorted(unknown))}"}
        )
    if errors:
        raise RubricError(errors)
    deducted = q2(sum((d.points * counted[d.key] for d in rubric.deductions), Decimal(0)))
    start = rubric.base if rubric.base is not None else sum(got.values(), Decimal(0))
    total = q2(max(start - deducted, Decimal(0)))
    return Result(got, counted, deducted, total)


# --- the built-in defaults (DOMAIN.md §7); an agency's own rubrics replace them -------------

STANDARD_KEY = "builtin:standard"
DEDUCTION_KEY = "builtin:deduction"

BUILTINS: dict[str, Rubric] = {
    STANDARD_KEY: rubric_from_data(STANDARD, name="质量考核表（百分制，默认）"),
    DEDUCTION_KEY: rubric_from_data(DEDUCTION, name="报告差错扣分表（默认）"),
}
