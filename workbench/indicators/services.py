"""An engagement's indicator tree: edits, reordering and confirmation.

Reading the tree (IndicatorInput, build_tree, list_indicators, to_leaf, check, …) lives in
tree.py, the grade table in grades.py; both are re-exported here, so callers import one module.
"""

from __future__ import annotations

from sqlalchemy import delete as sa_delete
from sqlmodel import Session, SQLModel, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.indicators import permissions  # noqa: F401 - registers "indicators.edit"
from workbench.indicators.grades import parse_grades, set_grades
from workbench.indicators.models import Indicator
from workbench.indicators.sheet import EXTRA_COLUMNS, LeafExtras, SheetError, read_sheet
from workbench.indicators.sheet_write import write_sheet
from workbench.indicators.system import (
    ensure_system,
    get_system,
    grade_table,
    invalidate_signoff,
    is_editor,
    note_system_change,
    require_clear_confirmed,
    require_editor,
    signatures_a_change_clears,
)
from workbench.indicators.tree import (
    LABELS,
    SYSTEM_FIELDS,
    TEXT_LIMITS,
    IndicatorInput,
    Level1Node,
    Level2Node,
    build_tree,
    check,
    field_errors,
    get_indicator,
    in_tree_order,
    leaves_digest,
    list_indicators,
    to_leaf,
)
from workbench.scoring.models import ExpertScore
from workbench.scoring.values import CENT


def _duplicate(
    db: Session, engagement: Engagement, data: IndicatorInput, exclude: int | None
) -> bool:
    stmt = select(Indicator.id).where(
        Indicator.engagement_id == engagement.id,
        Indicator.level1 == data.level1,
        Indicator.level2 == data.level2,
        Indicator.name == data.name,
    )
    if exclude is not None:
        stmt = stmt.where(Indicator.id != exclude)
    return db.exec(stmt).first() is not None


def _validate(
    db: Session, engagement: Engagement, data: IndicatorInput, exclude: int | None = None
) -> None:
    errors = field_errors(data)
    if not errors and _duplicate(db, engagement, data, exclude):
        message = f"二级指标“{data.level2}”下已有三级指标“{data.name}”"
        errors.append({"field": "name", "message": message})
    if errors:
        raise ValidationFailed("指标信息有误", details=errors)
    data.weight = data.weight.quantize(CENT)  # stored with 2 places; audit shows what is stored


def _stale(indicator: Indicator, version: int | None) -> None:
    require_version(
        version, indicator.version, stale=f"指标“{indicator.name}”已被他人修改，请刷新后重试"
    )


def _next_position(db: Session, engagement: Engagement) -> int:
    top = db.exec(
        select(func.max(Indicator.position)).where(Indicator.engagement_id == engagement.id)
    ).one()
    return (top or 0) + 10


# --- edits -----------------------------------------------------------------------------------


def create_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    data: IndicatorInput,
    library_indicator_id: int | None = None,
    library_version: int | None = None,
    confirm_clear: bool = False,
) -> Indicator:
    """Add a leaf at the end of its 二级 group (a new group goes to the end of the tree)."""
    system = require_editor(db, engagement, actor)
    data = data.cleaned()
    _validate(db, engagement, data)
    _ask(db, engagement, confirm_clear, f"新增指标“{data.name}”")
    indicator = Indicator(
        engagement_id=engagement.id,
        position=_next_position(db, engagement),
        library_indicator_id=library_indicator_id,
        library_version=library_version,
        updated_by_id=actor.id,
        **{name: getattr(data, name) for name in SYSTEM_FIELDS},
    )
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="indicators.create",
        obj=indicator,
        engagement_id=engagement.id,
        after=audit.snapshot(indicator, SYSTEM_FIELDS),
        summary="/".join(indicator.path),
    )
    note_system_change(
        db, actor=actor, engagement=engagement, system=system, reason=f"新增指标“{data.name}”"
    )
    return indicator


def update_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    data: IndicatorInput,
    version: int | None,
    confirm_clear: bool = False,
) -> Indicator:
    """Edit a leaf's definition; a stale version is refused, a moved leaf ends its new group."""
    system = require_editor(db, engagement, actor)
    _stale(indicator, version)
    data = data.cleaned()
    _validate(db, engagement, data, exclude=indicator.id)
    if any(getattr(indicator, name) != getattr(data, name) for name in SYSTEM_FIELDS):
        _ask(db, engagement, confirm_clear, f"修改指标“{indicator.name}”")
    before = audit.snapshot(indicator, SYSTEM_FIELDS)
    regrouped = (data.level1, data.level2) != (indicator.level1, indicator.level2)
    for name in SYSTEM_FIELDS:
        setattr(indicator, name, getattr(data, name))
    if data.rule != "manual" and indicator.score is not None:
        # An entered score only counts under the manual rule; keep none behind under another.
        before["score"] = indicator.score
        indicator.score = None
    if regrouped:
        indicator.position = _next_position(db, engagement)
    indicator.updated_at = utcnow()
    indicator.updated_by_id = actor.id
    db.add(indicator)
    db.flush()
    after = audit.snapshot(indicator, SYSTEM_FIELDS)
    if "score" in before:
        after["score"] = None
    if after != before:
        audit.record(
            db,
            actor=actor,
            action="indicators.update",
            obj=indicator,
            engagement_id=engagement.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            summary="/".join(indicator.path),
        )
        note_system_change(
            db, actor=actor, engagement=engagement, system=system, reason=f"修改指标“{data.name}”"
        )
    return indicator


