"""The library workflow: personal → proposed → shared (or rejected, deprecated).

Anyone at the agency proposes indicators (their own, or an engagement's); an admin approves,
rejects (back to personal, with a reason), deprecates or restores. Every change is audit-logged;
stale actions are refused by the optimistic lock.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed
from workbench.core.permissions import authorize
from workbench.core.problems import at_field
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.library import content as leaf_content
from workbench.library.content import LeafContent
from workbench.library.editing import (
    STATE_FIELDS,
    check_lock,
    content_of,
    create_personal,
    invalid,
)
from workbench.library.models import LibraryIndicator, LibraryIndicatorVersion, Status


def _transition(
    db: Session,
    *,
    actor: User,
    indicator: LibraryIndicator,
    action: str,
    allowed_from: tuple[Status, ...],
    target: Status,
    version: int | None,
    note: str | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> LibraryIndicator:
    check_lock(indicator, version)
    if indicator.status not in allowed_from:
        names = "、".join(Status(s).value for s in allowed_from)
        raise Conflict(f"该指标当前状态为“{indicator.status_name}”，不能执行此操作（需为 {names}）")
    before = audit.snapshot(indicator, STATE_FIELDS)
    indicator.status = target
    if note is not None:
        indicator.status_note = note
    for name, value in (changes or {}).items():
        setattr(indicator, name, value)
    indicator.updated_at = utcnow()
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=action,
        obj=indicator,
        before=before,
        after=audit.snapshot(indicator, STATE_FIELDS),
        summary=summary or indicator.name,
    )
    return indicator


def propose(
    db: Session, *, actor: User, indicator: LibraryIndicator, version: int | None
) -> LibraryIndicator:
    """The owner submits a personal indicator for the admin's review."""
    authorize(actor, "library.own", indicator, message="只有指标的创建人可以提交审核")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.propose",
        allowed_from=(Status.personal,),
        target=Status.proposed,
        version=version,
        note="",
        summary=f"{indicator.name} 提交审核",
        changes={"proposed_at": utcnow()},
    )


def withdraw(
    db: Session, *, actor: User, indicator: LibraryIndicator, version: int | None
) -> LibraryIndicator:
    """The owner takes a proposal back before review."""
    authorize(actor, "library.own", indicator, message="只有指标的创建人可以撤回")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.withdraw",
        allowed_from=(Status.proposed,),
        target=Status.personal,
        version=version,
        summary=f"{indicator.name} 撤回审核",
    )


def _require_admin(actor: User, what: str) -> None:
    authorize(actor, "admin", message=f"只有机构管理员可以{what}")


def approve(
    db: Session, *, actor: User, indicator: LibraryIndicator, version: int | None
) -> LibraryIndicator:
    """The admin shares a proposed indicator with the whole agency."""
    _require_admin(actor, "审核通过指标")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.approve",
        allowed_from=(Status.proposed,),
        target=Status.shared,
        version=version,
        note="",
        summary=f"{indicator.name} 审核通过，纳入共享指标库",
        changes={"reviewed_by_id": actor.id, "reviewed_at": utcnow()},
    )


def reject(
    db: Session,
    *,
    actor: User,
    indicator: LibraryIndicator,
    reason: str,
    version: int | None,
) -> LibraryIndicator:
    """The admin returns a proposal to its owner's personal indicators with a reason."""
    _require_admin(actor, "退回指标")
    if not reason.strip():
        raise invalid(at_field("reason", "请填写退回理由"), "请填写退回理由")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.reject",
        allowed_from=(Status.proposed,),
        target=Status.personal,
        version=version,
        note=reason.strip()[:1000],
        summary=f"{indicator.name} 被退回：{reason.strip()}",
        changes={"reviewed_by_id": actor.id, "reviewed_at": utcnow()},
    )


def deprecate(
    db: Session,
    *,
    actor: User,
    indicator: LibraryIndicator,
    reason: str,
    version: int | None,
) -> LibraryIndicator:
    """The admin withdraws an indicator from use; engagements keep the versions they used."""
    _require_admin(actor, "停用指标")
    if not reason.strip():
        raise invalid(at_field("reason", "请填写停用理由"), "请填写停用理由")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.deprecate",
        allowed_from=(Status.shared, Status.proposed, Status.personal),
        target=Status.deprecated,
        version=version,
        note=reason.strip()[:1000],
        summary=f"{indicator.name} 停用：{reason.strip()}",
    )


def restore(
    db: Session, *, actor: User, indicator: LibraryIndicator, version: int | None
) -> LibraryIndicator:
    """The admin puts a deprecated indicator back into the shared library."""
    _require_admin(actor, "恢复指标")
    return _transition(
        db,
        actor=actor,
        indicator=indicator,
        action="library.restore",
        allowed_from=(Status.deprecated,),
        target=Status.shared,
        version=version,
        note="",
        summary=f"{indicator.name} 恢复使用",
    )


def _from_engagement_indicator(indicator) -> LeafContent:
    return LeafContent(
        level1=indicator.level1,
        level2=indicator.level2,
        name=indicator.name,
        definition=indicator.definition or "",
        points=leaf_content.split_lines(indicator.points),
        evidence=leaf_content.split_lines(indicator.evidence_sources),
        standard_type=indicator.standard_type or "其他",
        rule=indicator.rule or "manual",
        params=indicator.params or "",
        weight=indicator.weight,
        target=indicator.target or "",
        scoring=indicator.standard or "",
        notes=indicator.note or "",
    )


def propose_from_engagement(db: Session, *, actor: User, indicator) -> LibraryIndicator:
    """Propose an engagement's indicator to the library (personal → proposed, with provenance)."""
    engagement = db.get(Engagement, indicator.engagement_id)
    if engagement is None or not actor.is_agency:
        raise NotAllowed("只有评价机构人员可以向指标库提交指标")
    authorize(
        actor, "engagement.team", engagement, message="只有项目工作组成员可以提交本项目的指标"
    )
    earlier = db.exec(
        select(LibraryIndicator).where(
            LibraryIndicator.source_engagement_id == engagement.id,
            LibraryIndicator.source_indicator_id == indicator.id,
            LibraryIndicator.status != Status.deprecated,
        )
    ).first()
    if earlier is not None:
        raise Conflict(f"指标“{indicator.name}”已提交过指标库（当前状态：{earlier.status_name}）")
    data = _from_engagement_indicator(indicator)
    errors = leaf_content.validate(data)
    if errors:
        raise invalid(errors, f"指标“{indicator.name}”信息不完整，请先在指标体系中补充后再提交")
    note = f"来自项目“{engagement.title}”（{engagement.code}）"
    if indicator.library_indicator_id:
        used = db.exec(
            select(LibraryIndicatorVersion).where(
                LibraryIndicatorVersion.indicator_id == indicator.library_indicator_id,
                LibraryIndicatorVersion.number == (indicator.library_version or 0),
            )
        ).first()
        if used is not None:
            # Engagement indicators carry no tags or benchmarks: keep the library's.
            data = replace(
                data, tags=tuple(used.tags or ()), benchmarks=content_of(used).benchmarks
            )
            if used.digest == data.digest():
                raise Conflict(f"该指标与指标库中的“{used.name}”第{used.number}版相同，无需提交")
            note += f"，改编自指标库“{used.name}”第{used.number}版"
    created = create_personal(
        db,
        actor=actor,
        data=data,
        engagement_types=[engagement.type],
        change_note=note,
        source_engagement_id=engagement.id,
        source_indicator_id=indicator.id,
    )
    return propose(db, actor=actor, indicator=created, version=created.version)
