"""Talking to the hub: publishing, the sync (push, pull, statistics) and offline pack files.

A sync never raises for the hub's sake: an unreachable hub or a refused key is recorded on the
connection (and in the audit log) and the sync stops there; what it had already taken stays,
and the next sync resumes from the stored cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.hub import services, signing, stats
from workbench.hub.client import HubClient, HubError, check_url
from workbench.hub.models import HubConnection, HubLink, LinkKind
from workbench.hub.schemas import MAX_PUBLISH, ItemContent, PublishBody, PublishItem
from workbench.library.models import LibraryIndicator, Status
from workbench.library.services import current_versions

PAGE = 1000


@dataclass
class SyncResult:
    published: int = 0
    received: services.Received = field(default_factory=services.Received)
    stats_groups: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
        text = f"推送本机构更新 {self.published} 项；收到{self.received.summary()}"
        if self.stats_groups is not None:
            text += f"；行业统计 {self.stats_groups} 组"
        return text + (f"；未完成：{self.error}" if self.error else "")


def _item(row: LibraryIndicator, version, *, anonymous: bool) -> PublishItem:
    return PublishItem(
        origin_key=row.key,
        anonymous=anonymous,
        sector=row.sector,
        engagement_types=row.engagement_type_list,
        content=ItemContent.model_validate(
            {**version.model_dump(include=set(ItemContent.model_fields)), "weight": version.weight}
        ),
    )


def publish(
    db: Session,
    *,
    actor: User,
    connection: HubConnection,
    client: HubClient,
    indicator_ids: list[int],
    anonymous: bool,
) -> int:
    """Publish chosen library indicators (shown under the agency's name or anonymously)."""
    authorize(actor, "admin", message="只有机构管理员可以向枢纽发布指标")
    rows = list(
        db.exec(select(LibraryIndicator).where(col(LibraryIndicator.id).in_(indicator_ids))).all()
    )
    if not rows:
        raise ValidationFailed.of_field("indicator_ids", "请至少选择一项指标")
    subscribed = _links(db, connection, [row.id for row in rows], kind=LinkKind.subscribed)
    refused = [row.name for row in rows if row.status != Status.shared or row.id in subscribed]
    if refused:
        raise ValidationFailed.of_field(
            "indicator_ids",
            "只能发布本机构的共享指标（个人、待审核、已停用或来自枢纽的指标不能发布）："
            + "、".join(refused[:10]),
        )
    count = _push(db, connection=connection, client=client, rows=rows, anonymous=anonymous)
    audit.record(
        db,
        actor=actor,
        action="hub.publish",
        obj=connection,
        after={"indicators": [row.id for row in rows][:200], "anonymous": anonymous},
        summary=f"向枢纽发布 {len(rows)} 项指标（{'匿名' if anonymous else '显示本机构名称'}）",
    )
    return count


def _links(
    db: Session, connection: HubConnection, ids: list[int], *, kind: str
) -> dict[int, HubLink]:
    return {
        link.indicator_id: link
        for link in db.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id,
                HubLink.kind == kind,
                col(HubLink.indicator_id).in_(ids),
            )
        )
    }


def _push(
    db: Session,
    *,
    connection: HubConnection,
    client: HubClient,
    rows: list[LibraryIndicator],
    anonymous: bool | None,
) -> int:
    """Send rows to the hub in batches and link them; `anonymous` None keeps each link's choice."""
    versions = current_versions(db, rows)
    links = _links(db, connection, [row.id for row in rows], kind=LinkKind.published)
    changed = 0
    for start in range(0, len(rows), MAX_PUBLISH):
        batch = rows[start : start + MAX_PUBLISH]
        chosen = {
            row.id: anonymous if anonymous is not None else links[row.id].anonymous for row in batch
        }
        body = PublishBody(
            items=[_item(row, versions[row.id], anonymous=chosen[row.id]) for row in batch]
        )
        answer = client.publish(body)
        for row, done in zip(batch, answer.items, strict=True):
            link = links.get(row.id) or HubLink(
                connection_id=connection.id, indicator_id=row.id, kind=LinkKind.published
            )
            link.hub_item_id, link.hub_version = done.id, done.version
            link.base_digest, link.anonymous = versions[row.id].digest, chosen[row.id]
            link.updated_at = utcnow()
            db.add(link)
            changed += int(done.changed)
        db.flush()
    return changed


