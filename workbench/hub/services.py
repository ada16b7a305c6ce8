"""A member's side of the hub: its connection, incoming updates and accepting them.

Incoming versions wait as updates (待接受), each with what accepting it would do (rules.decide).
Accepting and keeping the local version live in accepting.py; sync, publishing and offline packs
in sync.py; statistics in stats.py.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.hub import rules, signing
from workbench.hub.client import check_url
from workbench.hub.models import HubConnection, HubLink, HubUpdate, LinkKind, UpdateStatus
from workbench.library.models import LibraryIndicator
from workbench.library.services import current_versions

LOCAL_PREFIX = "hub"
CONNECTION_FIELDS = ["url", "public_key", "region", "share_stats"]


# ---------------------------------------------------------------------------------------------
# The connection


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(f"hub-member-key:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def member_key(connection: HubConnection, *, secret: str) -> str:
    """The member key in clear ('' when none, or when the instance's secret key has changed)."""
    if not connection.key_secret:
        return ""
    try:
        return _fernet(secret).decrypt(connection.key_secret.encode()).decode()
    except InvalidToken:
        return ""


def connection_of(db: Session, org_id: int | None) -> HubConnection | None:
    """The agency's connection, or None."""
    if org_id is None:
        return None
    return db.exec(select(HubConnection).where(HubConnection.org_id == org_id)).first()


def require_connection(db: Session, org_id: int | None) -> HubConnection:
    found = connection_of(db, org_id)
    if found is None:
        raise Conflict("本机构尚未设置枢纽连接：请先在“行业指标库”页填写枢纽地址和成员密钥")
    return found


def save_connection(
    db: Session,
    *,
    actor: User,
    url: str,
    key: str,
    public_key: str,
    region: str,
    share_stats: bool,
    secret: str,
    allow_loopback_http: bool = False,
) -> HubConnection:
    """Create or change the agency's connection; a blank key keeps the stored one."""
    authorize(actor, "admin", message="只有机构管理员可以设置枢纽连接")
    url, key, public_key, region = url.strip(), key.strip(), public_key.strip(), region.strip()
    errors = []
    if not url and not public_key:
        errors.append(
            {"field": "url", "message": "请填写枢纽地址；只用离线指标包时，至少填写枢纽公钥"}
        )
    if url and not key and not (connection_of(db, actor.org_id) or HubConnection()).key_secret:
        errors.append({"field": "key", "message": "请填写枢纽管理员为本机构生成的成员密钥"})
    if url:
        problem = check_url(url, allow_loopback_http=allow_loopback_http)
        if problem:
            errors.append({"field": "url", "message": problem})
    if public_key and not signing.valid_public_key(public_key):
        errors.append({"field": "public_key", "message": "枢纽公钥格式有误（44 个字符的 Base64）"})
    if len(region) > 60:
        errors.append({"field": "region", "message": "地区最多 60 个字符"})
    if key and (len(key) > 200 or not key.isascii()):
        errors.append({"field": "key", "message": "成员密钥格式有误"})
    if errors:
        raise ValidationFailed("枢纽连接设置有误", details=errors)
    row = connection_of(db, actor.org_id) or HubConnection(org_id=actor.org_id)
    before = audit.snapshot(row, CONNECTION_FIELDS) if row.id else None
    row.url, row.public_key, row.region, row.share_stats = url, public_key, region, share_stats
    if key:
        row.key_secret = _fernet(secret).encrypt(key.encode()).decode()
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="hub.connection_save",
        obj=row,
        before=before,
        after={**audit.snapshot(row, CONNECTION_FIELDS), "key_changed": bool(key)},
        summary=f"设置枢纽连接 {url or '（仅离线指标包）'}",
    )
    return row


# ---------------------------------------------------------------------------------------------
# Receiving items (from the feed or an offline pack)


@dataclass
class Received:
    new: int = 0
    changed: int = 0
    same: int = 0
    skipped: int = 0  # already taken, older, or the member's own publications
    names: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新指标 {self.new} 项，有更新 {self.changed} 项，内容相同 {self.same} 项"


