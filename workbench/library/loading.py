"""Packs in and out of the library: validated, idempotent imports; exports as packs.

An imported leaf becomes the shared, system-owned library indicator `<pack key>.<leaf key>`.
Re-importing an unchanged pack writes nothing; a changed leaf gets a new version; a leaf gone
from the pack is deprecated (and restored if it comes back). Everything is validated first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import click
from sqlalchemy import insert
from sqlmodel import Session, col, or_, select

from workbench import db as database
from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.core.hooks import after_upgrade
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.library import content as leaf_content
from workbench.library import packs
from workbench.library.editing import add_version, engagement_types_text
from workbench.library.models import (
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryPack,
    LibraryTag,
    Status,
)
from workbench.library.search import ensure_search_index

REMOVED_NOTE = "已从指标包中移除"


@dataclass
class ImportResult:
    """What one pack import changed (keys of library indicators)."""

    pack_key: str
    pack_name: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    pack_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.deprecated or self.restored or self.pack_changed
        )

    def summary(self) -> str:
        return (
            f"{self.pack_name}（{self.pack_key}）：新增 {len(self.created)} 项，"
            f"更新 {len(self.updated)} 项，停用 {len(self.deprecated)} 项，"
            f"恢复 {len(self.restored)} 项，未变 {self.unchanged} 项"
        )


def _label(pack: packs.Pack) -> str:
    return f"指标包「{pack.name or pack.key}」" + (f"（{pack.origin}）" if pack.origin else "")


def pack_errors(db: Session, pack: packs.Pack) -> list[str]:
    """Every reason the pack cannot be imported, each naming the pack and the leaf."""
    errors = list(packs.validate_pack(pack))
    for path, leaf in packs.flatten(pack):
        where = f"指标「{'/'.join(path)}」"
        errors += [
            f"{where}：{item.message}"
            for item in leaf_content.validate(leaf_content.from_pack_leaf(path, leaf))
            if item.field in leaf_content.MAX_LENGTHS or item.field == "params"
        ]
    if pack.kind == "common":
        others = db.exec(
            select(LibraryPack).where(LibraryPack.kind == "common", LibraryPack.key != pack.key)
        ).all()
        for other in others:
            for engagement_type in set(other.engagement_types or []) & set(pack.engagement_types):
                errors.append(
                    f"评价类型 {engagement_type} 已有共性框架「{other.name}」（{other.key}）"
                )
    return [f"{_label(pack)}：{message}" for message in dict.fromkeys(errors)]


PACKS_REFUSED = "指标包校验未通过，未导入任何内容"


def refuse(errors: list[str]) -> ValidationFailed:
    """The import's refusal: each problem an error of the uploaded file."""
    return ValidationFailed.from_invalid(packs.PackError(errors), PACKS_REFUSED)


def import_packs(db: Session, *, actor: User | None, items: list[packs.Pack]) -> list[ImportResult]:
    """Validate every pack (alone and together), then import them all; nothing on any error."""
    if actor is not None:  # None: the command line, run by whoever runs the server
        authorize(actor, "admin", message="只有机构管理员可以导入指标包")
    errors = [message for pack in items for message in pack_errors(db, pack)]
    errors += _cross_pack_errors(items)
    if errors:
        raise refuse(errors)
    return [_import(db, actor=actor, pack=pack) for pack in items]


def _cross_pack_errors(items: list[packs.Pack]) -> list[str]:
    errors: list[str] = []
    keys: dict[str, packs.Pack] = {}
    common: dict[str, packs.Pack] = {}
    for pack in items:
        if pack.key in keys:
            errors.append(f"{_label(pack)}：指标包代码「{pack.key}」与{_label(keys[pack.key])}重复")
        keys.setdefault(pack.key, pack)
        if pack.kind != "common":
            continue
        for engagement_type in pack.engagement_types:
            if engagement_type in common:
                errors.append(
                    f"{_label(pack)}：评价类型 {engagement_type} 已有共性框架"
                    f"{_label(common[engagement_type])}"
                )
            common.setdefault(engagement_type, pack)
    return errors