def _republish(db: Session, *, connection: HubConnection, client: HubClient) -> int:
    """Push the new content of indicators published before and edited since."""
    links = db.exec(
        select(HubLink).where(
            HubLink.connection_id == connection.id, HubLink.kind == LinkKind.published
        )
    ).all()
    rows = list(
        db.exec(
            select(LibraryIndicator).where(
                col(LibraryIndicator.id).in_([link.indicator_id for link in links]),
                LibraryIndicator.status == Status.shared,
            )
        ).all()
    )
    versions = current_versions(db, rows)
    base = {link.indicator_id: link.base_digest for link in links}
    edited = [row for row in rows if versions[row.id].digest != base[row.id]]
    return (
        _push(db, connection=connection, client=client, rows=edited, anonymous=None)
        if edited
        else 0
    )


def sync(
    db: Session, *, actor: User | None, connection: HubConnection, client: HubClient
) -> SyncResult:
    """Push edits of published indicators, pull changes since the cursor, exchange statistics."""
    result = SyncResult()
    connection.last_attempt_at = utcnow()
    try:
        result.published = _republish(db, connection=connection, client=client)
        more = True
        while more:
            page = client.changes(since=connection.cursor, limit=PAGE)
            got = services.receive(
                db,
                connection=connection,
                items=[item.model_dump(mode="json") for item in page.items],
            )
            _add(result.received, got)
            connection.cursor, more = page.cursor, page.more and bool(page.items)
            db.add(connection)
            db.flush()
        result.stats_groups = stats.exchange(db, connection=connection, client=client)
    except HubError as error:
        result.error = error.message
    connection.last_error = result.error[:500]
    if result.ok:
        connection.last_success_at = connection.last_attempt_at
    db.add(connection)
    audit.record(
        db,
        actor=actor,
        action="hub.sync",
        obj=connection,
        after={
            "published": result.published,
            "new": result.received.new,
            "changed": result.received.changed,
            "cursor": connection.cursor,
            "error": result.error,
        },
        summary=("与枢纽同步：" if result.ok else "与枢纽同步未完成：") + result.summary(),
    )
    db.flush()
    return result


def _add(total: services.Received, got: services.Received) -> None:
    total.new += got.new
    total.changed += got.changed
    total.same += got.same
    total.skipped += got.skipped


def import_pack(
    db: Session, *, actor: User | None, connection: HubConnection, data: bytes
) -> services.Received:
    """Verify an offline pack file against the hub's key, then record its items as updates."""
    if actor is not None:
        authorize(actor, "admin", message="只有机构管理员可以导入离线指标包")
    try:
        payload = signing.verify(data, public_key=connection.public_key)
    except signing.PackRefused as error:
        raise ValidationFailed.of_field("file", str(error)) from None
    items = payload.get("items")
    if not isinstance(items, list):
        raise ValidationFailed.of_field("file", "离线指标包内容无法读取，未导入任何内容")
    try:
        checked = [ItemContent.model_validate(item["content"]) and item for item in items]
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationFailed.of_field("file", "离线指标包内容无法读取，未导入任何内容") from error
    got = services.receive(db, connection=connection, items=checked)
    cursor = int(payload.get("cursor") or 0)
    if cursor > connection.cursor:
        connection.cursor = cursor  # the pack holds every item up to it
        db.add(connection)
    audit.record(
        db,
        actor=actor,
        action="hub.pack_import",
        obj=connection,
        after={"items": len(items), "new": got.new, "changed": got.changed},
        summary=f"导入离线指标包：{got.summary()}",
    )
    db.flush()
    return got


def require_online(connection: HubConnection) -> None:
    if not connection.online:
        raise Conflict("本机构的枢纽连接没有地址或成员密钥，只能导入离线指标包")


def open_client(connection: HubConnection, *, config, transport=None) -> HubClient:
    """A client of the connection's hub with the instance's settings (refuses a bad address)."""
    require_online(connection)
    problem = check_url(
        connection.url, allow_loopback_http=bool(config.get("HUB_ALLOW_LOOPBACK_HTTP"))
    )
    if problem:
        raise Conflict(problem)
    key = services.member_key(connection, secret=config["SECRET_KEY"])
    if not key:
        raise Conflict("无法读取已保存的成员密钥（实例密钥已更换？），请重新填写成员密钥")
    return HubClient(
        connection.url, key, timeout=float(config.get("HUB_TIMEOUT", 20)), transport=transport
    )
