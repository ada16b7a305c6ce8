"""Questionnaire model: plain question dataclasses, Likert scales and validation (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

QUESTION_TYPES = ("single", "multiple", "likert", "matrix", "text", "number")
CHOICE_TYPES = frozenset({"single", "multiple", "likert", "matrix"})
SCORED_TYPES = frozenset({"single", "likert", "matrix"})
TYPE_NAMES = {
    "single": "单选题",
    "multiple": "多选题",
    "likert": "量表题",
    "matrix": "矩阵题",
    "text": "填空题",
    "number": "数字题",
}

# The default 5-level satisfaction scale, best first (问卷星 numbers options in this order).
LIKERT_LABELS = ("非常满意", "满意", "一般", "不满意", "非常不满意")
DEFAULT_LIKERT_SCORES = tuple(Decimal(v) for v in ("100", "80", "60", "30", "0"))
# The alternative 5..1 point map; converted to 0–100 by `points_to_percent_scale`.
FIVE_POINT_SCORES = tuple(Decimal(v) for v in ("5", "4", "3", "2", "1"))
# Other 5-level scales recognised when a questionnaire is inferred from an export.
KNOWN_SCALES = (
    LIKERT_LABELS,
    ("很满意", "比较满意", "一般", "不太满意", "很不满意"),
    ("非常同意", "同意", "一般", "不同意", "非常不同意"),
    ("非常好", "好", "一般", "差", "非常差"),
)
# Separates a matrix question's text from a row label in item names and in 问卷星 headers.
ROW_SEPARATOR = "—"
CENT = Decimal("0.01")


def points_to_percent_scale(points: Sequence[Decimal | int | str]) -> list[Decimal]:
    """Map a point scale (e.g. 5..1) linearly onto 0–100: 5,4,3,2,1 → 100,75,50,25,0."""
    values = [Decimal(str(p)) for p in points]
    low, high = min(values), max(values)
    if high == low:
        return [Decimal("100") for _ in values]
    return [((v - low) * 100 / (high - low)).quantize(CENT, rounding=ROUND_HALF_UP) for v in values]


def linear_scores(count: int) -> list[Decimal]:
    """Evenly spaced scores from 100 down to 0 for `count` levels (best first)."""
    if count <= 1:
        return [Decimal("100")] * count
    step = Decimal(100) / (count - 1)
    return [(step * (count - 1 - i)).quantize(CENT, rounding=ROUND_HALF_UP) for i in range(count)]


@dataclass
class Question:
    """One question of a questionnaire; options and scores are listed best first."""

    key: str
    text: str
    type: str
    options: list[str] = field(default_factory=list)
    scores: list[Decimal] | None = None
    satisfaction_item: bool = False
    weight: Decimal = Decimal("1")
    rows: list[str] = field(default_factory=list)
    group: bool = False
    required: bool = False

    @property
    def type_name(self) -> str:
        """The Chinese name of the question type."""
        return TYPE_NAMES.get(self.type, self.type)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    def effective_scores(self) -> list[Decimal] | None:
        """The label→score map in use: explicit scores, else the Likert default, else None."""
        if self.scores:
            return list(self.scores)
        if self.type in ("likert", "matrix") and self.options:
            if len(self.options) == len(DEFAULT_LIKERT_SCORES):
                return list(DEFAULT_LIKERT_SCORES)
            return linear_scores(len(self.options))
        return None

    def item_label(self, row: str | None = None) -> str:
        """The statistics name of the question or of one matrix row: `<text>—<row>`."""
        return self.text if row is None else f"{self.text}{ROW_SEPARATOR}{row}"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """Build from the API body `{key, text, type, options, scores, satisfaction_item, weight}`."""
        key = str(data.get("key") or "").strip()
        scores = data.get("scores")
        return cls(
            key=key,
            text=str(data.get("text") or "").strip(),
            type=str(data.get("type") or "").strip(),
            options=[str(o).strip() for o in data.get("options") or []],
            scores=None if not scores else [_to_decimal(s, key, "分值") for s in scores],
            satisfaction_item=bool(data.get("satisfaction_item", False)),
            weight=_to_decimal(data.get("weight", 1), key, "权重"),
            rows=[str(r).strip() for r in data.get("rows") or []],
            group=bool(data.get("group", False)),
            required=bool(data.get("required", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The API body; Decimals as strings."""
        return {
            "key": self.key,
            "text": self.text,
            "type": self.type,
            "options": list(self.options),
            "scores": None if self.scores is None else [_dec_str(s) for s in self.scores],
            "satisfaction_item": self.satisfaction_item,
            "weight": _dec_str(self.weight),
            "rows": list(self.rows),
            "group": self.group,
            "required": self.required,
        }


