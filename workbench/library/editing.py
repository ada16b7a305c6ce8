"""Writing library content: personal indicators, edits and benchmarks each add a version."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import replace

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.problems import FieldError
from workbench.core.timeutil import utcnow
from workbench.engagements.models import EngagementType
from workbench.library import content as leaf_content
from workbench.library.content import BenchmarkValue, LeafContent
from workbench.library.models import (
    Kind,
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryTag,
    Status,
)

CUSTOM_PREFIX = "contributed"
STATE_FIELDS = ["status", "status_note", "current_version", "owner_id", "reviewed_by_id"]


def check_lock(indicator: LibraryIndicator, version: int | None) -> None:
    require_version(version, indicator.version, stale="该指标已被他人修改，请刷新后重试")


def invalid(errors: list[FieldError], message: str = "指标内容有误") -> ValidationFailed:
    return ValidationFailed(message, details=errors)


def _current(db: Session, indicator: LibraryIndicator) -> LibraryIndicatorVersion:
    return db.exec(
        select(LibraryIndicatorVersion).where(
            LibraryIndicatorVersion.indicator_id == indicator.id,
            LibraryIndicatorVersion.number == indicator.current_version,
        )
    ).one()


def current_versions(
    db: Session, indicators: Iterable[LibraryIndicator]
) -> dict[int, LibraryIndicatorVersion]:
    """The current version of each indicator, by indicator id, in one query."""
    wanted = {item.id: item.current_version for item in indicators if item.id is not None}
    if not wanted:
        return {}
    rows = db.exec(
        select(LibraryIndicatorVersion)
        .join(
            LibraryIndicator,
            (LibraryIndicator.id == LibraryIndicatorVersion.indicator_id)
            & (LibraryIndicator.current_version == LibraryIndicatorVersion.number),
        )
        .where(col(LibraryIndicator.id).in_(list(wanted)))
    ).all()
    return {row.indicator_id: row for row in rows}


def content_of(version: LibraryIndicatorVersion) -> LeafContent:
    """A stored version's content."""
    return leaf_content.from_columns(version.model_dump())


def engagement_types_text(types: list[str] | tuple[str, ...]) -> str:
    """The stored form of engagement types: ',project,department,' (empty for none)."""
    return f",{','.join(types)}," if types else ""


def sync_tags(db: Session, indicator_id: int, tags: tuple[str, ...] | list[str]) -> None:
    """Make the tag rows of an indicator equal to `tags`."""
    rows = db.exec(select(LibraryTag).where(LibraryTag.indicator_id == indicator_id)).all()
    existing = {row.tag: row for row in rows}
    for tag, row in existing.items():
        if tag not in tags:
            db.delete(row)
    db.add_all(
        [LibraryTag(indicator_id=indicator_id, tag=tag) for tag in tags if tag not in existing]
    )


def add_version(
    db: Session,
    *,
    indicator: LibraryIndicator,
    data: LeafContent,
    actor: User | None,
    change_note: str,
) -> LibraryIndicatorVersion:
    """Append a version and make it current (the indicator's lock moves on)."""
    number = indicator.current_version + 1 if indicator.id is not None else 1
    if indicator.id is None:
        indicator.current_version = 1
        db.add(indicator)
        db.flush()
    row = LibraryIndicatorVersion(
        indicator_id=indicator.id,
        number=number,
        digest=data.digest(),
        change_note=change_note,
        created_by_id=getattr(actor, "id", None),
        **data.columns(),
    )
    db.add(row)
    indicator.current_version = number
    indicator.name = data.name
    indicator.search_text = data.search_document()
    indicator.search_pinyin = data.pinyin_document()
    indicator.updated_at = utcnow()
    db.add(indicator)
    sync_tags(db, indicator.id, data.tags)
    db.flush()
    return row


def create_personal(
    db: Session,
    *,
    actor: User,
    data: LeafContent,
    sector: str | None = None,
    engagement_types: list[str] | None = None,
    change_note: str = "新建",
    source_engagement_id: int | None = None,
    source_indicator_id: int | None = None,
) -> LibraryIndicator:
    """A new personal (个性) indicator owned by the actor."""
    authorize(actor, "agency", message="只有评价机构人员可以向指标库添加指标")
    types = list(engagement_types or [EngagementType.project.value])
    errors = leaf_content.validate(data)
    errors += [
        FieldError(f"未知的评价类型「{item}」", field="engagement_types")
        for item in types
        if item not in EngagementType.__members__
    ]
    if errors:
        raise invalid(errors)
    indicator = LibraryIndicator(
        key=f"{CUSTOM_PREFIX}.ind_{secrets.token_hex(5)}",
        kind=Kind.sector,
        sector=(sector or "").strip() or None,
        engagement_types=engagement_types_text(types),
        status=Status.personal,
        owner_id=actor.id,
        created_by_id=actor.id,
        source_engagement_id=source_engagement_id,
        source_indicator_id=source_indicator_id,
    )
    version = add_version(db, indicator=indicator, data=data, actor=actor, change_note=change_note)
    audit.record(
        db,
        actor=actor,
        action="library.create",
        obj=indicator,
        engagement_id=source_engagement_id,
        after={**audit.snapshot(indicator, STATE_FIELDS), "digest": version.digest},
        summary=data.name,
    )
    return indicator


