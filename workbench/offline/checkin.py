"""Check-in: a laptop's return package opened, verified and merged in one transaction.

The package is verified whole (its GCM tag) and then read decrypted as it is read, so no plaintext
copy of it is ever written here. It must open with the passphrase (else "口令不正确"; a changed
byte: "已被改动"), carry a checkout token this server signed (else it was issued elsewhere) for a check-out recorded here
and still active, and not have been imported before (a second import changes nothing and says
when the first was). Then `merge.Merger` brings the records in; whatever fails on the way rolls
the caller's transaction back, so the server is as it was.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, jobs
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import local, utcnow
from workbench.engagements.models import Engagement, ensure_writable
from workbench.indicators.services import invalidate_signoff
from workbench.offline import package, tokens
from workbench.offline.merge import Merger
from workbench.offline.models import CheckoutStatus, OfflineCheckin, OfflineCheckout

FOREIGN = "此回传包不是本服务器检出的项目产生的（签名不符），不能导入"
NOT_RETURN = "这是检出包，不是回传包：请在笔记本上“导出回传包”后再导入"


class Refused(ValidationFailed):
    """A return package that cannot be imported as a whole (its message says why); nothing was
    written. The page shows it under the upload, not beside a field."""


def _manifest(zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError):
        raise Refused("回传包内容不完整（缺少清单），不能导入") from None
    if not isinstance(manifest, dict) or manifest.get("format") != 1:
        raise Refused("回传包的格式版本不受支持，请用相同版本的工作台导出")
    return manifest


def checkin(
    db: Session,
    *,
    actor: User,
    path: Path,
    passphrase: str,
    engagement: Engagement | None = None,
    finish: bool = False,
) -> OfflineCheckin:
    """Verify and merge the return package at `path`; returns the check-in record."""
    if not passphrase:
        raise ValidationFailed.of_field("passphrase", "请输入检出时设定的口令")
    try:
        with package.open_verified(path, passphrase=passphrase) as opened:
            if opened.header.get("kind") != "return":  # told before the payload is read
                raise Refused(NOT_RETURN)
            try:
                zf = zipfile.ZipFile(opened.payload)
            except zipfile.BadZipFile:
                raise Refused("回传包内容不完整，不能导入") from None
            with zf:
                manifest = _manifest(zf)
                checkout = _checkout(db, manifest, engagement)
                target = engagement or db.get(Engagement, checkout.engagement_id)
                authorize(
                    actor, "offline.carry", target, message="只有项目负责人和评价人员可以导入回传包"
                )
                ensure_writable(target)
                return _merge(db, actor, target, checkout, manifest, zf, opened.source, finish)
    except package.PackageRefused as refused:  # raised before the payload is read at all
        raise Refused(refused.message) from None


def _checkout(db: Session, manifest: dict, engagement: Engagement | None) -> OfflineCheckout:
    if manifest.get("kind") != "return":  # a signed check-out manifest under a return's header
        raise Refused(NOT_RETURN)
    if not tokens.verify(current_app.config["SECRET_KEY"], manifest, manifest.get("token")):
        raise Refused(FOREIGN)
    checkout = db.exec(
        select(OfflineCheckout).where(OfflineCheckout.public_id == str(manifest.get("checkout")))
    ).first()
    if checkout is None or checkout.engagement_id != manifest.get("engagement_id"):
        raise Refused(FOREIGN)
    if engagement is not None and checkout.engagement_id != engagement.id:
        raise Refused("此回传包属于另一个项目，请到该项目的离线工作页面导入")
    earlier = db.exec(
        select(OfflineCheckin).where(OfflineCheckin.export_id == str(manifest.get("export_id")))
    ).first()
    if earlier is not None:
        raise Conflict(
            f"此回传包已于 {_local(earlier.at)} 导入，本次未重复导入（服务器数据没有任何变化）"
        )
    if checkout.status == CheckoutStatus.revoked:
        raise Refused("该检出已被项目负责人作废，其回传包不再导入")
    if checkout.status == CheckoutStatus.returned:
        raise Refused("该检出已结束（已回传），请重新检出后再在笔记本上工作")
    return checkout


def _local(moment: datetime) -> str:
    shown = local(moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown else ""


def _merge(
    db: Session,
    actor: User,
    engagement: Engagement,
    checkout: OfflineCheckout,
    manifest: dict,
    zf: zipfile.ZipFile,
    source: package.PayloadSource,
    finish: bool,
) -> OfflineCheckin:
    try:
        records = json.loads(zf.read("records.json"))
        laptop, audit_rows = records["merged"], records.get("audit", [])
    except (KeyError, ValueError, TypeError):
        raise Refused("回传包内容不完整（缺少记录），不能导入") from None
    names = set(zf.namelist())
    exported_at = manifest.get("exported_at")
    row = OfflineCheckin(
        checkout_id=checkout.id,
        export_id=str(manifest.get("export_id"))[:32],
        exported_at=datetime.fromisoformat(exported_at) if exported_at else None,
        by_id=actor.id,
    )
    db.add(row)
    db.flush()

    def open_file(sha256: str):
        return zf.open(f"files/{sha256}")

    def file_size(sha256: str) -> int | None:
        name = f"files/{sha256}"
        return zf.getinfo(name).file_size if name in names else None

    def file_position(sha256: str) -> int:
        return zf.getinfo(f"files/{sha256}").header_offset

    merger = Merger(
        db,
        checkout,
        open_file=open_file,
        file_size=file_size,
        payload_source=source,
        file_position=file_position,
    )
    merger.checkin_id = row.id
    merger.run(engagement.id, laptop, audit_rows)
    if merger.scoring_changed:
        invalidate_signoff(
            db, actor=actor, engagement=engagement, reason=f"导入 {checkout.device} 的离线评分数据"
        )
    jobs.fault_pause("offline-checkin")  # fault tests: kill -9 here, before the commit
    row.summary = merger.summary.as_dict()
    db.add(row)
    if finish:
        checkout.status = CheckoutStatus.returned
        checkout.ended_at = utcnow()
        checkout.ended_by_id = actor.id
        db.add(checkout)
    s = merger.summary
    audit.record(
        db,
        actor=actor,
        action="offline.checkin",
        obj=row,
        engagement_id=engagement.id,
        summary=(
            f"导入 {checkout.device} 的回传包：新增 {sum(s.added.values())}、更新 {sum(s.updated.values())}、"
            f"删除 {sum(s.deleted.values())}、冲突 {s.conflicts}、需重新签字 {len(s.resign)}"
        ),
        after={"checkout": checkout.public_id, "export": row.export_id, **row.summary},
    )
    return row


def checkins(db: Session, engagement_id: int) -> list[tuple[OfflineCheckin, OfflineCheckout]]:
    return list(
        db.exec(
            select(OfflineCheckin, OfflineCheckout)
            .join(OfflineCheckout, col(OfflineCheckout.id) == OfflineCheckin.checkout_id)
            .where(OfflineCheckout.engagement_id == engagement_id)
            .order_by(col(OfflineCheckin.at).desc())
        ).all()
    )
