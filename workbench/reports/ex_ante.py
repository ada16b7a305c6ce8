"""事前绩效评估: the conclusion from a complete, signed score through score bands (pure).

The bands are data: the default below is what DOMAIN.md and the ex-ante pack describe (≥ 80 予以支持,
≥ 60 调整后支持, below 60 不予支持); an agency whose bureau draws other lines sets
`WORKBENCH_EX_ANTE_BANDS` (same text format). No box is ticked while any indicator is unscored or
the lead has not signed the scores, and nobody picks a box by hand: the score decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CONCLUSIONS = ("予以支持", "调整后支持", "不予支持")
DEFAULT_BANDS_TEXT = "予以支持:80; 调整后支持:60; 不予支持:0"

Bands = tuple[tuple[Decimal, str], ...]


def parse_bands(text: str) -> Bands:
    """ "予以支持:80; 调整后支持:60; 不予支持:0" → ((80, 予以支持), …), highest bound first."""
    found: list[tuple[Decimal, str]] = []
    for item in (text or "").replace("；", ";").replace("：", ":").split(";"):
        if not item.strip():
            continue
        name, _, bound = (part.strip() for part in item.partition(":"))
        if name not in CONCLUSIONS:
            raise ValueError(f"评估结论分数线中的结论“{name}”应为{'、'.join(CONCLUSIONS)}之一")
        try:
            found.append((Decimal(bound), name))
        except InvalidOperation as error:
            raise ValueError(f"评估结论“{name}”的分数线“{bound}”不是数字") from error
    if sorted(name for _, name in found) != sorted(CONCLUSIONS):
        raise ValueError("评估结论分数线须为予以支持、调整后支持、不予支持各给一个下限")
    ordered = tuple(sorted(found, key=lambda band: -band[0]))
    if ordered[-1][0] > 0:
        raise ValueError("最低一档的分数线应为0")
    return ordered


DEFAULT_BANDS: Bands = parse_bands(DEFAULT_BANDS_TEXT)


def describe_bands(bands: Bands) -> str:
    """The bands as a sentence: 80分及以上予以支持，60分及以上不足80分调整后支持，不足60分不予支持."""
    parts = []
    for number, (bound, name) in enumerate(bands):
        upper = bands[number - 1][0] if number else None
        low = f"{bound.normalize():f}分及以上" if bound > 0 else ""
        high = f"不足{upper.normalize():f}分" if upper is not None else ""
        parts.append(f"{low}{high}{name}" if low or high else name)
    return "，".join(parts)


@dataclass(frozen=True)
class Conclusion:
    """The ticked conclusion ("" while pending) and the sentence the report prints about it."""

    name: str
    sentence: str


def conclude(
    *,
    project: str,
    total: Decimal | None,
    unscored: int,
    signed: bool,
    bands: Bands = DEFAULT_BANDS,
) -> Conclusion:
    """The conclusion only from a complete score the lead signed; otherwise pending, and why."""
    if unscored or total is None:
        return Conclusion(
            "",
            f"{project}尚有{unscored or '部分'}项评估指标未评分，综合评估得分尚未形成，"
            "评估结论待评分完成并经项目负责人签字确认后确定。",
        )
    score = f"{total:.2f}"
    if not signed:
        return Conclusion(
            "",
            f"经综合评估，{project}事前绩效评估得分为{score}分；评分结果尚未经项目负责人"
            "签字确认，评估结论待定。",
        )
    by_band = next(name for bound, name in bands if total >= bound)
    lines = f"按评估结论分数线（{describe_bands(bands)}）"
    return Conclusion(
        by_band,
        f"经综合评估，{project}事前绩效评估得分为{score}分，{lines}，评估结论为“{by_band}”。",
    )
