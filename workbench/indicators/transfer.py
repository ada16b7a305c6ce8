"""Import an indicator sheet (replacing the tree) and export the sheet; helpers for json_tree.py.

Everything is validated first; a problem anywhere refuses the whole import with errors naming
row and column, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit, uploads
from workbench.core.errors import ValidationFailed
from workbench.core.problems import FieldError
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.indicators.models import STANDARD_TYPES, Indicator, IndicatorSystem
from workbench.indicators.services import (
    LABELS,
    IndicatorInput,
    delete_rows,
    field_errors,
    list_indicators,
)
from workbench.indicators.sheet import EXTRA_COLUMNS, ParsedSheet, read_sheet
from workbench.indicators.sheet_file import SheetError, cell_text
from workbench.indicators.system import (
    note_system_change,
    require_clear_confirmed,
    require_editor,
)
from workbench.library import services as library  # a module: the import cycles back here
from workbench.scoring.calculator import Leaf, resolve_rule
from workbench.scoring.params import ParamError
from workbench.scoring.values import CENT

_EXTRA_ALIASES = {"佐证材料": "evidence_sources", "数据来源/佐证材料": "evidence_sources"}
# 自评复核: the unit's self-score per indicator, optional; read when present, never exported.
SELF_SCORE_HEADER = "自评得分"
LIBRARY_KEY_HEADERS = ("指标代码", "指标库代码")  # optional: the library indicator's key
SHEET_TYPES = frozenset({"xlsx"})


@dataclass
class LeafSpec:
    """One leaf to import: its definition, scoring data and where it came from (row)."""

    data: IndicatorInput
    actual: str = ""
    score: Decimal | None = None
    justification: str = ""
    row: int | None = None
    self_score: Decimal | None = None  # from an optional 自评得分 column
    library_key: str = ""  # from an optional 指标代码 column: the library indicator it is

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.data.level1, self.data.level2, self.data.name)


@dataclass
class ImportOutcome:
    """What an import did."""

    imported: int
    created: int
    updated: int
    deleted: int
    grades_set: bool
    warnings: list[str] = field(default_factory=list)
    linked: int = 0  # leaves linked to the library indicator they match (library/linking.py)


def refuse(message: str, errors: Sequence[FieldError]) -> ValidationFailed:
    """The import's refusal, its errors in the sheet's order (those without a row last)."""
    ordered = sorted(errors, key=lambda e: (not isinstance(e.row, int), e.row or 0))
    return ValidationFailed(f"{message}，共{len(errors)}处问题，未导入任何内容", details=ordered)


def stored_rule(leaf: Leaf) -> str:
    """The rule key to store: blank 规则 resolved as the calculator does, '' when unresolvable."""
    try:
        return resolve_rule(leaf)
    except ParamError:
        return ""


def located(row: int | None, column: str | None, message: str, *, unit: str = "行") -> FieldError:
    """An error at a row and column whose message starts with where it is: 第5行“分值”列：…
    (or 第5项“分值”：…)."""
    where = f"第{row}{unit}" if row is not None else ""
    if column:
        where += f"“{column}”" + ("列" if unit == "行" else "")
    return FieldError(f"{where}：{message}" if where else message, row=row, column=column)


def spec_errors(specs: Sequence[LeafSpec], *, unit: str = "行") -> list[FieldError]:
    """Length, weight and rule problems of specs, each at its row and column."""
    errors: list[FieldError] = []
    for spec in specs:
        for problem in field_errors(spec.data, require_reason=False):
            column = LABELS.get(problem["field"], problem["field"])
            errors.append(located(spec.row, column, problem["message"], unit=unit))
        for name in ("actual", "justification"):
            limit = 100 if name == "actual" else 4000
            if len(getattr(spec, name)) > limit:
                message = f"{LABELS[name]}不能超过{limit}个字符"
                errors.append(located(spec.row, LABELS[name], message, unit=unit))
    return list(dict.fromkeys(errors))


def new_places(known: list[FieldError], more: list[FieldError]) -> list[FieldError]:
    """Errors of cells not reported yet (one message per cell is enough)."""
    seen = {(e.row, e.column) for e in known}
    return [e for e in more if (e.row, e.column) not in seen]


# --- the indicator sheet ---------------------------------------------------------------------


def _extra_values(parsed: ParsedSheet) -> tuple[list[dict[str, str]], list[FieldError]]:
    """The app's extra columns (评价要点, 标准类型, 数据来源) of each leaf row, if present."""
    values: list[dict[str, str]] = [{} for _ in parsed.rows]
    header = parsed.table[parsed.header_row - 1] if parsed.table else []
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = cell_text(cell) or ""
        key = EXTRA_COLUMNS.get(text) or _EXTRA_ALIASES.get(text)
        if text == SELF_SCORE_HEADER:
            key = "self_score"
        if text in LIBRARY_KEY_HEADERS:
            key = "library_key"
        if key:
            columns.setdefault(key, index)
    if not columns:
        return values, []
    errors = []
    for position, excel_row in enumerate(parsed.rows):
        cells = parsed.table[excel_row - 1]
        found = {}
        for key, index in columns.items():
            text = cell_text(cells[index]) if index < len(cells) else None
            if text is not None:
                found[key] = text
        kind = found.get("standard_type")
        if kind is not None and kind not in STANDARD_TYPES:
            message = f"标准类型“{kind}”应为{'、'.join(STANDARD_TYPES)}之一"
            errors.append(located(excel_row, "标准类型", message))
        if "self_score" in found:
            problem = _self_score_problem(found["self_score"], parsed.leaves[position].weight)
            if problem:
                errors.append(located(excel_row, SELF_SCORE_HEADER, problem))
        values[position] = found
    return values, errors


