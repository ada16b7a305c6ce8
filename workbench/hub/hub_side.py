"""The hub's own services: members and their keys, published items, the feed, statistics, packs."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.problems import FieldError
from workbench.core.timeutil import utcnow
from workbench.hub import rules, signing
from workbench.hub.models import HubFeed, HubItem, HubMember, HubStat
from workbench.hub.schemas import ChangeItem, Published, PublishItem, StatRow
from workbench.library import content as leaf_content

KEY_PREFIX = "wbh_"
SIGNING_KEY_FILE = "hub_signing_key.pem"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_member(db: Session, *, actor: User | None, name: str) -> tuple[HubMember, str]:
    """A new member and its key (returned once; only its hash is kept)."""
    if actor is not None:
        authorize(actor, "admin", message="只有机构管理员可以管理枢纽成员")
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed.of_field("name", "请填写成员机构名称（不超过 200 字）")
    if db.exec(select(HubMember.id).where(HubMember.name == name)).first() is not None:
        raise ValidationFailed.of_field("name", f"已有名为「{name}」的成员")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    member = HubMember(
        name=name, key_hash=_hash(key), key_hint=key[:10], created_by_id=getattr(actor, "id", None)
    )
    db.add(member)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="hub.member_create",
        obj=member,
        after={"name": name, "key_hint": member.key_hint},
        summary=f"新增枢纽成员「{name}」",
    )
    return member, key


def revoke_member(db: Session, *, actor: User | None, member: HubMember) -> None:
    """Revoke a member's key: its requests are refused from now on; what it published stays."""
    if actor is not None:
        authorize(actor, "admin", message="只有机构管理员可以管理枢纽成员")
    if not member.active:
        raise Conflict(f"成员「{member.name}」的密钥已撤销")
    member.active, member.revoked_at = False, utcnow()
    db.add(member)
    audit.record(
        db,
        actor=actor,
        action="hub.member_revoke",
        obj=member,
        before={"active": True},
        after={"active": False},
        summary=f"撤销枢纽成员「{member.name}」的密钥",
    )
    db.flush()


def members(db: Session) -> list[HubMember]:
    return list(db.exec(select(HubMember).order_by(HubMember.name)).all())


def member_for_key(db: Session, key: str) -> HubMember | None:
    """The active member holding `key`, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    return db.exec(
        select(HubMember).where(HubMember.key_hash == _hash(key), col(HubMember.active))
    ).first()


def _next_seq(db: Session, count: int) -> int:
    """Reserve `count` feed positions; returns the first. The UPDATE serialises publishers."""
    if db.get(HubFeed, 1) is None:
        db.add(
            HubFeed(
                id=1,
                seq=db.exec(select(col(HubItem.seq)).order_by(col(HubItem.seq).desc())).first()
                or 0,
            )
        )
        db.flush()
    db.exec(update(HubFeed).where(col(HubFeed.id) == 1).values(seq=HubFeed.seq + count))
    last = db.exec(
        select(HubFeed.seq).where(HubFeed.id == 1).execution_options(populate_existing=True)
    ).one()
    return last - count + 1


def publish(db: Session, *, member: HubMember, items: list[PublishItem]) -> list[Published]:
    """Store a member's items: a new one gets version 1, changed content the next version."""
    errors = []
    for position, item in enumerate(items):
        data = leaf_content.from_columns(item.content.model_dump())
        errors += [
            FieldError(e.message, field=f"items.{position}.content.{e.field}")
            for e in leaf_content.validate(data)
        ]
    if errors:
        raise ValidationFailed("指标内容有误，未发布任何指标", details=errors[:50])
    keys = [item.origin_key for item in items]
    existing = {
        row.origin_key: row
        for row in db.exec(
            select(HubItem).where(HubItem.member_id == member.id, col(HubItem.origin_key).in_(keys))
        )
    }
    digests = {
        item.origin_key: leaf_content.from_columns(item.content.model_dump()).digest()
        for item in items
    }
    changing = [
        item
        for item in items
        if item.origin_key not in existing
        or existing[item.origin_key].digest != digests[item.origin_key]
        or _meta_changed(existing[item.origin_key], item, member)
    ]
    seq = _next_seq(db, len(changing)) if changing else 0
    now = utcnow()
    for item in changing:
        row = existing.get(item.origin_key)
        if row is None:
            row = HubItem(member_id=member.id, origin_key=item.origin_key, version=0)
            existing[item.origin_key] = row
        if row.digest != digests[item.origin_key]:
            row.version += 1
        row.digest = digests[item.origin_key]
        row.anonymous = item.anonymous
        row.publisher = None if item.anonymous else member.name
        row.sector = item.sector
        row.engagement_types = list(item.engagement_types)
        row.content = item.content.model_dump(mode="json")
        row.seq, row.updated_at = seq, now
        seq += 1
        db.add(row)
    db.flush()
    if changing:
        audit.record(
            db,
            actor=None,
            action="hub.item_publish",
            object_type="hub_member",
            object_id=member.id,
            after={"items": [existing[item.origin_key].id for item in changing][:200]},
            summary=f"成员「{member.name}」发布或更新 {len(changing)} 项指标",
        )
    return [
        Published(
            origin_key=key,
            id=existing[key].id,
            version=existing[key].version,
            changed=any(item.origin_key == key for item in changing),
        )
        for key in keys
    ]


