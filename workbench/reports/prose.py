"""An indicator's score as the sentence a bureau reviewer reads in the report (pure).

One writer per scoring rule. The arithmetic ("3 × (25%×1 + …) = 2.625 → 2.63") stays in the score
sheet and the working papers; the report says what was found and how it counted:
"实际值3,702.50万元，为目标值3,860.00万元的95.92%，按完成比例折算计得3.84分。"
A missing target or actual value gets a sentence that says so, never a dash.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.reports import prose_numbers as nums
from workbench.reports.prose_compare import compared, satisfaction
from workbench.reports.prose_facts import (
    TRIM_MIN_EXPERTS,
    ZERO,
    FindingFact,
    ScoreFacts,
    SurveyFact,
    got,
    indexes,
    missing_actual,
    params_of,
)
from workbench.scoring.params import DEFAULT_LEVELS, ParamError, find_level

__all__ = ["FindingFact", "ScoreFacts", "SurveyFact", "score_sentence"]

# --- judged rules -----------------------------------------------------------------------------


def _elements(facts: ScoreFacts) -> str:
    items = list(facts.elements)
    if not items:
        params = params_of(facts, "elements")
        items = list(getattr(params, "items", ()) or ())
    if not items:
        return "该指标未设定评价要点。"
    names = list(facts.element_names) if len(facts.element_names) == len(items) else []
    shares = {share for share, _ in items}
    weights = (
        "各要点权重相同"
        if len(shares) == 1
        else "要点权重分别为" + "、".join(nums.share(s) for s, _ in items)
    )
    full = [i for i, (_, met) in enumerate(items) if met is not None and met >= 1]
    none = [i for i, (_, met) in enumerate(items) if met is not None and met <= 0]
    part = [i for i, (_, met) in enumerate(items) if met is not None and 0 < met < 1]
    open_ = [i for i, (_, met) in enumerate(items) if met is None]
    head = f"该指标设{len(items)}个评价要点（{weights}）"
    if open_:
        return f"{head}，尚有{len(open_)}个要点未评定，暂未计分。"
    if len(full) == len(items):
        return f"{head}，经核查均已达到，{got(facts)}。"

    def named(index: int) -> str:
        return f"“{names[index]}”" if names else f"第{index + 1}个要点"

    parts = [f"{len(full)}个要点达到要求"] if full else []
    for index in part:
        parts.append(f"{named(index)}部分达到（达成度{nums.share(items[index][1])}）")
    if none:
        parts.append("、".join(named(i) for i in none) + "未达到")
    cited = indexes([f for f in facts.findings if f.kind == "element"])
    return f"{head}，经核查，{'，'.join(parts)}{cited}，按要点权重和达成度{got(facts)}。"


def _qualitative(facts: ScoreFacts) -> str:
    level = fraction = None
    if facts.qualitative is not None:
        level, fraction = facts.qualitative
    else:
        params = params_of(facts, "qualitative")
        if getattr(params, "level", None):
            level, fraction = params.level, params.fraction
        elif facts.actual.strip():
            chosen = params_of(
                ScoreFacts(None, facts.weight, None, params=facts.actual), "qualitative"
            )
            level = getattr(chosen, "level", None)
            fraction = getattr(chosen, "fraction", None)
    if not level:
        return "该指标尚未评定等级，暂未计分。"
    try:
        found = find_level(level, DEFAULT_LEVELS)
        fraction = found.default if fraction is None else fraction
        band = f"，该等级得分系数为{nums.number(found.low)}～{nums.number(found.high)}"
    except ParamError:
        band = ""
    chosen = f"，取{nums.number(fraction)}" if fraction is not None else ""
    return f"经综合评价，该指标评定为“{level}”{band}{chosen}，{got(facts)}。"


def _deduction(facts: ScoreFacts) -> str:
    found = [f for f in facts.findings if f.kind == "deduction" or f.points is not None]
    if facts.deductions is not None:
        lost = list(facts.deductions)
    else:
        params = params_of(facts, "deduction")
        lost = list(getattr(params, "points", ()) or ())
    if not lost:
        return f"经核查，未发现应扣分事项，{got(facts)}。"
    total = sum(lost, ZERO)
    cited = indexes(found)
    if found and cited:
        return f"经核查，发现问题{len(lost)}处，合计扣{nums.points(total)}分{cited}，{got(facts)}。"
    each = "、".join(f"{nums.points(x)}分" for x in lost)
    many = f"，分别扣{each}" if len(lost) > 1 else ""
    return f"经核查，发现问题{len(lost)}处{many}，合计扣{nums.points(total)}分，{got(facts)}。"


def _boolean(facts: ScoreFacts) -> str:
    if facts.score is None:
        return missing_actual(facts)
    if facts.score > 0:
        return f"经核查，符合评分标准的要求，{got(facts)}。"
    return "经核查，不符合评分标准的要求，不得分。"


def _expert(facts: ScoreFacts) -> str:
    scores = sorted(facts.expert_scores)
    if not scores:
        params = params_of(facts, "expert")
        scores = sorted(getattr(params, "scores", ()) or ())
    agg = getattr(params_of(facts, "expert"), "agg", "mean")
    n = len(scores)
    if not n:
        return "专家尚未打分，该指标暂未计分。"
    head = f"由{n}位专家独立打分"
    if agg == "median":
        how = "，取各专家评分的中位数"
    elif agg == "trimmed" and n >= TRIM_MIN_EXPERTS:
        how = (
            f"，去掉一个最高分（{nums.points(scores[-1])}分）和一个最低分"
            f"（{nums.points(scores[0])}分）后，取其余{n - 2}位专家评分的平均值"
        )
    elif agg == "trimmed":
        how = f"，因专家少于{TRIM_MIN_EXPERTS}位，未去掉最高分和最低分，取平均值"
    else:
        how = "，取平均值"
    text = f"{head}{how}，{got(facts)}。"
    if facts.dispersion_flag and facts.dispersion is not None:
        text += f"专家评分差异较大（变异系数{nums.percent(facts.dispersion)}）。"
    return text


def _manual(facts: ScoreFacts) -> str:
    if facts.score is None:
        return "该指标尚未评定得分。"
    return f"经评价组综合评定，{got(facts)}。"


# --- missing data and the entry point ---------------------------------------------------------


def _unscored(facts: ScoreFacts) -> str:
    if facts.error_field == "target":
        return "该指标尚未设定目标值，暂未计分。"
    if facts.error_field == "actual":
        return missing_actual(facts)
    if facts.rule == "expert":
        return "专家尚未完成打分，该指标暂未计分。"
    if facts.rule == "elements":
        return "该指标尚有评价要点未评定，暂未计分。"
    if facts.rule in ("manual", None):
        return "该指标尚未评定得分。"
    return f"该指标暂未计分（{facts.error.rstrip('。')}）。" if facts.error else "该指标暂未计分。"


WRITERS: dict[str, Callable[[ScoreFacts], str]] = {
    "elements": _elements,
    "qualitative": _qualitative,
    "deduction": _deduction,
    "boolean": _boolean,
    "satisfaction": satisfaction,
    "expert": _expert,
    "manual": _manual,
}


def _end(text: str) -> str:
    return text if text.endswith(("。", "！", "？")) else text + "。"


def score_sentence(facts: ScoreFacts) -> str:
    """The report's sentence for one leaf's score, then its written justification."""
    if facts.not_applicable:
        reason = facts.na_reason.strip().rstrip("。")
        return f"该指标不适用{f'（{reason}）' if reason else ''}，不计分。"
    if facts.score is None:
        text = _unscored(facts)
    elif facts.rule in ("ratio", "inverse_ratio", "linear", "bands"):
        text = _end(compared(facts, facts.rule))
    else:
        text = _end(WRITERS.get(facts.rule or "manual", _manual)(facts))
    note = facts.justification.strip()
    if note:
        label = "评定理由" if facts.rule in ("manual", None) else "评分说明"
        text += f"{label}：{_end(note)}"
    return text