def referencing_rows(db: Session, ids: list[int]) -> list[str]:
    """Rows of other domains that point at these leaves without ON DELETE CASCADE/SET NULL.

    Such rows would make the delete fail in the database; the user gets a clear refusal instead.
    """
    if not ids:
        return []
    found = []
    for table in SQLModel.metadata.tables.values():
        if table.name == "expert_score":
            continue  # deleted together with the leaf
        for fk in table.foreign_keys:
            if fk.column.table.name != "indicator":
                continue
            if (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue  # the owning domain chose to follow the leaf
            count = db.exec(select(func.count()).select_from(table).where(fk.parent.in_(ids))).one()
            if count:
                found.append(f"{table.name}（{count}条）")
    return found


def delete_rows(db: Session, ids: list[int]) -> None:
    """Delete leaves and their expert scores; refused while other records use them."""
    used = referencing_rows(db, ids)
    if used:
        raise Conflict(
            "指标已被其他记录引用（" + "、".join(used) + "），不能删除；可改为标记不适用"
        )
    db.exec(sa_delete(ExpertScore).where(col(ExpertScore.indicator_id).in_(ids)))
    db.exec(sa_delete(Indicator).where(col(Indicator.id).in_(ids)))
    db.flush()


def delete_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    version: int | None,
    confirm_clear: bool = False,
) -> None:
    """Delete a leaf (and its expert scores); a stale version is refused."""
    system = require_editor(db, engagement, actor)
    _stale(indicator, version)
    _ask(db, engagement, confirm_clear, f"删除指标“{indicator.name}”")
    audit.record(
        db,
        actor=actor,
        action="indicators.delete",
        obj=indicator,
        engagement_id=engagement.id,
        before=audit.snapshot(indicator, SYSTEM_FIELDS),
        summary="/".join(indicator.path),
    )
    name = indicator.name
    delete_rows(db, [indicator.id])
    db.expunge(indicator)
    note_system_change(
        db, actor=actor, engagement=engagement, system=system, reason=f"删除指标“{name}”"
    )


def move_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    direction: str,
    confirm_clear: bool = False,
) -> bool:
    """Swap a leaf with its neighbour in the same 二级 group; False when already at the end."""
    if direction not in ("up", "down"):
        raise ValidationFailed.of_field("direction", "移动方向无效")
    system = require_editor(db, engagement, actor)
    siblings = [
        item
        for item in list_indicators(db, engagement)
        if (item.level1, item.level2) == (indicator.level1, indicator.level2)
    ]
    index = next(i for i, item in enumerate(siblings) if item.id == indicator.id)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return False
    _ask(db, engagement, confirm_clear, f"调整“{indicator.name}”的顺序")
    other = siblings[other_index]
    if other.position == indicator.position:
        other.position += 1 if direction == "up" else -1
    indicator.position, other.position = other.position, indicator.position
    db.add_all([indicator, other])
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="indicators.move",
        obj=indicator,
        engagement_id=engagement.id,
        before={"after" if direction == "up" else "before": other.name},
        after={"before" if direction == "up" else "after": other.name},
        summary=f"“{indicator.name}”{'上移' if direction == 'up' else '下移'}",
    )
    note_system_change(
        db, actor=actor, engagement=engagement, system=system, reason=f"调整“{indicator.name}”顺序"
    )
    return True


# --- the lead's confirmation ---------------------------------------------------------------


def _ask(db: Session, engagement: Engagement, confirm_clear: bool, action: str) -> None:
    """An edit of a confirmed or signed system names what it clears and needs a yes first."""
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action=action, confirmation=True
    )


def confirm(db: Session, *, actor: User, engagement: Engagement) -> None:
    """The lead confirms the system; refused while it has blockers."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以确认指标体系")
    require_cleared(db, engagement, actor)
    system = ensure_system(db, engagement)
    if system.confirmed_at is not None:
        raise Conflict("指标体系已确认")
    result = check(db, engagement)
    if result.blockers:
        raise Conflict("指标体系尚有问题，不能确认", details=result.blockers)
    system.confirmed_by_id = actor.id
    system.confirmed_at = utcnow()
    db.add(system)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="indicators.confirm",
        obj=system,
        engagement_id=engagement.id,
        after={"confirmed_at": system.confirmed_at, "warnings": result.warnings},
        summary="项目负责人确认指标体系",
    )


def unconfirm(
    db: Session, *, actor: User, engagement: Engagement, confirm_clear: bool = False
) -> None:
    """The lead withdraws the confirmation (the score sign-off lapses with it)."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以撤销确认")
    system = get_system(db, engagement)
    if system is None or system.confirmed_at is None:
        raise Conflict("指标体系尚未确认")
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action="撤销指标体系的确认"
    )  # the lead withdraws their own confirmation knowingly; the score sign-off is asked about
    note_system_change(
        db, actor=actor, engagement=engagement, system=system, reason="项目负责人撤销确认"
    )


__all__ = [
    "EXTRA_COLUMNS",
    "LeafExtras",
    "IndicatorInput",
    "LABELS",
    "Level1Node",
    "Level2Node",
    "SYSTEM_FIELDS",
    "SheetError",
    "TEXT_LIMITS",
    "build_tree",
    "check",
    "confirm",
    "create_indicator",
    "delete_indicator",
    "delete_rows",
    "field_errors",
    "get_indicator",
    "grade_table",
    "in_tree_order",
    "invalidate_signoff",
    "is_editor",
    "json_tree",
    "leaves_digest",
    "list_indicators",
    "move_indicator",
    "parse_grades",
    "read_sheet",
    "referencing_rows",
    "set_grades",
    "signatures_a_change_clears",
    "to_leaf",
    "transfer",
    "unconfirm",
    "update_indicator",
    "write_sheet",
]


# Importing a sheet or a JSON tree builds on the services above, so those two join the public
# interface last, as namespaces (`services.transfer.import_sheet(...)`); imported as modules they
# work whichever is imported first.
from workbench.indicators import json_tree, transfer  # noqa: E402
