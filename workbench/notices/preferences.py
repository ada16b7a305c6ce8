"""Who wants which kind of notice: every kind is on until the user mutes it on the profile page."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.notices.kinds import BY_KEY, KINDS
from workbench.notices.models import NoticeMute


def muted(db: Session, *, user_id: int) -> set[str]:
    """The kinds the user turned off."""
    return set(db.exec(select(NoticeMute.kind).where(NoticeMute.user_id == user_id)).all())


def wanted(db: Session, *, users: Iterable, kind: str) -> list:
    """The users who have not muted `kind` (one query for all of them)."""
    users = list(users)
    ids = [u.id for u in users]
    if not ids:
        return []
    off = set(
        db.exec(
            select(NoticeMute.user_id).where(
                col(NoticeMute.user_id).in_(ids), NoticeMute.kind == kind
            )
        ).all()
    )
    return [u for u in users if u.id not in off]


def save(db: Session, *, actor, enabled: Iterable[str]) -> set[str]:
    """Keep the kinds ticked on the form, mute the rest; returns the muted kinds."""
    chosen = {key.strip() for key in enabled if key and key.strip()}
    unknown = sorted(chosen - set(BY_KEY))
    if unknown:
        raise ValidationFailed(
            "通知设置有误，未保存",
            details=[{"field": "kinds", "message": f"没有“{unknown[0]}”这种通知"}],
        )
    before = muted(db, user_id=actor.id)
    after = {kind.key for kind in KINDS} - chosen
    if after == before:
        return before
    rows = db.exec(select(NoticeMute).where(NoticeMute.user_id == actor.id)).all()
    for row in rows:
        if row.kind not in after:
            db.delete(row)
    for kind in sorted(after - before):
        db.add(NoticeMute(user_id=actor.id, kind=kind))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="user.notice_preferences",
        obj=actor,
        # The audit page shows the kinds by name (the keys stay in notice_mute).
        before={"muted": [k.label for k in KINDS if k.key in before]},
        after={"muted": [k.label for k in KINDS if k.key in after]},
        summary=f"通知设置：关闭 {len(after)} 类，接收 {len(KINDS) - len(after)} 类",
    )
    return after