def _self_score(text: str | None) -> Decimal | None:
    """The 自评得分 cell as a number (None when blank or not a finite number)."""
    try:
        value = Decimal((text or "").replace(",", "").removesuffix("分").strip())
        return value.quantize(CENT) if value.is_finite() else None
    except InvalidOperation:  # not a number, or too large to hold two decimal places
        return None


def _self_score_problem(text: str, weight: Decimal) -> str | None:
    value = _self_score(text)
    if value is None:
        return f"自评得分“{text}”不是数字"
    if not Decimal(0) <= value <= weight:
        return f"自评得分应在0到{weight}分之间"
    return None


def import_sheet(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    filename: str,
    data: bytes,
    confirm_clear: bool = False,
) -> ImportOutcome:
    """Replace the tree (and the grade table, from a 等级 sheet) with an uploaded .xlsx sheet."""
    system = require_editor(db, engagement, actor)
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action="导入指标表", confirmation=True
    )
    try:
        checked = uploads.check(filename, data, allowed=SHEET_TYPES, max_mb=10)
    except ValidationFailed as error:
        details = [replace(item, row=None, column=None) for item in error.details]
        raise refuse("上传的文件不能作为指标表导入", details) from None
    try:
        parsed = read_sheet(checked.data, filename=checked.name)
    except SheetError as exc:
        raise refuse(f"指标表“{checked.name}”有误", exc.errors) from None
    extras, errors = _extra_values(parsed)
    specs = []
    for leaf, extra, row, more in zip(
        parsed.leaves, parsed.extras, parsed.rows, extras, strict=True
    ):
        rule = stored_rule(leaf)
        manual = rule == "manual"
        specs.append(
            LeafSpec(
                data=IndicatorInput(
                    level1=leaf.path[0],
                    level2=leaf.path[1],
                    name=leaf.path[2],
                    weight=leaf.weight,
                    rule=rule,
                    params=leaf.params or "",
                    target=leaf.target or "",
                    definition=extra.definition,
                    standard=extra.standard,
                    note=extra.note,
                    not_applicable=leaf.not_applicable,
                    na_reason=leaf.na_reason,
                    points=more.get("points", ""),
                    standard_type=more.get("standard_type", "计划标准"),
                    evidence_sources=more.get("evidence_sources", ""),
                ).cleaned(),
                actual=(leaf.actual or "").strip(),
                score=leaf.score if manual else None,
                justification=extra.note if manual and leaf.score is not None else "",
                row=row,
                self_score=_self_score(more.get("self_score")),
                library_key=more.get("library_key", ""),
            )
        )
    errors += new_places(errors, spec_errors(specs))
    if errors:
        raise refuse(f"指标表“{checked.name}”有误", errors)
    grades = [list(g) for g in parsed.grades] if parsed.grades_from_sheet else None
    return replace_tree(
        db,
        actor=actor,
        engagement=engagement,
        system=system,
        specs=specs,
        grades=grades,
        source=checked.name,
        warnings=parsed.warnings,
    )


