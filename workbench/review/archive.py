"""The archive export (归档): a zip of every file and record of the engagement, with a manifest.

Layout: deliverables/<kind>/v<NN>-<file> (every deliverable version), files/<table>/<sha>-<name>
(every stored file an engagement record points to: evidence, uploads…), records.json (the
engagement's rows of every table that belongs to it, found through the schema so new domains
are included without edits here) and manifest.json (SHA-256, size and metadata of each file).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from workbench.accounts.models import Organisation, User
from workbench.core import storage
from workbench.core.errors import NotFound
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, Member
from workbench.reports.services import register_archive_exporter
from workbench.review.manifest import CHUNK, FORMAT, MANIFEST

# Personal inbox state is not an engagement record; the sealed package is this very archive.
EXCLUDED_TABLES = {"notification", "archive_seal"}
RECORDS = "records.json"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    return value


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that cannot escape its folder in the zip."""
    cleaned = _UNSAFE.sub("_", name or "").strip(" .")
    return (cleaned or fallback)[:120]


def engagement_tables() -> list[tuple[Table, Table | None, Any, Any]]:
    """(table, parent, fk column, parent column): rows owned by an engagement, directly or one hop down."""
    tables = SQLModel.metadata.sorted_tables
    direct = [
        t
        for t in tables
        if "engagement_id" in t.c and t.name != "engagement" and t.name not in EXCLUDED_TABLES
    ]
    found: list[tuple[Table, Table | None, Any, Any]] = [(t, None, None, None) for t in direct]
    direct_names = {t.name for t in direct}
    for table in tables:
        if (
            table.name in direct_names
            or table.name in EXCLUDED_TABLES
            or "engagement_id" in table.c
        ):
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in direct_names:
                found.append((table, parent, fk.parent, fk.column))
                break
    return found


def _rows(db: Session, engagement: Engagement) -> Iterator[tuple[Table, list[dict]]]:
    for table, parent, fk_col, parent_col in engagement_tables():
        if parent is None:
            stmt = table_select(table).where(table.c.engagement_id == engagement.id)
        else:
            owned = table_select(parent_col).where(parent.c.engagement_id == engagement.id)
            stmt = table_select(table).where(fk_col.in_(owned))
        stmt = stmt.order_by(*table.primary_key.columns)
        rows = [dict(r._mapping) for r in db.connection().execute(stmt)]
        yield table, rows


def _blob_columns(table: Table) -> list[str]:
    return [
        c.name
        for c in table.c
        if any(
            fk.column.table.name == "blob" and fk.column.name == "sha256" for fk in c.foreign_keys
        )
    ]


def blob_shas(db: Session, engagement: Engagement) -> set[str]:
    """Every stored file an engagement record points to (only the hash columns are read)."""
    found: set[str] = set()
    for table, parent, fk_col, parent_col in engagement_tables():
        columns = [table.c[name] for name in _blob_columns(table)]
        if not columns:
            continue
        if parent is None:
            stmt = table_select(*columns).where(table.c.engagement_id == engagement.id)
        else:
            owned = table_select(parent_col).where(parent.c.engagement_id == engagement.id)
            stmt = table_select(*columns).where(fk_col.in_(owned))
        for row in db.connection().execute(stmt):
            found.update(value for value in row if value)
    return found


def _people(db: Session, engagement: Engagement) -> list[dict]:
    members = db.exec(select(Member).where(Member.engagement_id == engagement.id)).all()
    ids = [m.user_id for m in members]
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(ids))).all()}
    return [
        {
            "user_id": m.user_id,
            "name": users[m.user_id].display_name if m.user_id in users else "",
            "username": users[m.user_id].username if m.user_id in users else "",
            "role": m.role,
            "duty": m.duty,
        }
        for m in members
    ]


