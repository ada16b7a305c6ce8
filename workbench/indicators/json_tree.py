"""Replace the tree with a JSON tree (the API's PUT …/indicators), validated like a sheet."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.problems import FieldError
from workbench.engagements.models import Engagement
from workbench.indicators import transfer  # a module: either may be imported first (services)
from workbench.indicators.services import IndicatorInput
from workbench.indicators.system import require_clear_confirmed, require_editor
from workbench.scoring.calculator import FIELD_LABELS, Leaf
from workbench.scoring.grades import check_grades
from workbench.scoring.params import ParamError, normalise_rule
from workbench.scoring.validation import check_system


def import_tree(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    items: Sequence[dict],
    grades: Sequence[tuple[str, Decimal]] | None = None,
    confirm_clear: bool = False,
) -> transfer.ImportOutcome:
    """Replace the tree with JSON items {path, weight, rule, params, …}; row n is the nth item."""
    system = require_editor(db, engagement, actor)
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action="替换指标体系", confirmation=True
    )
    errors: list[FieldError] = []
    specs: list[transfer.LeafSpec] = []
    leaves: list[Leaf] = []
    for row, item in enumerate(items, start=1):
        rule_text = (item.get("rule") or "").strip()
        try:
            rule = normalise_rule(rule_text) if rule_text else None
        except ParamError as exc:
            errors.append(transfer.located(row, FIELD_LABELS["rule"], exc.message, unit="项"))
            rule = None
        path = [str(p).strip() for p in item["path"]]
        leaf = Leaf(
            path=(path[0], path[1], path[2]),
            weight=item["weight"],
            rule=rule,
            params=item.get("params") or "",
            target=item.get("target") or None,
            actual=item.get("actual") or None,
            score=item.get("score"),
            not_applicable=bool(item.get("not_applicable")),
            na_reason=(item.get("na_reason") or "").strip(),
        )
        leaves.append(leaf)
        stored = transfer.stored_rule(leaf)
        manual = stored == "manual"
        specs.append(
            transfer.LeafSpec(
                data=IndicatorInput(
                    level1=path[0],
                    level2=path[1],
                    name=path[2],
                    weight=leaf.weight,
                    rule=stored,
                    params=leaf.params,
                    target=leaf.target or "",
                    definition=item.get("definition") or "",
                    points=item.get("points") or "",
                    standard=item.get("standard") or "",
                    standard_type=item.get("standard_type") or "计划标准",
                    evidence_sources=item.get("evidence_sources") or "",
                    note=item.get("note") or "",
                    not_applicable=leaf.not_applicable,
                    na_reason=leaf.na_reason,
                ).cleaned(),
                actual=(leaf.actual or "").strip(),
                score=leaf.score if manual else None,
                justification=(item.get("justification") or item.get("note") or "").strip(),
                row=row,
            )
        )
    result = check_system(leaves)
    for issue in result.issues:
        if issue.index is not None and any(e.row == issue.index + 1 for e in errors):
            continue  # the rule was refused already
        message = issue.message
        if issue.other is not None:
            message += f"（与第{issue.other + 1}项重复）"
        row = None if issue.index is None else issue.index + 1
        errors.append(transfer.located(row, FIELD_LABELS[issue.field], message, unit="项"))
    errors += transfer.new_places(errors, transfer.spec_errors(specs, unit="项"))
    table = None
    if grades is not None:
        table = [[str(name).strip(), Decimal(bound)] for name, bound in grades]
        for problem in check_grades([(n, b) for n, b in table]):
            errors.append(transfer.located(None, "等级", problem, unit="项"))
    if errors:
        raise transfer.refuse("指标体系有误", errors)
    return transfer.replace_tree(
        db,
        actor=actor,
        engagement=engagement,
        system=system,
        specs=specs,
        grades=table,
        source="API",
        warnings=result.warnings,
    )
