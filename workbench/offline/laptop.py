"""The laptop's side of offline fieldwork: a checkout package opened into an instance folder, and
the return package written from it.

An offline instance is an ordinary instance folder (SQLite database, file store, secret key) that
holds one engagement's records under the keys they have on the server, plus `offline.json`: the
checkout it came from, and the package header's passphrase check, so the return package is
written with the checkout's passphrase without the passphrase ever being stored.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import Session, SQLModel

from workbench import config, migrate
from workbench.core import audit
from workbench.core.blobstore import BlobStore, HashingReader, valid_name
from workbench.core.blobstore.local import LocalStore
from workbench.core.errors import ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.db import make_engine
from workbench.library.services import ensure_search_index
from workbench.offline import package, scope

FORMAT = 1
DATABASE_FILE = "workbench.db"
COMMAND_LINE = "命令行"  # who exported, when no one signed in did
WRONG_PASSPHRASE = "口令与检出时设定的口令不一致"
_BATCH = 500

# What the manifest of a checkout package copies into offline.json.
_CARRIED = (
    "checkout",
    "engagement_id",
    "engagement_title",
    "engagement_code",
    "device",
    "issued_at",
    "issued_by",
    "server",
    "token",
    "team_ids",
    "blobs",
)


@dataclass(frozen=True)
class Contents:
    """What a return package of this laptop holds: records per merged table, files added here."""

    records: dict[str, int]
    new_files: list[str]
    new_bytes: int
    audit: int

    @property
    def record_count(self) -> int:
        return sum(self.records.values())


@dataclass(frozen=True)
class Exported:
    path: Path
    export_id: str
    contents: Contents
    size: int


def database_url(folder: str | os.PathLike[str]) -> str:
    return f"sqlite:///{Path(folder) / DATABASE_FILE}"


def storage_dir(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / "storage"


def app_config(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings an offline instance runs with: everything in its folder, whatever the
    environment says about a server's database, file store or queue."""
    folder = Path(folder).resolve()
    return {
        "INSTANCE_PATH": folder,
        "DATABASE_URL": database_url(folder),
        "STORAGE_URL": None,
        "STORAGE_DIR": storage_dir(folder),
        "QUEUE_URL": None,
    }