def import_pack(db: Session, *, actor: User | None, pack: packs.Pack) -> ImportResult:
    """Validate one pack, then import it; ValidationFailed names the pack and leaf."""
    return import_packs(db, actor=actor, items=[pack])[0]


def _import(db: Session, *, actor: User | None, pack: packs.Pack) -> ImportResult:
    result = ImportResult(pack.key, pack.name)
    leaves = packs.flatten(pack)
    keys = [f"{pack.key}.{leaf.key}" for _, leaf in leaves]
    existing = {
        row.key: row
        for row in db.exec(
            select(LibraryIndicator).where(
                or_(LibraryIndicator.pack_key == pack.key, col(LibraryIndicator.key).in_(keys))
            )
        ).all()
    }
    digests = _current_digests(db, list(existing.values()))
    types = engagement_types_text(pack.engagement_types)
    new_rows: list[tuple[int, str, leaf_content.LeafContent]] = []
    for position, ((path, leaf), key) in enumerate(zip(leaves, keys, strict=True), 1):
        data = leaf_content.from_pack_leaf(path, leaf)
        row = existing.get(key)
        if row is None:
            new_rows.append((position, key, data))
            result.created.append(key)
            continue
        moved = _place(row, pack, position, types)
        if row.status == Status.deprecated and row.status_note == REMOVED_NOTE:
            row.status, row.status_note = Status.shared, ""
            result.restored.append(key)
            moved = True
        if digests.get(row.id) != data.digest():
            change = f"导入指标包「{pack.name}」{pack.version} 版"
            add_version(db, indicator=row, data=data, actor=actor, change_note=change)
            result.updated.append(key)
        elif moved:
            db.add(row)
        else:
            result.unchanged += 1
    for key, row in existing.items():
        if key not in keys and row.pack_key == pack.key and row.status != Status.deprecated:
            row.status, row.status_note, row.updated_at = Status.deprecated, REMOVED_NOTE, utcnow()
            db.add(row)
            result.deprecated.append(key)
    _insert_new(db, actor=actor, rows=new_rows, pack=pack)
    result.pack_changed = _save_pack(db, actor=actor, pack=pack)
    if result.changed:
        audit.record(
            db,
            actor=actor,
            action="library.import",
            object_type="library_pack",
            object_id=db.exec(select(LibraryPack.id).where(LibraryPack.key == pack.key)).one(),
            after={
                "pack_version": pack.version,
                "created": len(result.created),
                "updated": result.updated,
                "deprecated": result.deprecated,
                "restored": result.restored,
            },
            summary=result.summary(),
        )
    db.flush()
    return result


