"""The facts every document of an engagement repeats: keys, labels, units, how they are shown (pure).

Money is stored in 元 and shown in 万元 to 2 places; rates are stored as percentages (96.00 for 96.00 %);
counts as plain numbers. A fact's display text ("1,250.00万元", "96.00%", "52,000人") is also what an
indicator bound to it shows as its 目标值/实际值, so the scoring engine parses the same text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
LIMIT = Decimal("1e15")
ALL_TYPES: tuple[str, ...] = ("project", "self_eval_review", "department", "ex_ante")
DEPARTMENT: tuple[str, ...] = ("department",)


@dataclass(frozen=True)
class FactDef:
    """One kind of fact: its key, label, unit and the words a narrative uses for it."""

    key: str
    label: str
    kind: str  # money (元, shown in 万元) | percent | count
    unit: str  # as shown: 万元, %, 人, 个
    aliases: tuple[str, ...] = ()
    types: tuple[str, ...] = ALL_TYPES
    derived_from: tuple[str, str] | None = None  # (numerator, denominator) for a rate


FACTS: tuple[FactDef, ...] = (
    FactDef("budget", "预算资金", "money", "万元", ("预算资金", "预算金额", "预算总额", "年度预算")),
    FactDef("adjusted_budget", "调整后预算", "money", "万元", ("调整后预算", "调整预算")),
    FactDef("received", "实际到位资金", "money", "万元", ("实际到位资金", "到位资金", "资金到位")),
    FactDef("spent", "实际支出", "money", "万元", ("实际支出", "支出资金", "已支出")),
    FactDef(
        "availability_rate", "资金到位率", "percent", "%", ("资金到位率", "到位率"),
        derived_from=("received", "budget"),
    ),
    FactDef(
        "execution_rate", "预算执行率", "percent", "%", ("预算执行率", "执行率"),
        derived_from=("spent", "received"),
    ),
    FactDef("beneficiaries_planned", "计划受益人数", "count", "人", ("计划受益",)),
    FactDef("beneficiaries", "实际受益人数", "count", "人", ("受益学生", "受益人数", "受益群众")),
    FactDef("units_covered", "覆盖单位数", "count", "个", ("覆盖学校", "覆盖单位")),
    FactDef("staff_authorised", "编制人数", "count", "人", ("编制人数", "核定编制"), DEPARTMENT),
    FactDef("staff_actual", "实有人数", "count", "人", ("实有人数", "在职人员"), DEPARTMENT),
    FactDef("internal_units", "内设机构数", "count", "个", ("内设机构",), DEPARTMENT),
    FactDef("subordinate_units", "下属单位数", "count", "个", ("下属单位",), DEPARTMENT),
    FactDef("basic_expenditure", "基本支出", "money", "万元", ("基本支出",), DEPARTMENT),
    FactDef("project_expenditure", "项目支出", "money", "万元", ("项目支出",), DEPARTMENT),
    FactDef("three_public_budget", "“三公”经费预算", "money", "万元", ("三公经费预算",), DEPARTMENT),
    FactDef("three_public_spent", "“三公”经费支出", "money", "万元", ("三公经费支出",), DEPARTMENT),
)  # fmt: skip
BY_KEY = {f.key: f for f in FACTS}
# Columns of a working paper's table whose totals are facts (D-07 财务核查表).
PAPER_COLUMNS = {
    "budget": "budget",
    "available": "received",
    "spent": "spent",
    "availability": "availability_rate",
    "execution": "execution_rate",
}
TOKEN = re.compile(r"\{\{\s*fact:([a-z_]{1,40})\s*\}\}")


def for_type(engagement_type: str) -> list[FactDef]:
    """The facts an engagement of this type records, in display order."""
    return [f for f in FACTS if engagement_type in f.types]


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _grouped(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    if places and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def display(fact: FactDef, value: Decimal | None) -> str:
    """'1,250.00万元', '1,120.20万元', '96.00%', '52,000人'; '' when there is no value."""
    if value is None:
        return ""
    if fact.kind == "money":  # as the documents print money: 1,250.00万元
        return f"{q2(value / WAN):,.2f}万元"
    if fact.kind == "percent":
        return f"{q2(value):.2f}%"
    return f"{_grouped(value, 2)}{fact.unit}"


def shown_value(fact: FactDef, value: Decimal) -> Decimal:
    """The value in the unit it is shown in (万元 for money)."""
    return value / WAN if fact.kind == "money" else value


def parse_input(fact: FactDef, text: str) -> Decimal | None:
    """What a person types (in the shown unit: 万元, %, 人; an amount may say 元) → the stored
    value; ValueError otherwise."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    in_yuan = False
    for suffix in ("万元", "元", "%", "％", fact.unit):
        if suffix and cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)]
            in_yuan = suffix == "元"  # an amount written in 元, not the shown 万元
            break
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{fact.label}“{text}”不是有效的数字") from None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValueError(f"{fact.label}“{text}”不是有效的数字")
    if value < 0:
        raise ValueError(f"{fact.label}不能为负数")
    if fact.kind == "percent" and value > 1000:
        raise ValueError(f"{fact.label}“{text}”超出合理范围（以百分数填写，如 96.5）")
    if fact.kind == "count" and value != value.to_integral_value():
        raise ValueError(f"{fact.label}应为整数")
    if fact.kind == "money" and not in_yuan:
        value = value * WAN
    return q2(value)


def input_text(fact: FactDef, value: Decimal | None) -> str:
    """The stored value as the form shows it (in 万元 for money, without grouping)."""
    if value is None:
        return ""
    shown = shown_value(fact, value)
    text = format(shown.normalize(), "f") if shown == shown.to_integral() else str(shown)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def derive(fact: FactDef, values: dict[str, Decimal | None]) -> Decimal | None:
    """A rate computed from two other facts (到位率 = 到位 ÷ 预算), or None."""
    if fact.derived_from is None:
        return None
    top, bottom = (values.get(k) for k in fact.derived_from)
    if fact.derived_from[1] == "budget" and values.get("adjusted_budget"):
        bottom = values["adjusted_budget"]
    if top is None or not bottom:
        return None
    return q2(top * 100 / bottom)


def render_tokens(text: str, shown: dict[str, str]) -> str:
    """Replace `{{fact:key}}` fields with the escaped current value; unknown or empty ones are marked."""

    def one(match: re.Match) -> str:
        value = shown.get(match[1])
        if value:
            return html.escape(value)
        label = BY_KEY[match[1]].label if match[1] in BY_KEY else match[1]
        return html.escape(f"【{label}：未填写】")

    return TOKEN.sub(one, text or "")
