"""Backup and restore: the database (SQLite online backup or pg_dump) plus the stored files.

A backup is a zip: manifest.json (time, dialect, Alembic revision, row count per table, SHA-256 of every
stored file), database.sqlite3 or database.pgdump, and storage/ab/cd/<sha256> (the local folder's
layout, whichever backend the files came from). Restore goes onto an EMPTY instance (no tables with
rows) and checks every hash before it writes anything; the files go to the configured backend.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from workbench import migrate
from workbench.core.blobstore import CHUNK, BlobStore, relative_key, valid_name

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why (in Chinese)."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    tables: dict[str, int]
    files: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True)


def row_counts(engine: Engine) -> dict[str, int]:
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            n: conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()
            for n in names
            if n != "alembic_version"
        }


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_args(engine: Engine) -> tuple[list[str], dict]:
    url = engine.url
    args = [
        "-h",
        url.host or "localhost",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    import os

    if shutil.which(cmd[0]) is None:
        raise BackupError(
            f"找不到 {cmd[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）"
        )
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()[:500]}")


def backup(engine: Engine, store: BlobStore, target: Path) -> Manifest:
    """Write a consistent backup zip of the database and the stored files (streamed in)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if engine.dialect.name == "sqlite":
            db_file = tmp_path / "database.sqlite3"
            source = sqlite3.connect(engine.url.database)
            dest = sqlite3.connect(db_file)
            with dest:
                source.backup(dest)  # online: consistent even while the app writes
            source.close()
            dest.close()
        else:
            db_file = tmp_path / "database.pgdump"
            args, env = _pg_args(engine)
            _run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    *args,
                    "-d",
                    engine.url.database,
                    "-f",
                    str(db_file),
                ],
                env,
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.write(db_file, db_file.name)
            files = {relative_key(sha): _copy_in(zf, store, sha) for sha in store.shas()}
            manifest = Manifest(
                created_at=datetime.now(UTC).isoformat(),
                dialect=engine.dialect.name,
                revision=migrate.current(engine),
                tables=row_counts(engine),
                files=files,
            )
            zf.writestr(MANIFEST, manifest.to_json())
    return manifest


def _copy_in(zf: zipfile.ZipFile, store: BlobStore, sha: str) -> str:
    """Stream one stored file into the backup; the SHA-256 of what was written."""
    import hashlib

    digest = hashlib.sha256()
    with (
        store.open(sha) as src,
        zf.open(f"storage/{relative_key(sha)}", "w", force_zip64=True) as dst,
    ):
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def read_manifest(source: Path) -> Manifest:
    try:
        with zipfile.ZipFile(source) as zf:
            return Manifest(**json.loads(zf.read(MANIFEST)))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, TypeError) as error:
        raise BackupError(f"“{source.name}”不是有效的工作台备份文件") from error


def _ensure_empty(engine: Engine) -> None:
    counts = row_counts(engine)
    busy = {name: n for name, n in counts.items() if n}
    if busy:
        raise BackupError(
            "目标实例不是空的（已有数据），为避免覆盖，拒绝恢复：" + "、".join(sorted(busy)[:5])
        )


def restore(engine: Engine, store: BlobStore, source: Path) -> Manifest:
    """Restore a backup onto an empty instance, checking every file hash first."""
    manifest = read_manifest(source)
    if manifest.dialect != engine.dialect.name:
        raise BackupError(f"备份来自 {manifest.dialect} 数据库，不能恢复到 {engine.dialect.name}")
    _ensure_empty(engine)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(source) as zf:
        tmp_path = Path(tmp)
        for rel, expected in manifest.files.items():
            extracted = Path(zf.extract(f"storage/{rel}", tmp_path))
            if _sha256(extracted) != expected:
                raise BackupError(f"备份中的文件 {rel} 校验失败（SHA-256 不符），未做任何恢复")
        if manifest.dialect == "sqlite":
            db_file = Path(zf.extract("database.sqlite3", tmp_path))
            engine.dispose()
            source_db = sqlite3.connect(db_file)
            dest = sqlite3.connect(engine.url.database)
            with dest:
                source_db.backup(dest)
            source_db.close()
            dest.close()
        else:
            dump = Path(zf.extract("database.pgdump", tmp_path))
            with engine.begin() as conn:  # the empty schema an upgrade may have created goes first
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            args, env = _pg_args(engine)
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    *args,
                    "-d",
                    engine.url.database,
                    str(dump),
                ],
                env,
            )
        for rel in manifest.files:
            sha = rel.rsplit("/", 1)[-1]
            if valid_name(sha) and not store.exists(sha):
                with (tmp_path / "storage" / rel).open("rb") as fh:
                    store.put(sha, fh)
    restored = row_counts(engine)
    if restored != manifest.tables:
        raise BackupError("恢复后的行数与备份清单不一致")
    return manifest
