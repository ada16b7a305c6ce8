"""Rule keys and the parsed shapes of the 参数 column (pure data, no parsing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workbench.scoring.values import format_number

RULES: dict[str, str] = {
    "ratio": "正向比率",
    "inverse_ratio": "反向比率",
    "linear": "线性扣减",
    "bands": "分档",
    "elements": "要素计分",
    "qualitative": "定性分档",
    "deduction": "扣分",
    "boolean": "是否",
    "satisfaction": "满意度",
    "expert": "专家打分",
    "manual": "手工",
}


@dataclass(frozen=True)
class QualitativeLevel:
    """A 定性 level: the fraction range it allows and the fraction used when none is given."""

    name: str
    low: Decimal
    high: Decimal
    high_inclusive: bool
    default: Decimal

    def contains(self, fraction: Decimal) -> bool:
        """Whether the fraction lies inside this level's range."""
        upper = fraction <= self.high if self.high_inclusive else fraction < self.high
        return self.low <= fraction and upper

    def range_text(self) -> str:
        """The range as 中文 text, e.g. [0.6, 0.8)."""
        close = "]" if self.high_inclusive else ")"
        return f"[{format_number(self.low)}, {format_number(self.high)}{close}"


# Default levels (DOMAIN.md §4); provinces that use 0.5 pass their own tuple.
DEFAULT_LEVELS: tuple[QualitativeLevel, ...] = (
    QualitativeLevel("达成", Decimal("0.8"), Decimal(1), True, Decimal(1)),
    QualitativeLevel("部分达成", Decimal("0.6"), Decimal("0.8"), False, Decimal("0.7")),
    QualitativeLevel("未达成", Decimal(0), Decimal("0.6"), False, Decimal(0)),
)


@dataclass(frozen=True)
class NoParams:
    """boolean and manual take no parameters."""


@dataclass(frozen=True)
class RatioParams:
    """ratio / inverse_ratio: optional floor on the achieved ratio, below which the score is 0."""

    floor: Decimal | None = None


@dataclass(frozen=True)
class LinearParams:
    """linear: each `per` of shortfall deducts `deduct` of the weight; 0 at or beyond `zero`."""

    per: Decimal
    deduct: Decimal
    zero: Decimal | None = None


@dataclass(frozen=True)
class Band:
    """One band: when `value <op> bound` holds, the leaf earns `fraction` of its weight."""

    op: str
    bound: Decimal
    fraction: Decimal


@dataclass(frozen=True)
class BandsParams:
    """bands: tried in order, then `otherwise` (0 when absent)."""

    bands: tuple[Band, ...]
    otherwise: Decimal | None = None


@dataclass(frozen=True)
class ElementsParams:
    """elements: (share, met) per 评价要点; met is None until judged."""

    items: tuple[tuple[Decimal, Decimal | None], ...]


@dataclass(frozen=True)
class QualitativeParams:
    """qualitative: the chosen level and optionally the fraction inside its range."""

    level: str | None = None
    fraction: Decimal | None = None


@dataclass(frozen=True)
class DeductionParams:
    """deduction: points deducted, one per finding."""

    points: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class ExpertParams:
    """expert: the experts' scores and how they are aggregated (mean, trimmed, median)."""

    scores: tuple[Decimal, ...] = ()
    agg: str = "mean"


@dataclass(frozen=True)
class SatisfactionParams:
    """satisfaction: a survey value scored by ratio, linear or bands."""

    method: str
    inner: RatioParams | LinearParams | BandsParams


Params = (
    NoParams
    | RatioParams
    | LinearParams
    | BandsParams
    | ElementsParams
    | QualitativeParams
    | DeductionParams
    | ExpertParams
    | SatisfactionParams
)
