"""The sealed archive package and its post-archive addendum (档案包补充件).

At 完成归档 the package is built once and kept (ArchiveSeal). Every later export copies the
sealed files byte for byte, so the original manifest.json and every hash it lists stay verifiable,
and adds addendum/: the finance ledger and the rectification follow-up as they stand now, the
unit's rectification evidence, the audit entries written since the seal, and addendum/manifest.json
with its own hashes and a link to the original (the SHA-256 of the original manifest.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, select

from workbench.accounts.models import User
from workbench.core import audit, storage
from workbench.core.errors import NotFound
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import after_archive
from workbench.review.archive import _copy_blob, _plain, describe, export_zip, safe_name
from workbench.review.manifest import (
    ADDENDUM_DIR,
    ADDENDUM_FORMAT,
    ADDENDUM_MANIFEST,
    CHUNK,
    MANIFEST,
)
from workbench.review.models import ArchiveSeal

ZIP = "application/zip"
# What stays open after the archive (DOMAIN.md §3, §8): the ledger and the follow-up.
ADDENDUM_TABLES = (
    "finance_entry",
    "rectification_item",
    "rectification_report",
    "rectification_evidence",
)


def seal_of(db: Session, engagement: Engagement) -> ArchiveSeal | None:
    return db.exec(select(ArchiveSeal).where(ArchiveSeal.engagement_id == engagement.id)).first()


@after_archive
def seal(db: Session, *, actor: User, engagement: Engagement) -> ArchiveSeal:
    """Build the package as it stands at the archive and keep it (the original of every export)."""
    existing = seal_of(db, engagement)
    if existing is not None:
        return existing
    path = export_zip(db, engagement)
    try:
        with path.open("rb") as package:
            with zipfile.ZipFile(package) as zf:
                manifest_sha = hashlib.sha256(zf.read(MANIFEST)).hexdigest()
            package.seek(0)
            blob = storage.store(db, package, mime=ZIP)  # streamed, never read whole
    finally:
        path.unlink(missing_ok=True)
    row = ArchiveSeal(engagement_id=engagement.id, sha256=blob.sha256, manifest_sha256=manifest_sha)
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="archive.seal",
        obj=row,
        engagement_id=engagement.id,
        after={"sha256": blob.sha256, "manifest_sha256": manifest_sha, "size": blob.size},
        summary=f"封存归档档案包（清单 SHA-256 {manifest_sha[:12]}…）",
    )
    return row


def _addendum_rows(db: Session, engagement: Engagement, sealed: ArchiveSeal) -> dict:
    tables = {}
    for name in ADDENDUM_TABLES:
        table = SQLModel.metadata.tables.get(name)
        if table is None:
            continue
        stmt = table_select(table).where(table.c.engagement_id == engagement.id)
        rows = db.connection().execute(stmt.order_by(*table.primary_key.columns))
        tables[name] = [{k: _plain(v) for k, v in dict(r._mapping).items()} for r in rows]
    entries = audit.AuditEntry.__table__
    since = db.connection().execute(
        table_select(entries)
        .where(entries.c.engagement_id == engagement.id, entries.c.at > sealed.sealed_at)
        .order_by(entries.c.id)
    )
    tables["audit_entry"] = [{k: _plain(v) for k, v in dict(r._mapping).items()} for r in since]
    return tables


def _write_addendum(
    zf: zipfile.ZipFile, db: Session, engagement: Engagement, sealed: ArchiveSeal
) -> dict:
    tables = _addendum_rows(db, engagement, sealed)
    files: list[dict] = []
    missing: list[dict] = []
    data = json.dumps({"tables": tables}, ensure_ascii=False, indent=1, sort_keys=True).encode()
    records_path = f"{ADDENDUM_DIR}records.json"
    zf.writestr(records_path, data)
    files.append(
        {
            "path": records_path,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "kind": "records",
            "tables": {name: len(rows) for name, rows in tables.items()},
        }
    )
    for row in tables.get("rectification_evidence", []):
        sha = row["sha256"]
        path = f"{ADDENDUM_DIR}files/rectification_evidence/{sha[:12]}-{safe_name(row['name'])}"
        copied = _copy_blob(zf, sha, path)
        if copied is None:
            missing.append({"path": path, "sha256": sha, "problem": "存储中找不到该文件"})
            continue
        files.append(
            {"path": path, "sha256": copied[0], "size": copied[1], "kind": "file",
             "table": "rectification_evidence", "row_id": row["id"], "name": row["name"]}
        )  # fmt: skip
    manifest = {
        "format": ADDENDUM_FORMAT,
        "generated_at": utcnow().isoformat(),
        "engagement": describe(db, engagement),
        "previous": {
            "path": MANIFEST,
            "sha256": sealed.manifest_sha256,
            "package_sha256": sealed.sha256,
            "sealed_at": _plain(sealed.sealed_at),
        },
        "scope": "归档后补充：收付款台账、整改跟踪及被评价单位报送的整改材料、归档后的操作日志",
        "files": files,
        "missing": missing,
    }
    zf.writestr(
        ADDENDUM_MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    )
    return manifest


def export_package(db: Session, engagement: Engagement) -> tuple[Path, bool]:
    """The archive zip to hand out, and whether it carries an addendum.

    Sealed engagements: the sealed files verbatim plus a fresh addendum. Engagements not yet
    archived, or archived before packages were sealed, get a full export as before.
    """
    sealed = seal_of(db, engagement) if engagement.is_archived else None
    if sealed is None:
        return export_zip(db, engagement), False
    if not storage.exists(sealed.sha256):
        raise NotFound("归档时封存的档案包文件已丢失，请从备份恢复存储")
    fd, temp_name = tempfile.mkstemp(
        prefix=f"archive-{safe_name(engagement.code, 'engagement')}-", suffix=".zip"
    )
    os.close(fd)
    target = Path(temp_name)
    try:
        with (
            storage.open(sealed.sha256) as packed,
            zipfile.ZipFile(packed) as original,
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        ):
            for info in original.infolist():
                with (
                    original.open(info) as src,
                    zf.open(info.filename, "w", force_zip64=True) as dst,
                ):
                    for chunk in iter(lambda: src.read(CHUNK), b""):
                        dst.write(chunk)
            _write_addendum(zf, db, engagement, sealed)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, True
