"""Deciding incoming hub updates: accept one, keep the local version, or accept every one that is
not a conflict at once (the first subscription of thousands).

Accepting adds a version to the local library indicator (or creates it), so a local edit made
since the last accepted version stays in the history as a version of its own and is never
overwritten. The bulk accept leaves conflicts pending: a person decides each of those.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.hub import rules
from workbench.hub.models import HubConnection, HubLink, HubUpdate, LinkKind, UpdateStatus
from workbench.hub.services import Pending, get_update, pending_query, with_decisions
from workbench.library import content as leaf_content
from workbench.library.models import Kind, LibraryIndicator, Status
from workbench.library.services import add_version, engagement_types_text

LOCAL_PREFIX = "hub"
BATCH = 500  # updates decided per round of queries


def incoming_content(update: HubUpdate) -> leaf_content.LeafContent:
    return leaf_content.from_columns(update.content)


def _source(update: HubUpdate) -> str:
    return f"第{update.hub_version}版（{update.publisher or '匿名机构'}）"


def _take(
    db: Session, actor: User | None, connection: HubConnection, item: Pending
) -> LibraryIndicator:
    """Put a validated incoming version into the library and mark the update accepted."""
    update, source = item.update, _source(item.update)
    data = incoming_content(update)
    if item.indicator is None:
        indicator = LibraryIndicator(
            key=f"{LOCAL_PREFIX}.{update.hub_item_id}.{secrets.token_hex(3)}",
            kind=Kind.sector,
            sector=update.sector,
            engagement_types=engagement_types_text(update.engagement_types or ["project"]),
            status=Status.shared,
            created_by_id=getattr(actor, "id", None),
            reviewed_by_id=getattr(actor, "id", None),
            reviewed_at=utcnow(),
        )
        add_version(
            db, indicator=indicator, data=data, actor=actor, change_note=f"接受枢纽指标{source}"
        )
        db.add(
            HubLink(
                connection_id=connection.id,
                hub_item_id=update.hub_item_id,
                indicator_id=indicator.id,
                kind=LinkKind.subscribed,
                hub_version=update.hub_version,
                base_digest=update.digest,
            )
        )
    else:
        indicator = item.indicator
        if item.decision != rules.Decision.same:
            note = f"接受枢纽更新{source}"
            if item.decision == rules.Decision.conflict:
                note += "；本机构此前的修改保留为上一版本"
            add_version(db, indicator=indicator, data=data, actor=actor, change_note=note)
        _move_link(db, connection, update, item.link)
    _decide(db, actor, update, UpdateStatus.accepted)
    return indicator


def accept(
    db: Session, *, actor: User, connection: HubConnection, update: HubUpdate, version: int | None
) -> LibraryIndicator:
    """Take the incoming version into the library: a new indicator, or a new version of it."""
    authorize(actor, "admin", message="只有机构管理员可以接受枢纽更新")
    require_version(version, update.version, stale="该更新已被他人处理，请刷新后重试")
    if update.status != UpdateStatus.pending:
        raise Conflict("该更新已处理")
    item = get_update(db, connection=connection, update_id=update.id)
    errors = leaf_content.validate(incoming_content(update))
    if errors:
        raise ValidationFailed("枢纽指标内容有误，不能接受", details=errors)
    indicator = _take(db, actor, connection, item)
    audit.record(
        db,
        actor=actor,
        action="hub.accept",
        obj=indicator,
        after={
            "hub_item": update.hub_item_id,
            "hub_version": update.hub_version,
            "decision": item.decision.value,
            "version": indicator.current_version,
        },
        summary=f"接受枢纽指标「{update.name}」{_source(update)}",
    )
    return indicator


@dataclass
class Accepted:
    """What a bulk accept did: accepted per decision, conflicts and invalid items left pending."""

    new: int = 0
    update: int = 0
    same: int = 0
    conflicts: int = 0
    invalid: int = 0

    @property
    def accepted(self) -> int:
        return self.new + self.update + self.same

    def summary(self) -> str:
        text = (
            f"已接受 {self.accepted} 项（新指标 {self.new} 项，有更新 {self.update} 项，"
            f"内容相同 {self.same} 项）"
        )
        if self.conflicts:
            text += f"；{self.conflicts} 项冲突仍待逐项处理"
        if self.invalid:
            text += f"；{self.invalid} 项内容有误未接受"
        return text


def accept_all(db: Session, *, actor: User | None, connection: HubConnection) -> Accepted:
    """Accept every pending update that is not a conflict, in the caller's one transaction, with
    one audit entry; conflicts (and items whose content is invalid) stay pending."""
    if actor is not None:
        authorize(actor, "admin", message="只有机构管理员可以接受枢纽更新")
    result, last = Accepted(), 0
    while True:
        query = pending_query(connection).where(HubUpdate.id > last)
        rows = list(db.exec(query.order_by(HubUpdate.id).limit(BATCH)).all())
        if not rows:
            break
        last = rows[-1].id
        for item in with_decisions(db, connection, rows):
            if item.decision == rules.Decision.conflict:
                result.conflicts += 1
                continue
            if leaf_content.validate(incoming_content(item.update)):
                result.invalid += 1
                continue
            _take(db, actor, connection, item)
            setattr(result, item.decision.value, getattr(result, item.decision.value) + 1)
    if result.accepted:
        audit.record(
            db,
            actor=actor,
            action="hub.accept_all",
            obj=connection,
            after={
                "accepted": result.accepted,
                "new": result.new,
                "update": result.update,
                "same": result.same,
                "conflicts_left": result.conflicts,
                "invalid_left": result.invalid,
            },
            summary=f"批量接受枢纽更新：{result.summary()}",
        )
    return result


def keep_local(
    db: Session, *, actor: User, connection: HubConnection, update: HubUpdate, version: int | None
) -> None:
    """Set the incoming version aside: the local one stays current (a new item is just ignored)."""
    authorize(actor, "admin", message="只有机构管理员可以处理枢纽更新")
    require_version(version, update.version, stale="该更新已被他人处理，请刷新后重试")
    if update.status != UpdateStatus.pending:
        raise Conflict("该更新已处理")
    item = get_update(db, connection=connection, update_id=update.id)
    if item.indicator is not None:
        _move_link(db, connection, update, None)
    _decide(db, actor, update, UpdateStatus.kept)
    audit.record(
        db,
        actor=actor,
        action="hub.keep_local",
        obj=update,
        after={"hub_item": update.hub_item_id, "hub_version": update.hub_version},
        summary=f"枢纽指标「{update.name}」第{update.hub_version}版：保留本机构版本（不接受）",
    )


def _move_link(
    db: Session, connection: HubConnection, update: HubUpdate, link: HubLink | None
) -> None:
    link = (
        link
        or db.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id, HubLink.hub_item_id == update.hub_item_id
            )
        ).one()
    )
    link.hub_version, link.base_digest = update.hub_version, update.digest
    link.updated_at = utcnow()
    db.add(link)


def _decide(db: Session, actor: User | None, update: HubUpdate, status: UpdateStatus) -> None:
    update.status, update.decided_at = status, utcnow()
    update.decided_by_id = getattr(actor, "id", None)
    db.add(update)
    db.flush()