def edit(
    db: Session,
    *,
    actor: User,
    indicator: LibraryIndicator,
    data: LeafContent,
    change_note: str,
    version: int | None,
    sector: str | None = None,
    engagement_types: list[str] | None = None,
) -> LibraryIndicatorVersion | None:
    """Save changed content as a new version with a change note (None: only the scope changed).

    `sector` and `engagement_types` (where an indicator applies) are not versioned and are
    ignored for pack indicators, whose pack decides them.
    """
    authorize(
        actor,
        "library.edit",
        indicator,
        message="您不能修改该指标（共享指标由管理员修改，个人指标由本人修改）",
    )
    check_lock(indicator, version)
    errors = leaf_content.validate(data)
    scope = _scope_changes(indicator, sector, engagement_types, errors)
    before = _current(db, indicator)
    same = before.digest == data.digest()
    if not same and not change_note.strip():
        errors.append(FieldError("请填写修改说明", field="change_note"))
    if errors:
        raise invalid(errors)
    if same and not scope:
        raise invalid(
            [FieldError("内容与当前版本相同，未生成新版本", field="change_note")],
            "内容没有变化",
        )
    old_scope = audit.snapshot(indicator, list(scope))
    for name, value in scope.items():
        setattr(indicator, name, value)
    row = None
    if not same:
        row = add_version(
            db, indicator=indicator, data=data, actor=actor, change_note=change_note.strip()
        )
    else:
        indicator.updated_at = utcnow()
        db.add(indicator)
        db.flush()
    audit.record(
        db,
        actor=actor,
        action="library.edit",
        obj=indicator,
        before={"version": before.number, "digest": before.digest, **old_scope},
        after={
            "version": indicator.current_version,
            "digest": row.digest if row else before.digest,
            "change_note": change_note.strip(),
            **audit.snapshot(indicator, list(scope)),
        },
        summary=f"{data.name} 第{indicator.current_version}版：{change_note.strip() or '修改适用范围'}",
    )
    return row


def _scope_changes(
    indicator: LibraryIndicator,
    sector: str | None,
    engagement_types: list[str] | None,
    errors: list[dict],
) -> dict[str, str | None]:
    if indicator.is_system:
        return {}
    changes: dict[str, str | None] = {}
    if sector is not None and (sector.strip() or None) != indicator.sector:
        if len(sector.strip()) > 60:
            errors.append(FieldError("所属领域最多 60 个字符", field="sector"))
        changes["sector"] = sector.strip() or None
    if engagement_types is not None:
        unknown = [item for item in engagement_types if item not in EngagementType.__members__]
        errors += [
            FieldError(f"未知的评价类型「{item}」", field="engagement_types") for item in unknown
        ]
        if not engagement_types:
            errors.append(FieldError("请至少选择一种评价类型", field="engagement_types"))
        text = engagement_types_text(engagement_types)
        if text != indicator.engagement_types:
            changes["engagement_types"] = text
    return changes


def add_benchmark(
    db: Session,
    *,
    actor: User,
    indicator: LibraryIndicator,
    value: str,
    year: int,
    source: str,
    version: int | None,
) -> LibraryIndicatorVersion:
    """Record a newer benchmark value: a new version whose benchmarks include it."""
    if not actor.is_agency or not (
        indicator.can_edit(actor) or indicator.status in (Status.shared, Status.proposed)
    ):
        raise NotAllowed("您不能为该指标添加基准值")
    if indicator.status == Status.deprecated:
        raise Conflict("该指标已停用，不能添加基准值")
    check_lock(indicator, version)
    old = content_of(_current(db, indicator))
    item = BenchmarkValue(value.strip(), year, source.strip())
    if item in old.benchmarks:
        raise invalid([FieldError("该基准值已存在", field="value")], "基准值重复")
    data = replace(old, benchmarks=(*old.benchmarks, item))
    errors = leaf_content.validate(data)
    if errors:
        raise invalid(
            [replace(e, field="value") if e.field == "benchmarks" else e for e in errors],
            "基准值有误",
        )
    row = add_version(
        db,
        indicator=indicator,
        data=data,
        actor=actor,
        change_note=f"新增基准值 {item.value}（{item.year}年，{item.source}）",
    )
    audit.record(
        db,
        actor=actor,
        action="library.benchmark",
        obj=indicator,
        after={"version": row.number, "benchmark": item.__dict__},
        summary=f"{data.name}：{row.change_note}",
    )
    return row