def _place(row: LibraryIndicator, pack: packs.Pack, position: int, types: str) -> bool:
    """Set the pack-level fields of a row; whether any of them changed."""
    wanted = {
        "pack_key": pack.key,
        "position": position,
        "kind": pack.kind,
        "sector": pack.sector,
        "engagement_types": types,
    }
    changed = any(getattr(row, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(row, name, value)
    return changed


def _current_digests(db: Session, rows: list[LibraryIndicator]) -> dict[int, str]:
    if not rows:
        return {}
    found = db.exec(
        select(LibraryIndicatorVersion.indicator_id, LibraryIndicatorVersion.digest)
        .join(
            LibraryIndicator,
            (LibraryIndicator.id == LibraryIndicatorVersion.indicator_id)
            & (LibraryIndicator.current_version == LibraryIndicatorVersion.number),
        )
        .where(col(LibraryIndicator.id).in_([row.id for row in rows]))
    ).all()
    return dict(found)


def _insert_new(
    db: Session,
    *,
    actor: User | None,
    rows: list[tuple[int, str, leaf_content.LeafContent]],
    pack: packs.Pack,
) -> None:
    # Core bulk inserts (three statements per pack): building ORM objects for a few hundred
    # leaves costs more than the database work, and the demo loads every pack.
    if not rows:
        return
    now, actor_id = utcnow(), getattr(actor, "id", None)
    types = engagement_types_text(pack.engagement_types)
    indicators = LibraryIndicator.__table__
    inserted = db.exec(
        insert(indicators).returning(indicators.c.id, indicators.c.key),
        params=[
            {
                "key": key,
                "pack_key": pack.key,
                "position": position,
                "kind": pack.kind,
                "sector": pack.sector,
                "engagement_types": types,
                "status": Status.shared.value,
                "status_note": "",
                "owner_id": None,
                "current_version": 1,
                "name": data.name,
                "search_text": data.search_document(),
                "search_pinyin": data.pinyin_document(),
                "source_engagement_id": None,
                "source_indicator_id": None,
                "proposed_at": None,
                "reviewed_by_id": None,
                "reviewed_at": None,
                "created_by_id": actor_id,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for position, key, data in rows
        ],
    ).all()
    ids = {key: row_id for row_id, key in inserted}
    note = f"导入指标包「{pack.name}」{pack.version} 版"
    db.exec(
        insert(LibraryIndicatorVersion.__table__),
        params=[
            {
                "indicator_id": ids[key],
                "number": 1,
                "digest": data.digest(),
                "change_note": note,
                "created_by_id": actor_id,
                "created_at": now,
                **data.columns(),
            }
            for _, key, data in rows
        ],
    )
    tags = [{"indicator_id": ids[key], "tag": tag} for _, key, data in rows for tag in data.tags]
    if tags:
        db.exec(insert(LibraryTag.__table__), params=tags)


def _save_pack(db: Session, *, actor: User | None, pack: packs.Pack) -> bool:
    row = db.exec(select(LibraryPack).where(LibraryPack.key == pack.key)).first()
    wanted = {
        "name": pack.name,
        "kind": pack.kind,
        "engagement_types": list(pack.engagement_types),
        "sector": pack.sector,
        "pack_version": pack.version,
        "source": pack.source,
        "notes": pack.notes,
    }
    if row is not None and all(getattr(row, name) == value for name, value in wanted.items()):
        return False
    row = row or LibraryPack(key=pack.key, **wanted)
    for name, value in wanted.items():
        setattr(row, name, value)
    row.imported_at, row.imported_by_id = utcnow(), getattr(actor, "id", None)
    db.add(row)
    db.flush()
    return True


# ---------------------------------------------------------------------------------------------
# Shipped packs


@lru_cache(maxsize=4)
def _parsed(root: str, stamp: tuple) -> tuple[packs.Pack, ...]:
    return tuple(packs.load_all(root))


def read_folder(root: str | Path) -> list[packs.Pack]:
    """Every pack under a library folder (parsed once per file state); PackError when broken."""
    folder = Path(root)
    files = sorted(folder.glob("*/*.y*ml"))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return list(_parsed(str(folder.resolve()), stamp))


def load_shipped(
    db: Session, *, actor: User | None = None, root: str | Path | None = None
) -> list[ImportResult]:
    """Import the packs of `indicator_library/` (idempotent); [] when the folder is absent."""
    folder = Path(root) if root is not None else packs.default_library_root()
    if not folder.is_dir():
        return []
    try:
        items = read_folder(folder)
    except packs.PackError as error:
        raise ValidationFailed.from_invalid(error, PACKS_REFUSED) from error
    return import_packs(db, actor=actor, items=items)


@after_upgrade
def load_shipped_after_upgrade(app) -> None:
    """After `workbench db upgrade`: import the shipped packs (idempotent) and print what changed.

    Registered here, not by the models, so that the models import nothing of the services.
    """
    with app.app_context():
        try:
            with database.session_scope() as session:
                results = load_shipped(session)
                ensure_search_index(session)
        except ValidationFailed as error:
            click.echo(f"指标库未导入：{error.message}", err=True)
            for item in error.details:
                click.echo(f"  - {item.message}", err=True)
            return
    changed = [result for result in results if result.changed]
    if not results:
        click.echo("未找到指标库目录 indicator_library，跳过指标包导入", err=True)
    elif changed:
        for result in changed:
            click.echo("指标库：" + result.summary())
    else:
        click.echo(f"指标库：{len(results)} 个指标包均已是最新")