def receive(db: Session, *, connection: HubConnection, items: list[dict]) -> Received:
    """Record incoming items as pending updates (newest version per item; own items skipped)."""
    result = Received()
    if not items:
        return result
    ids = [int(item["id"]) for item in items]
    links = {
        row.hub_item_id: row
        for row in db.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id, col(HubLink.hub_item_id).in_(ids)
            )
        )
    }
    updates = {
        row.hub_item_id: row
        for row in db.exec(
            select(HubUpdate).where(
                HubUpdate.connection_id == connection.id, col(HubUpdate.hub_item_id).in_(ids)
            )
        )
    }
    linked = [row.indicator_id for row in links.values()]
    local = _local_digests(db, linked)
    for item in items:
        item_id, version = int(item["id"]), int(item["version"])
        link, update = links.get(item_id), updates.get(item_id)
        if link is not None and (link.kind == LinkKind.published or link.hub_version >= version):
            result.skipped += 1
            continue
        if update is not None and update.hub_version >= version:
            result.skipped += 1
            continue
        if link is not None and local.get(link.indicator_id) == item["digest"]:
            link.hub_version, link.base_digest, link.updated_at = version, item["digest"], utcnow()
            db.add(link)
            result.same += 1
            continue
        update = update or HubUpdate(connection_id=connection.id, hub_item_id=item_id)
        update.hub_version, update.digest = version, item["digest"]
        update.publisher, update.sector = item.get("publisher"), item.get("sector")
        update.engagement_types = list(item.get("engagement_types") or [])
        update.content, update.name = item["content"], item["content"]["name"]
        update.status, update.received_at = UpdateStatus.pending, utcnow()
        update.decided_at = update.decided_by_id = None
        db.add(update)
        if link is None:
            result.new += 1
        else:
            result.changed += 1
    db.flush()
    return result


def _local_digests(db: Session, indicator_ids: list[int]) -> dict[int, str]:
    if not indicator_ids:
        return {}
    rows = db.exec(
        select(LibraryIndicator).where(col(LibraryIndicator.id).in_(indicator_ids))
    ).all()
    return {key: version.digest for key, version in current_versions(db, rows).items()}


# ---------------------------------------------------------------------------------------------
# Reviewing and accepting


@dataclass(frozen=True)
class Pending:
    """An update with what accepting it would do."""

    update: HubUpdate
    decision: rules.Decision
    indicator: LibraryIndicator | None
    link: HubLink | None = None


def pending(
    db: Session, *, connection: HubConnection, limit: int = 200
) -> tuple[list[Pending], int]:
    """Pending updates (oldest first) with their decisions, and how many are pending in all."""
    query = pending_query(connection)
    rows = list(db.exec(query.order_by(HubUpdate.received_at, HubUpdate.id).limit(limit)).all())
    total = db.exec(query.with_only_columns(func.count())).one()
    return with_decisions(db, connection, rows), total


def pending_query(connection: HubConnection):
    return select(HubUpdate).where(
        HubUpdate.connection_id == connection.id, HubUpdate.status == UpdateStatus.pending
    )


def with_decisions(db: Session, connection: HubConnection, rows: list[HubUpdate]) -> list[Pending]:
    """The updates with what accepting each would do (three queries, however many rows)."""
    cache = _links(db, connection, rows)
    return [_pending(db, connection, row, cache) for row in rows]


def _links(db: Session, connection: HubConnection, rows: list[HubUpdate]):
    links = {
        link.hub_item_id: link
        for link in db.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id,
                col(HubLink.hub_item_id).in_([row.hub_item_id for row in rows]),
            )
        )
    }
    indicators = {
        row.id: row
        for row in db.exec(
            select(LibraryIndicator).where(
                col(LibraryIndicator.id).in_([link.indicator_id for link in links.values()])
            )
        )
    }
    return links, indicators, current_versions(db, indicators.values())


def _pending(db, connection, row: HubUpdate, cache) -> Pending:
    links, indicators, versions = cache
    link = links.get(row.hub_item_id)
    indicator = indicators.get(link.indicator_id) if link else None
    local = versions[indicator.id].digest if indicator is not None else None
    decision = rules.decide(
        incoming=row.digest, base=link.base_digest if link else None, local=local
    )
    return Pending(row, decision, indicator, link)


def get_update(db: Session, *, connection: HubConnection, update_id: int) -> Pending:
    row = db.get(HubUpdate, update_id)
    if row is None or row.connection_id != connection.id:
        raise NotFound("没有该更新")
    return _pending(db, connection, row, _links(db, connection, [row]))