def describe(db: Session, engagement: Engagement) -> dict:
    """The engagement's identity in the manifest."""
    orgs = {
        o.id: o.name
        for o in db.exec(
            select(Organisation).where(
                col(Organisation.id).in_(
                    [
                        i
                        for i in (engagement.agency_id, engagement.bureau_id, engagement.unit_id)
                        if i
                    ]
                )
            )
        ).all()
    }
    return {
        "id": engagement.id,
        "code": engagement.code,
        "title": engagement.title,
        "type": engagement.type,
        "budget_year": engagement.budget_year,
        "agency": orgs.get(engagement.agency_id, ""),
        "bureau": orgs.get(engagement.bureau_id, ""),
        "unit": orgs.get(engagement.unit_id or 0, ""),
        "stage": engagement.stage,
        "archived_at": _plain(engagement.archived_at),
        "retention_until": _plain(engagement.retention_until),
    }


def collect(db: Session, engagement: Engagement) -> tuple[dict, list[dict]]:
    """The records dump and the list of files to include (path, sha256 and metadata)."""
    tables: dict[str, list[dict]] = {}
    files: list[dict] = []
    seen: set[str] = set()
    for table, rows in _rows(db, engagement):
        tables[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
        blob_cols = _blob_columns(table)
        for row in rows:
            for column in blob_cols:
                sha = row.get(column)
                if not sha:
                    continue
                if table.name == "deliverable_version" and row["kind"] == "archive":
                    continue  # earlier exports of this very archive: not nested in it
                if table.name == "deliverable_version":
                    stem = safe_name(row.get("filename") or "", sha[:12])
                    if column != "sha256":
                        stem = Path(stem).stem + ".pdf"
                    path = f"deliverables/{row['kind']}/v{row['number']:02d}-{stem}"
                    meta = {
                        "kind": "deliverable",
                        "deliverable": row["kind"],
                        "number": row["number"],
                        "label": row.get("label", ""),
                        "generated_at": _plain(row.get("generated_at")),
                    }
                else:
                    name = row.get("filename") or row.get("original_name") or row.get("name") or ""
                    path = f"files/{table.name}/{sha[:12]}-{safe_name(str(name), sha[:12])}"
                    meta = {"kind": "file", "name": str(name)}
                if path in seen:
                    continue
                seen.add(path)
                files.append(
                    {
                        "path": path,
                        "sha256": sha,
                        "table": table.name,
                        "row_id": row.get("id"),
                        **meta,
                    }
                )
    records = {
        "engagement": {c.name: _plain(getattr(engagement, c.name)) for c in Engagement.__table__.c},
        "people": _people(db, engagement),
        "tables": tables,
    }
    return records, files


def _copy_blob(zf: zipfile.ZipFile, sha: str, arcname: str) -> tuple[str, int] | None:
    try:
        source = storage.open(sha)
    except NotFound:
        return None
    digest, size = hashlib.sha256(), 0
    with source as src, zf.open(arcname, "w", force_zip64=True) as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return digest.hexdigest(), size


def export_zip(db: Session, engagement: Engagement) -> Path:
    """Write the engagement's archive zip to a temporary file (the caller removes it)."""
    records, files = collect(db, engagement)
    entries: list[dict] = []
    missing: list[dict] = []
    fd, temp_name = tempfile.mkstemp(
        prefix=f"archive-{safe_name(engagement.code, 'engagement')}-", suffix=".zip"
    )
    os.close(fd)
    target = Path(temp_name)
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            data = json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True).encode()
            zf.writestr(RECORDS, data)
            entries.append(
                {
                    "path": RECORDS,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "kind": "records",
                    "tables": {name: len(rows) for name, rows in records["tables"].items()},
                }
            )
            for item in files:
                copied = _copy_blob(zf, item["sha256"], item["path"])
                if copied is None:
                    missing.append({**item, "problem": "存储中找不到该文件"})
                    continue
                sha, size = copied
                if sha != item["sha256"]:
                    # Stored bytes no longer match their name: archive what is there, say so.
                    item = {
                        **item,
                        "stored_as": item["sha256"],
                        "problem": "存储内容与登记的哈希不符",
                    }
                entries.append({**item, "sha256": sha, "size": size})
            manifest = {
                "format": FORMAT,
                "generated_at": utcnow().isoformat(),
                "engagement": describe(db, engagement),
                "files": entries,
                "missing": missing,
            }
            zf.writestr(
                MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
            )
    except BaseException:
        target.unlink(missing_ok=True)  # never leave a half-written archive behind
        raise
    return target


register_archive_exporter(export_zip)  # the archive deliverable (reports.services.generation)