def settings(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The folder's offline.json: the checkout it holds; None when it is no offline instance."""
    return config.offline_settings(Path(directory))


def unpack(
    package_path: str | os.PathLike[str], *, passphrase: str, directory: str | os.PathLike[str]
) -> Path:
    """Open a checkout package into a new instance folder; the folder when it holds it already.

    Nothing is left behind when the package is refused (PackageRefused: wrong passphrase, changed
    or cut file) or anything else fails: the instance is built beside the folder and moved in last.
    """
    target = Path(directory).resolve()
    header = package.read_header(package_path)
    if header["kind"] != "checkout":
        raise ValidationFailed("这不是检出包（可能是回传包）：请用服务器上“离线检出”得到的文件")
    existing = settings(target) if target.is_dir() else None
    if existing is not None:
        if existing.get("checkout") == header["package_id"]:
            return target
        raise ValidationFailed(
            f"文件夹 {target} 已是另一次检出（《{existing.get('engagement_title', '')}》）的离线实例，"
            "请另选一个文件夹"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationFailed(f"文件夹 {target} 不是空的，请另选一个新文件夹")
    if not package.passphrase_ok(header, passphrase):
        raise package.PackageRefused("passphrase")

    created = _first_missing(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            opened = package.open_package(
                package_path, passphrase=passphrase, workdir=staging / "payload"
            )
            instance = staging / "instance"
            instance.mkdir()
            with zipfile.ZipFile(opened.payload_path) as zf:
                manifest = _manifest(zf, header)
                _load_records(instance, zf)
                _store_files(instance, zf, manifest)
            _write_settings(instance, manifest, header)
            config.secret_key(instance)  # the laptop's own, never the server's
            if target.exists():
                target.rmdir()
            os.replace(instance, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    return target


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of `path` that does not exist yet (removed again on failure)."""
    missing = None
    while not path.exists():
        missing, path = path, path.parent
    return missing


def _manifest(zf: zipfile.ZipFile, header: dict) -> dict:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError):
        raise ValidationFailed("检出包内容不完整（缺少清单），请在服务器上重新检出") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationFailed("检出包的格式版本不受支持，请使用与服务器相同版本的工作台")
    if manifest.get("kind") != "checkout" or manifest.get("checkout") != header["package_id"]:
        raise package.PackageRefused("tampered")
    return manifest


def _load_records(instance: Path, zf: zipfile.ZipFile) -> None:
    """The schema through the migrations, then every carried row with its own key."""
    import workbench.models  # noqa: F401 - every table in the metadata

    try:
        records = json.loads(zf.read("records.json"))
    except (KeyError, ValueError):
        raise ValidationFailed("检出包内容不完整（缺少记录），请在服务器上重新检出") from None
    rows: dict[str, list[dict]] = {}
    for group in ("reference", "merged"):
        for name, found in records.get(group, {}).items():
            rows.setdefault(name, []).extend(found)
    unknown = sorted(set(rows) - set(SQLModel.metadata.tables))
    if unknown:
        raise ValidationFailed(
            "检出包来自更新版本的工作台（含本机不认识的数据："
            + "、".join(unknown[:5])
            + "），请把笔记本上的工作台升级到与服务器相同的版本"
        )
    engine = make_engine(database_url(instance))
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            # Rows that point at each other (people and their organisations) go in any order;
            # the keys are checked when the transaction commits.
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for tbl in SQLModel.metadata.sorted_tables:
                carried = rows.get(tbl.name) or []
                for start in range(0, len(carried), _BATCH):
                    batch = carried[start : start + _BATCH]
                    conn.execute(tbl.insert(), [scope.column_values(tbl, r) for r in batch])
        with Session(engine) as session:
            ensure_search_index(session)
            session.commit()
    finally:
        engine.dispose()


def _store_files(instance: Path, zf: zipfile.ZipFile, manifest: dict) -> None:
    """Every carried file into the instance's store, streamed and checked against its name."""
    store = LocalStore(storage_dir(instance))
    names = set(zf.namelist())
    for sha in manifest.get("blobs", []):
        name = f"files/{sha}"
        if not valid_name(str(sha)) or name not in names:
            raise ValidationFailed(f"检出包缺少文件 {str(sha)[:12]}…，请在服务器上重新检出")
        with zf.open(name) as member:
            reader = HashingReader(member)
            store.put(sha, reader)  # type: ignore[arg-type] - read() is all put() asks for
        if reader.digest.hexdigest() != sha:
            raise package.PackageRefused("tampered")


def _write_settings(instance: Path, manifest: dict, header: dict) -> None:
    found = {name: manifest.get(name) for name in _CARRIED}
    found.update(
        format=FORMAT,
        kdf=header["kdf"],
        check=header["check"],
        opened_at=utcnow().isoformat(),
    )
    path = instance / config.OFFLINE_FILE
    path.write_text(json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")


def passphrase_matches(offline: dict, passphrase: str) -> bool:
    """Whether `passphrase` is the checkout's (told by the check value kept from its header)."""
    if not passphrase:
        return False
    return package.passphrase_ok({"kdf": offline["kdf"], "check": offline["check"]}, passphrase)


def contents(conn: Connection, *, offline: dict, store: BlobStore) -> Contents:
    """What a return package written now would hold."""
    return _contents(conn, scope.collect_merged(conn, offline["engagement_id"]), offline, store)


def _contents(
    conn: Connection, merged: dict[str, list[dict]], offline: dict, store: BlobStore
) -> Contents:
    new_files = _new_files(merged, offline)
    return Contents(
        records={spec.table: len(merged[spec.table]) for spec in scope.MERGED},
        new_files=new_files,
        new_bytes=sum(store.size(sha) or 0 for sha in new_files),
        audit=conn.execute(
            select(func.count()).select_from(audit.AuditEntry.__table__)
        ).scalar_one(),
    )


def _new_files(merged: dict[str, list[dict]], offline: dict) -> list[str]:
    """The files of this engagement's evidence that the checkout did not carry (added here)."""
    carried = set(offline.get("blobs") or [])
    return sorted({row["sha256"] for row in merged["evidence"]} - carried)


def export(
    db: Session,
    *,
    offline: dict,
    store: BlobStore,
    actor: Any,
    passphrase: str,
    out: str | os.PathLike[str],
) -> Exported:
    """Write this laptop's return package to `out`, with the checkout's passphrase."""
    if not passphrase_matches(offline, passphrase):
        raise ValidationFailed.of_field("passphrase", WRONG_PASSPHRASE)
    conn = db.connection()
    engagement_id = offline["engagement_id"]
    export_id, exported_at = uuid.uuid4().hex, utcnow()
    merged = scope.collect_merged(conn, engagement_id)
    records, files = sum(len(rows) for rows in merged.values()), len(_new_files(merged, offline))
    who = actor if actor is not None else SimpleNamespace(id=None, display_name=COMMAND_LINE)
    # Recorded first, so that the package carries the entry of its own export.
    audit.record(
        db,
        actor=who,
        action="offline.export",
        object_type="engagement",
        object_id=engagement_id,
        engagement_id=engagement_id,
        summary=f"导出回传包：{records} 条记录、{files} 个新文件",
        after={"export_id": export_id, "records": records, "files": files},
    )
    found = _contents(conn, merged, offline, store)
    manifest = {
        "format": FORMAT,
        "kind": "return",
        "checkout": offline["checkout"],
        "token": offline["token"],
        "engagement_id": engagement_id,
        "issued_at": offline["issued_at"],
        "device": offline["device"],
        "export_id": export_id,
        "exported_at": exported_at.isoformat(),
        "exported_by": who.display_name or COMMAND_LINE,
    }

    def fill(zf: zipfile.ZipFile) -> None:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        with (
            zf.open("records.json", "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as text,
        ):
            _write_records(text, conn, merged)
        for sha in found.new_files:
            _add_file(zf, store, sha)

    size = package.write_package(
        out,
        kind="return",
        package_id=export_id,
        created_at=exported_at.isoformat(),
        passphrase=passphrase,
        fill=fill,
    )
    return Exported(path=Path(out), export_id=export_id, contents=found, size=size)


def _write_records(text: io.TextIOWrapper, conn: Connection, merged: dict[str, list[dict]]) -> None:
    """{"merged": {table: [rows]}, "audit": [rows]} as JSON, the audit log written as it is read."""
    text.write('{"merged": ')
    json.dump(
        {name: [scope.plain_row(r) for r in rows] for name, rows in merged.items()},
        text,
        ensure_ascii=False,
    )
    text.write(', "audit": [')
    for number, row in enumerate(_audit_rows(conn)):
        text.write(", " if number else "")
        json.dump(scope.plain_row(row), text, ensure_ascii=False)
    text.write("]}")


def _audit_rows(conn: Connection) -> Iterator[dict]:
    """Every audit entry of the laptop (all of them are offline work), oldest first."""
    tbl = audit.AuditEntry.__table__
    result = conn.execute(select(tbl).order_by(tbl.c.id)).yield_per(_BATCH)
    for row in result:
        yield dict(row._mapping)


def _add_file(zf: zipfile.ZipFile, store: BlobStore, sha256: str) -> None:
    """One stored file as files/<sha256>, streamed and stored as it is (photos do not shrink)."""
    info = zipfile.ZipInfo(f"files/{sha256}", date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    try:
        source = store.open(sha256)
    except FileNotFoundError:
        raise ValidationFailed(
            f"证据文件 {sha256[:12]}… 在本机文件存储中找不到，无法导出；请检查离线实例文件夹"
        ) from None
    with source, zf.open(info, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, 1 << 20)
