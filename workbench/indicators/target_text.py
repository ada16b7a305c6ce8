"""A declared target (指标性质 | 指标值 | 度量单位 of a 绩效目标申报表) as one 目标值 text (pure).

The text is written the way the engagement's own targets are, so the scoring engine reads it:
"≥" "95" "%" → "≥95%", "≤" "5" "元" → "≤5元", "" "100" "%" → "100%", "＞" "提升3" "个百分点" →
"提升＞3个百分点" (the sign goes in front of the number). A value that already carries its sign
or unit keeps it ("≥95%" stays "≥95%"); one whose sign contradicts 指标性质 is refused. A value
without a number ("明显改善"), or one the engine cannot read as one number while no comparison is
declared ("2026年6月底前"), is a text target: the engine cannot score against it, so it is
reported as such and not composed. Every composed text is read back with `parse_value`, which
must find the declared number and sign in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from workbench.scoring.values import ParamError, parse_value

QUALITATIVE = "定性"
# 指标性质 as bureaus write it (after NFKC and without spaces) → the sign written into 目标值.
_SIGNS = {
    **dict.fromkeys((">=", "≥", "≧", "=>", "大于等于", "大于或等于", "不低于", "不少于",
                     "不小于", "至少", "正向", "正向指标"), "≥"),
    **dict.fromkeys(("<=", "≤", "≦", "=<", "小于等于", "小于或等于", "不高于", "不超过",
                     "不多于", "不大于", "至多", "反向", "反向指标"), "≤"),
    **dict.fromkeys((">", "大于", "高于"), "＞"),
    **dict.fromkeys(("<", "小于", "低于"), "＜"),
    **dict.fromkeys(("=", "==", "等于"), "="),
    **dict.fromkeys(("定性", "定性指标"), QUALITATIVE),
    **dict.fromkeys(("定量", "定量指标"), ""),  # says only that 指标值 is a number
}  # fmt: skip
# The engine's operator for each sign (scoring/values.py reads ＞/＜ as > and <).
_ENGINE_OPS = {"≥": ">=", "≤": "<=", "＞": ">", "＜": "<", "=": "="}
_UNITS = {"％": "%", "百分比": "%", "百分率": "%"}
_DIGIT = re.compile(r"\d")
_NUMBER_START = re.compile(r"[-+]?\d")
SIGNS_ACCEPTED = "≥、≤、＞、＜、=、定性（或“大于等于”“不低于”“不超过”等文字）"


class TargetError(ValueError):
    """A declared target that cannot be written; `field` is the column at fault (op, value, unit)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Target:
    """The 目标值 to write, or (`text_only`) a target the scoring engine cannot read as a number."""

    text: str
    text_only: bool = False


def sign_of(op: str | None) -> str:
    """The sign 指标性质 declares: ≥ ≤ ＞ ＜ =, QUALITATIVE, or '' (none); TargetError if unknown."""
    key = "".join(unicodedata.normalize("NFKC", op or "").split())
    if not key:
        return ""
    if key not in _SIGNS:
        raise TargetError(f"指标性质“{op}”无法识别，可填：{SIGNS_ACCEPTED}", "op")
    return _SIGNS[key]


def _unit(unit: str | None) -> str:
    text = (unit or "").strip()
    return _UNITS.get(text, text)


def _read(text: str):
    """The engine's reading of a 目标值, or the engine's reason it cannot read it."""
    try:
        return parse_value(text, field="target"), ""
    except ParamError as error:
        return None, error.message


def compose_target(*, op: str | None, value: str, unit: str | None) -> Target:
    """The 目标值 text for one declared row (see the module's docstring); TargetError if it
    cannot be written."""
    sign = sign_of(op)
    value = value.strip()
    unit = _unit(unit)
    if sign == QUALITATIVE or (not sign and not _DIGIT.search(value)):
        # As written; 定性 with one number the engine reads is a target like any other.
        read, _reason = _read(value)
        return Target(value, text_only=read is None)
    own, reason = _read(value)
    if own is None:
        if not sign:
            return Target(value, text_only=True)
        raise TargetError(f"指标性质为“{sign}”，指标值应为一个数值：{reason}", "value")
    if sign and own.op and own.op != _ENGINE_OPS[sign]:
        raise TargetError(f"指标值“{value}”中的符号与指标性质“{sign}”不一致", "value")
    text = value
    if sign and not own.op:
        start = _NUMBER_START.search(value)
        at = start.start() if start else 0
        text = value[:at] + sign + value[at:]
    if unit and not value.endswith(unit):
        if own.unit or own.percent:
            raise TargetError(f"指标值“{value}”已带单位，与度量单位“{unit}”不一致", "unit")
        text += unit
    return Target(_checked(text, own, sign, unit))


def _checked(text: str, own, sign: str, unit: str) -> str:
    """`text` when the engine reads in it the declared number and sign, else TargetError."""
    read, reason = _read(text)
    meant = own.value / 100 if unit == "%" and not own.percent else own.value
    wanted_op = _ENGINE_OPS[sign] if sign else own.op
    if read is None or read.value != meant or read.op != wanted_op:
        why = reason or f"读作{read.value}"
        raise TargetError(
            f"与指标值连写为“{text}”后无法按原数值读取（{why}），请改写度量单位", "unit"
        )
    return text


# --- which leaf a declared row names ---------------------------------------------------------


def name_key(text: str | None) -> str:
    """A name compared loosely: full-width forms as half-width (（）→()), no spaces at all."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _stem(text: str | None) -> str:
    return name_key(text).removesuffix("指标")


def _same(given: str, actual: str) -> bool:
    return not given or _stem(given) == _stem(actual)


def _fits(given: str, actual: str) -> bool:
    """A declared group fits the engagement's when either name holds the other, 指标 aside:
    the declaration's 产出指标/数量指标 fits the evaluation's 产出/产出数量."""
    if not given:
        return True
    a, b = _stem(given), _stem(actual)
    return a in b or b in a


class Grouped(Protocol):
    level1: str
    level2: str


T = TypeVar("T", bound=Grouped)


def narrow(candidates: Sequence[T], *, level1: str, level2: str) -> list[T]:
    """The leaves of one name that the row means: one, none or several (ambiguous).

    One leaf of the name is the match whatever groups the row gives: a declaration groups its
    indicators its own way (满意度指标 is a 一级 there, under 效益 here). Several are told apart by
    the row's 一级/二级, exactly first, then loosely (`_fits`).
    """
    if len(candidates) <= 1:
        return list(candidates)
    exact = [c for c in candidates if _same(level1, c.level1) and _same(level2, c.level2)]
    if len(exact) == 1:
        return exact
    loose = [c for c in candidates if _fits(level1, c.level1) and _fits(level2, c.level2)]
    return loose if loose else list(candidates)