# --- writing ---------------------------------------------------------------------------------


def _summary(items: Sequence[Indicator]) -> dict:
    weight = sum((i.weight for i in items), Decimal(0))
    return {"count": len(items), "weight": weight, "leaves": ["/".join(i.path) for i in items]}


def replace_tree(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    system: IndicatorSystem,
    specs: Sequence[LeafSpec],
    grades: list | None,
    source: str,
    warnings: list[str],
) -> ImportOutcome:
    """Write validated specs: leaves keep their id when their path stays, others are replaced."""
    existing = list_indicators(db, engagement)
    before = _summary(existing)
    by_path = {item.path: item for item in existing}
    wanted = {spec.path for spec in specs}
    removed = [item for item in existing if item.path not in wanted]
    delete_rows(db, [item.id for item in removed])
    created = updated = 0
    now = utcnow()
    written: list[Indicator] = []
    for index, spec in enumerate(specs):
        item = by_path.get(spec.path)
        if item is None:
            item = Indicator(engagement_id=engagement.id, weight=spec.data.weight)
            created += 1
        else:
            updated += 1
        for name, value in spec.data.__dict__.items():
            setattr(item, name, value)
        item.weight = spec.data.weight.quantize(CENT)
        item.position = (index + 1) * 10
        item.actual = spec.actual
        item.score = spec.score
        item.justification = spec.justification
        if spec.self_score is not None:  # a sheet without the column keeps recorded self-scores
            item.self_score = spec.self_score
        item.updated_at = now
        item.updated_by_id = actor.id
        db.add(item)
        written.append(item)
    linked = _link_to_library(db, engagement, written, specs)
    if grades is not None:
        system.grades = [[name, str(bound)] for name, bound in grades]
        system.updated_at = now
        db.add(system)
    db.flush()
    after = _summary(list_indicators(db, engagement))
    audit.record(
        db,
        actor=actor,
        action="indicators.import",
        obj=system,
        engagement_id=engagement.id,
        before=before,
        after={**after, "grades": grades, "source": source, "linked": linked},
        summary=f"导入指标体系（{source}）：{len(specs)}项三级指标",
    )
    note_system_change(
        db, actor=actor, engagement=engagement, system=system, reason=f"导入指标体系（{source}）"
    )
    return ImportOutcome(
        imported=len(specs),
        created=created,
        updated=updated,
        deleted=len(removed),
        grades_set=grades is not None,
        warnings=list(warnings),
        linked=linked,
    )


def _link_to_library(
    db: Session, engagement: Engagement, items: Sequence[Indicator], specs: Sequence[LeafSpec]
) -> int:
    """Link the leaves not linked yet to the library indicator they match; how many were."""
    unlinked = [item for item in items if item.library_indicator_id is None]
    links = library.linking.links_for(
        db,
        engagement_type=engagement.type,
        paths=[item.path for item in unlinked],
        keys={spec.path: spec.library_key for spec in specs if spec.library_key},
    )
    for item in unlinked:
        if item.path in links:
            item.library_indicator_id, item.library_version = links[item.path]
    return sum(1 for item in unlinked if item.path in links)
