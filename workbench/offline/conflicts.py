"""The lead's choice on a record edited both offline and here: the laptop's, the server's, or both.

采用离线版本 writes the laptop's values of the differing fields (or carries out its deletion, or
restores a record deleted here); 保留服务器版本 keeps the server's record and remembers the laptop's
as seen, so the next check-in of the same laptop does not raise it again; 两者都保留 (working
papers and findings) adds the laptop's version as a new record beside the server's.
"""

from __future__ import annotations

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, ensure_writable
from workbench.indicators.services import invalidate_signoff
from workbench.offline import scope
from workbench.offline.models import CHOICE_NAMES, ConflictChoice, OfflineBase, OfflineConflict
from workbench.offline.writes import RecordWriter

KEEPS_BOTH = frozenset({"working_paper", "paper_finding"})


def listing(db: Session, engagement_id: int, *, open_only: bool = False) -> list[OfflineConflict]:
    query = select(OfflineConflict).where(OfflineConflict.engagement_id == engagement_id)
    if open_only:
        query = query.where(col(OfflineConflict.choice).is_(None))
    return list(db.exec(query.order_by(col(OfflineConflict.id))).all())


def choices(conflict: OfflineConflict) -> list[tuple[str, str]]:
    """The choices this conflict offers, with what each does in words."""
    if conflict.deleted == "offline":
        return [("offline", "在服务器上也删除"), ("server", "保留服务器上的记录")]
    if conflict.deleted == "server":
        return [("offline", "恢复为离线版本"), ("server", "接受服务器上的删除")]
    found = [
        ("offline", CHOICE_NAMES[ConflictChoice.offline]),
        ("server", CHOICE_NAMES[ConflictChoice.server]),
    ]
    if conflict.table_name in KEEPS_BOTH:
        found.append(("both", "两者都保留（离线版本另存为一条新记录）"))
    return found


def get(db: Session, engagement: Engagement, conflict_id: int) -> OfflineConflict:
    conflict = db.get(OfflineConflict, conflict_id)
    if conflict is None or conflict.engagement_id != engagement.id:
        raise NotFound("冲突记录不存在")
    return conflict


def resolve(
    db: Session, *, actor: User, engagement: Engagement, conflict: OfflineConflict, choice: str
) -> OfflineConflict:
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以处理离线冲突")
    ensure_writable(engagement)
    if choice not in dict(choices(conflict)):
        raise ValidationFailed.of_field("choice", "请选择一种处理方式")
    if not conflict.open:
        raise Conflict(f"该冲突已由他人处理（{conflict.choice_name}），请刷新页面")
    writer = RecordWriter(db, engagement.id)
    tbl = scope.table(conflict.table_name)
    base = db.exec(
        select(OfflineBase).where(
            OfflineBase.checkout_id == conflict.checkout_id,
            OfflineBase.table_name == conflict.table_name,
            OfflineBase.key == conflict.key,
        )
    ).first()
    current = _current(db, tbl, conflict.server_key)
    laptop = conflict.offline_row.get("laptop")
    ours = conflict.offline_row.get("server")
    if choice == "offline":
        if conflict.deleted == "offline":
            if current is not None:
                writer.delete_row(tbl, current)
            if base is not None:
                db.delete(base)
        elif conflict.deleted == "server" or current is None:
            new_key = writer.insert(tbl, dict(ours))
            if base is not None:
                base.server_key, base.data = new_key, laptop
                db.add(base)
            writer.touch(tbl.name, {**ours, "id": int(new_key) if new_key.isdigit() else None})
        else:
            fields = {line["field"].split(".", 1)[0] for line in conflict.fields}
            writer.write_fields(tbl, current, ours, fields)
            if base is not None:
                base.data = laptop
                db.add(base)
    elif choice == "server":
        if base is not None:
            if conflict.deleted == "offline":
                db.delete(base)
            else:
                base.data = laptop
                db.add(base)
    else:
        copy = {k: v for k, v in ours.items() if k != "id"}
        if tbl.name == "working_paper":
            papers = db.connection().execute(
                core_select(tbl).where(tbl.c.engagement_id == engagement.id)
            )
            here = {str(r.id): scope.plain_row(dict(r._mapping)) for r in papers}
            copy["title"] = (str(copy.get("title", "")) + "（离线版本）")[:200]
            copy["status"] = "draft"
            writer.free_index(copy, here)
        new_key = writer.insert(tbl, copy)
        writer.touch(tbl.name, {**copy, "id": int(new_key)})
        if base is not None:
            base.data = laptop
            db.add(base)
    db.flush()
    writer.settle_touched()
    if writer.scoring_changed:
        invalidate_signoff(db, actor=actor, engagement=engagement, reason="采用离线版本的评分数据")
    conflict.choice = choice
    conflict.resolved_by_id = actor.id
    conflict.resolved_at = utcnow()
    db.add(conflict)
    audit.record(
        db,
        actor=actor,
        action="offline.resolve",
        obj=conflict,
        engagement_id=engagement.id,
        summary=f"离线冲突「{conflict.label}」：{dict(choices(conflict))[choice]}",
        after={"choice": choice, "table": conflict.table_name, "key": conflict.server_key},
    )
    return conflict


def _current(db: Session, tbl, server_key: str) -> dict | None:
    columns = scope.key_columns(tbl)
    parts = server_key.split(":")
    where = [tbl.c[c] == int(v) for c, v in zip(columns, parts, strict=True)]
    row = db.connection().execute(core_select(tbl).where(*where)).first()
    return scope.plain_row(dict(row._mapping)) if row else None
