"""Is an indicator system usable? Blockers (weights, rules, parameters, duplicates) and warnings. (pure)

Pure. The indicators stage gate shows `blockers`; the sheet reader maps `issues` to rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from workbench.scoring.calculator import FIELD_LABELS, Leaf, resolve_rule, score_leaf
from workbench.scoring.params import DEFAULT_LEVELS, ParamError, QualitativeLevel, parse_params
from workbench.scoring.rules import MAX_WEIGHT, parse_boolean
from workbench.scoring.values import HUNDRED, format_number, parse_value

# DOMAIN.md §4: 产出 + 效益 should weigh at least 60 in a project evaluation (warn, don't block).
OUTPUT_BENEFIT_GROUPS = ("产出", "效益")
OUTPUT_BENEFIT_MIN = Decimal(60)


@dataclass(frozen=True)
class Issue:
    """A problem of leaf `index` (None: whole system) in `field`; `other`: the first duplicate."""

    index: int | None
    field: str
    message: str
    other: int | None = None


@dataclass
class SystemCheck:
    """Structured issues, the blocker sentences they make, and warnings that do not block."""

    issues: list[Issue] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks."""
        return not self.blockers


def _present(text: object) -> bool:
    return text is not None and str(text).strip() != ""


def check_leaf(
    leaf: Leaf,
    *,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
    complete: bool = False,
) -> list[tuple[str, str]]:
    """(field, message) problems of one leaf; `complete` also requires everything to score it."""
    problems: list[tuple[str, str]] = []
    for name, part in zip(("level1", "level2", "name"), leaf.path, strict=True):
        if not str(part or "").strip():
            problems.append((name, f"{FIELD_LABELS[name]}不能为空"))
    if not 0 < leaf.weight <= MAX_WEIGHT:
        problems.append(("weight", f"分值应大于0且不超过100，当前为{format_number(leaf.weight)}"))
    rule = None
    if not (leaf.not_applicable and not _present(leaf.rule)):
        try:
            rule = resolve_rule(leaf)
            parse_params(rule, leaf.params or "", levels)
        except ParamError as exc:
            problems.append((exc.field, exc.message))
    if _present(leaf.target):
        try:
            parse_value(leaf.target, field="target")
        except ParamError as exc:
            problems.append((exc.field, exc.message))
    if _present(leaf.actual):
        try:
            if rule == "boolean":
                parse_boolean(leaf.actual)
            elif rule == "qualitative":
                parse_params("qualitative", str(leaf.actual), levels)
            else:
                parse_value(leaf.actual, field="actual")
        except ParamError as exc:
            problems.append(("actual", exc.message))
    if leaf.score is not None and not 0 <= leaf.score <= leaf.weight:
        problems.append(
            ("score", f"得分{format_number(leaf.score)}超出范围0–{format_number(leaf.weight)}")
        )
    if complete and not leaf.not_applicable and not problems:
        result = score_leaf(leaf, levels=levels)
        if result.error:
            problems.append((result.error_field or "params", result.error))
    unique: list[tuple[str, str]] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def _stem(name: str) -> str:
    """'产出指标' → '产出', so either spelling of a 一级 group counts."""
    return name.strip().removesuffix("指标")


def check_system(
    leaves: Sequence[Leaf],
    *,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
    complete: bool = False,
    output_benefit_groups: tuple[str, ...] = OUTPUT_BENEFIT_GROUPS,
    output_benefit_min: Decimal = OUTPUT_BENEFIT_MIN,
) -> SystemCheck:
    """Blockers: weights ≠ 100, bad rules or parameters, duplicate leaves; warnings otherwise."""
    check = SystemCheck()
    if not leaves:
        check.issues.append(Issue(None, "name", "指标体系没有任何三级指标"))
    for index, leaf in enumerate(leaves):
        for name, message in check_leaf(leaf, levels=levels, complete=complete):
            check.issues.append(Issue(index, name, message))
    total = sum((leaf.weight for leaf in leaves), Decimal(0))
    if leaves and total != HUNDRED:
        check.issues.append(
            Issue(None, "weight", f"三级指标分值合计为{format_number(total)}，应为100")
        )
    seen: dict[tuple[str, str, str], int] = {}
    for index, leaf in enumerate(leaves):
        key = tuple(str(part).strip() for part in leaf.path)
        if key in seen:
            message = f"二级指标“{key[1]}”下的三级指标“{key[2]}”重复"
            check.issues.append(Issue(index, "name", message, other=seen[key]))
        else:
            seen[key] = index
    for issue in check.issues:
        if issue.index is None:
            check.blockers.append(issue.message)
        else:
            where = "/".join(leaves[issue.index].path)
            check.blockers.append(f"{where}（{FIELD_LABELS[issue.field]}）：{issue.message}")
    check.warnings.extend(
        _warnings(leaves, groups=output_benefit_groups, minimum=output_benefit_min)
    )
    check.warnings.extend(
        f"{'/'.join(leaf.path)}尚未填写目标值，评分时须有目标值（如计划成本、计划数量）"
        for leaf in leaves
        if _needs_target(leaf, levels)
    )
    return check


def _needs_target(leaf: Leaf, levels: tuple[QualitativeLevel, ...]) -> bool:
    """True when the leaf's rule scores against a target and none is written yet (a framework
    pack leaves the planned cost or quantity to the project): found by scoring it with a
    stand-in actual value, so the rules stay in the calculator."""
    if leaf.not_applicable or _present(leaf.target):
        return False
    probe = replace(leaf, actual="1", actual_value=None, score=None)
    return score_leaf(probe, levels=levels).error_field == "target"


def _warnings(leaves: Sequence[Leaf], *, groups: tuple[str, ...], minimum: Decimal) -> list[str]:
    warnings: list[str] = []
    matching = [leaf for leaf in leaves if _stem(leaf.path[0]) in groups]
    if matching:
        weight = sum((leaf.weight for leaf in matching), Decimal(0))
        if weight < minimum:
            joined = "+".join(groups)
            warnings.append(
                f"{joined}指标分值合计为{format_number(weight)}，低于建议的{format_number(minimum)}"
            )
    for leaf in leaves:
        if leaf.not_applicable and not leaf.na_reason.strip():
            warnings.append(f"{'/'.join(leaf.path)}标为不适用，但没有写明理由")
    return warnings