def _meta_changed(row: HubItem, item: PublishItem, member: HubMember) -> bool:
    publisher = None if item.anonymous else member.name
    return (
        row.anonymous != item.anonymous
        or row.publisher != publisher
        or row.sector != item.sector
        or list(row.engagement_types or []) != list(item.engagement_types)
    )


def wire(row: HubItem) -> ChangeItem:
    """An item as the feed and the pack carry it (the member stays hidden when anonymous)."""
    return ChangeItem(
        id=row.id,
        version=row.version,
        digest=row.digest,
        publisher=row.publisher,
        sector=row.sector,
        engagement_types=list(row.engagement_types or []),
        content=row.content,
        seq=row.seq,
    )


def changes(db: Session, *, since: int, limit: int) -> tuple[list[ChangeItem], int, bool]:
    """Items changed after feed position `since`, in feed order: (items, new cursor, more)."""
    rows = db.exec(
        select(HubItem).where(HubItem.seq > since).order_by(HubItem.seq).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [wire(row) for row in rows], (rows[-1].seq if rows else since), more


def upload_stats(db: Session, *, member: HubMember, rows: list[StatRow]) -> int:
    """Replace a member's statistics with `rows`."""
    db.exec(delete(HubStat).where(col(HubStat.member_id) == member.id))
    db.add_all(
        [
            HubStat(member_id=member.id, indicator_key=row.key, **row.model_dump(exclude={"key"}))
            for row in rows
        ]
    )
    db.flush()
    audit.record(
        db,
        actor=None,
        action="hub.stats_upload",
        object_type="hub_member",
        object_id=member.id,
        after={"rows": len(rows)},
        summary=f"成员「{member.name}」更新使用统计（{len(rows)} 组）",
    )
    return len(rows)


def groups(db: Session, *, min_group: int) -> list[rules.Group]:
    """Every member's statistics combined; groups below `min_group` engagements left out."""
    rows = db.exec(select(HubStat)).all()
    return rules.combine(
        (
            rules.Contribution(
                key=row.indicator_key,
                year=row.year,
                sector=row.sector,
                region=row.region,
                engagements=row.engagements,
                rate_sum=row.rate_sum,
                rate_count=row.rate_count,
                weight_sum=row.weight_sum,
            )
            for row in rows
        ),
        min_group=min_group,
    )


def signing_key(instance: Path) -> bytes:
    """The hub's Ed25519 private key (PEM), made on first use and kept in the instance folder."""
    path = Path(instance) / SIGNING_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(signing.new_private_key())
        path.chmod(0o600)
    return path.read_bytes()


def pack_file(db: Session, *, instance: Path) -> bytes:
    """Every published item in one signed offline pack file."""
    rows = db.exec(select(HubItem).order_by(HubItem.seq)).all()
    payload = {
        "cursor": rows[-1].seq if rows else 0,
        "created_at": utcnow().isoformat(),
        "items": [wire(row).model_dump(mode="json") for row in rows],
    }
    return signing.sign(payload, private_pem=signing_key(instance))
