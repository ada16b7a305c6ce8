"""Check-out: an engagement's fieldwork written into an encrypted package for one laptop.

The package holds the records (`scope.collect`), their files and a manifest signed by this server
(`tokens`); the server keeps, per merged record, the version the package carried (`OfflineBase`):
the base every later check-in of this package is compared with.
"""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from pathlib import Path

from flask import current_app
from sqlalchemy import insert
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, storage
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, ensure_writable
from workbench.offline import package, scope, tokens
from workbench.offline.models import CheckoutStatus, OfflineBase, OfflineCheckout

MIN_PASSPHRASE = 8
SUFFIX = ".wbpkg"


def check_passphrase(passphrase: str, repeat: str | None) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationFailed.of_field(
            "passphrase", f"口令至少 {MIN_PASSPHRASE} 个字符：笔记本丢失时，它是数据的唯一保护"
        )
    if repeat is not None and repeat != passphrase:
        raise ValidationFailed.of_field("passphrase2", "两次输入的口令不一致")


def check_device(device: str) -> str:
    device = " ".join((device or "").split())
    if not device:
        raise ValidationFailed.of_field(
            "device", "请填写设备名称（如：笔记本 X），以便知道项目在哪台电脑上"
        )
    if len(device) > 60:
        raise ValidationFailed.of_field("device", "设备名称不能超过 60 个字符")
    return device


def active(db: Session, engagement_id: int) -> list[tuple[OfflineCheckout, User]]:
    """The packages out in the field for this engagement, with who took each."""
    return list(
        db.exec(
            select(OfflineCheckout, User)
            .join(User, col(User.id) == OfflineCheckout.user_id)
            .where(
                OfflineCheckout.engagement_id == engagement_id,
                OfflineCheckout.status == CheckoutStatus.active,
            )
            .order_by(col(OfflineCheckout.created_at))
        ).all()
    )


def checkout(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    device: str,
    passphrase: str,
    repeat: str | None = None,
    out: Path,
) -> OfflineCheckout:
    """Write the package to `out` and record the check-out (in the caller's transaction)."""
    authorize(actor, "offline.carry", engagement, message="只有项目负责人和评价人员可以检出项目")
    ensure_writable(engagement)
    device = check_device(device)
    check_passphrase(passphrase, repeat)
    issued_at = utcnow()
    row = OfflineCheckout(
        public_id=uuid.uuid4().hex,
        engagement_id=engagement.id,
        user_id=actor.id,
        device=device,
        created_at=issued_at,
    )
    db.add(row)
    db.flush()
    snap = scope.collect(db.connection(), engagement.id)
    bases = [
        {
            "checkout_id": row.id,
            "table_name": name,
            "key": scope.key_of(scope.table(name), data),
            "server_key": scope.key_of(scope.table(name), data),
            "data": scope.plain_row(data),
            "created_offline": False,
        }
        for name, rows in snap.merged.items()
        for data in rows
    ]
    if bases:
        db.connection().execute(insert(OfflineBase.__table__), bases)
    fields = {
        "checkout": row.public_id,
        "engagement_id": engagement.id,
        "issued_at": issued_at.isoformat(),
    }
    blobs = [sha for sha in snap.blobs() if storage.exists(sha)]
    manifest = {
        "format": 1,
        "kind": "checkout",
        **fields,
        "token": tokens.sign(current_app.config["SECRET_KEY"], fields),
        "engagement_title": engagement.title,
        "engagement_code": engagement.code,
        "device": device,
        "issued_by": actor.display_name,
        "server": current_app.config.get("SITE_NAME") or "绩效评价工作台",
        "team_ids": sorted(snap.team_ids),
        "blobs": blobs,
        "counts": {name: len(rows) for name, rows in snap.merged.items()},
    }
    records = {
        "merged": {n: [scope.plain_row(r) for r in rows] for n, rows in snap.merged.items()},
        "reference": {n: [scope.plain_row(r) for r in rows] for n, rows in snap.reference.items()},
    }

    def fill(zf: zipfile.ZipFile) -> None:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        zf.writestr("records.json", json.dumps(records, ensure_ascii=False))
        for sha in blobs:
            add_file(zf, sha)

    row.size = package.write_package(
        out,
        kind="checkout",
        package_id=row.public_id,
        created_at=issued_at.isoformat(),
        passphrase=passphrase,
        fill=fill,
    )
    row.records = snap.record_count
    row.files = len(blobs)
    db.add(row)
    audit.record(
        db,
        actor=actor,
        action="offline.checkout",
        obj=row,
        engagement_id=engagement.id,
        summary=f"检出到 {device}：{row.records} 条记录、{row.files} 个文件",
        after={"device": device, "records": row.records, "files": row.files, "size": row.size},
    )
    return row


def add_file(zf: zipfile.ZipFile, sha256: str) -> None:
    """One stored file into the package as files/<sha256>, streamed in 1 MB pieces (zipfile's own
    `write` copies 8 KB at a time, each a call of the encrypting writer), never compressed again."""
    info = zipfile.ZipInfo(f"files/{sha256}", date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    with storage.open(sha256) as src, zf.open(info, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def revoke(db: Session, *, actor: User, engagement: Engagement, row: OfflineCheckout) -> None:
    """The lead ends a check-out whose laptop will not come back (lost, or work redone here)."""
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以作废检出")
    if not row.active:
        raise ValidationFailed("该检出已结束，无需作废")
    row.status = CheckoutStatus.revoked
    row.ended_at = utcnow()
    row.ended_by_id = actor.id
    db.add(row)
    audit.record(
        db,
        actor=actor,
        action="offline.revoke",
        obj=row,
        engagement_id=engagement.id,
        summary=f"作废检出（{row.device}）：此后其回传包不再导入",
    )