@dataclass(frozen=True)
class Item:
    """One statistical item: a choice question, or one row of a matrix question."""

    column: str
    question_key: str
    row: str | None
    label: str
    options: tuple[str, ...]
    scores: tuple[Decimal, ...] | None
    satisfaction: bool
    weight: Decimal


def item_column(key: str, row: str | None = None) -> str:
    """The column name of an item in a response frame."""
    return key if row is None else f"{key}{ROW_SEPARATOR}{row}"


def iter_items(questions: Iterable[Question]) -> list[Item]:
    """Every single-valued choice item (single, likert, each matrix row), in questionnaire order."""
    items: list[Item] = []
    for q in questions:
        if q.type not in SCORED_TYPES:
            continue
        scores = q.effective_scores()
        score_tuple = tuple(scores) if scores else None
        satisfaction = bool(q.satisfaction_item and score_tuple)
        rows: list[str | None] = list(q.rows) if q.type == "matrix" else [None]
        for row in rows:
            items.append(
                Item(
                    column=item_column(q.key, row),
                    question_key=q.key,
                    row=row,
                    label=q.item_label(row),
                    options=tuple(q.options),
                    scores=score_tuple,
                    satisfaction=satisfaction,
                    weight=q.weight,
                )
            )
    return items


def validate_questions(questions: Sequence[Question]) -> list[str]:
    """Check a questionnaire; returns Chinese error messages (empty when valid)."""
    errors: list[str] = []
    seen: set[str] = set()
    for number, q in enumerate(questions, start=1):
        name = f"第{number}题" + (f"（{q.key}）" if q.key else "")
        if not q.key:
            errors.append(f"{name}缺少题目编号（key）")
        elif q.key in seen:
            errors.append(f"{name}：题目编号“{q.key}”重复")
        seen.add(q.key)
        if ROW_SEPARATOR in q.key:
            errors.append(f"{name}：题目编号不能包含“{ROW_SEPARATOR}”")
        if not q.text:
            errors.append(f"{name}缺少题干")
        if q.type not in QUESTION_TYPES:
            allowed = "、".join(f"{t}（{TYPE_NAMES[t]}）" for t in QUESTION_TYPES)
            errors.append(f"{name}：题型“{q.type}”无效，应为 {allowed} 之一")
            continue
        errors.extend(_validate_choices(q, name))
        if q.weight < 0:
            errors.append(f"{name}：权重不能为负数（当前为 {q.weight}）")
        if q.satisfaction_item and q.effective_scores() is None:
            errors.append(f"{name}：满意度题目必须为量表题、矩阵题或设置了分值的单选题")
        if q.group and q.type not in ("single", "likert"):
            errors.append(f"{name}：只有单选题可以作为分组题")
    return errors


def _validate_choices(q: Question, name: str) -> list[str]:
    errors: list[str] = []
    if q.type in CHOICE_TYPES:
        if not q.options:
            errors.append(f"{name}（{q.type_name}）缺少选项")
        if len({o for o in q.options}) != len(q.options):
            errors.append(f"{name}：选项有重复")
        if any(not o for o in q.options):
            errors.append(f"{name}：选项不能为空")
    elif q.options:
        errors.append(f"{name}（{q.type_name}）不应设置选项")
    if q.scores is not None:
        if q.type not in SCORED_TYPES:
            errors.append(f"{name}（{q.type_name}）不能设置分值")
        elif len(q.scores) != len(q.options):
            errors.append(
                f"{name}：分值个数（{len(q.scores)}）与选项个数（{len(q.options)}）不一致"
            )
        elif any(s < 0 for s in q.scores):
            errors.append(f"{name}：分值不能为负数")
    if q.type == "matrix":
        if not q.rows:
            errors.append(f"{name}（矩阵题）缺少行")
        elif len(set(q.rows)) != len(q.rows):
            errors.append(f"{name}：矩阵行有重复")
    elif q.rows:
        errors.append(f"{name}（{q.type_name}）不应设置矩阵行")
    return errors


def questions_from_dicts(data: Iterable[Mapping[str, Any]]) -> list[Question]:
    """Build a questionnaire from API bodies."""
    return [Question.from_dict(d) for d in data]


def _to_decimal(value: Any, key: str, what: str) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except (InvalidOperation, ValueError):
            result = Decimal("NaN")
    if not result.is_finite() or isinstance(value, bool):
        raise ValueError(f"题目“{key}”：{what}“{value}”不是有效的数字")
    return result


def _dec_str(value: Decimal) -> str:
    return format(value, "f")
