"""Packs as files: the library exported as packs, and uploaded pack files read into packs."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from workbench.core import uploads
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.library import content as leaf_content
from workbench.library import packs, yaml_check
from workbench.library.editing import CUSTOM_PREFIX, current_versions
from workbench.library.loading import refuse
from workbench.library.models import LibraryIndicator, LibraryPack, Status

ALL_TYPES = list(packs.ENGAGEMENT_TYPES)


# ---------------------------------------------------------------------------------------------
# Export


def pack_keys(db: Session) -> list[LibraryPack]:
    """Every imported pack, common frameworks first."""
    return list(db.exec(select(LibraryPack).order_by(LibraryPack.kind, LibraryPack.key)).all())


def has_contributions(db: Session) -> bool:
    """Whether shared indicators exist that came from engagements or colleagues, not packs."""
    return (
        db.exec(
            select(LibraryIndicator.id).where(
                col(LibraryIndicator.pack_key).is_(None),
                LibraryIndicator.status == Status.shared,
            )
        ).first()
        is not None
    )


def export_pack(db: Session, *, pack_key: str) -> packs.Pack:
    """A pack of the current versions: an imported pack, or `contributed` (shared, not packed)."""
    meta = db.exec(select(LibraryPack).where(LibraryPack.key == pack_key)).first()
    stmt = select(LibraryIndicator).where(LibraryIndicator.status != Status.deprecated)
    if pack_key == CUSTOM_PREFIX:
        stmt = stmt.where(
            or_(
                col(LibraryIndicator.pack_key).is_(None),
                LibraryIndicator.pack_key == CUSTOM_PREFIX,
            ),
            LibraryIndicator.status == Status.shared,
        )
    elif meta is None:
        raise NotFound(f"指标库中没有指标包「{pack_key}」")
    else:
        stmt = stmt.where(LibraryIndicator.pack_key == pack_key)
    rows = list(db.exec(stmt.order_by(LibraryIndicator.position, LibraryIndicator.id)).all())
    versions = current_versions(db, rows)
    pack = _pack_meta(meta, pack_key, rows)
    groups: dict[str, dict[str, list[packs.Indicator]]] = {}
    for row in rows:
        data = leaf_content.from_columns(versions[row.id].model_dump())
        siblings = groups.setdefault(data.level1, {}).setdefault(data.level2, [])
        leaf_key = row.key.split(".", 1)[1] if "." in row.key else row.key
        leaf = leaf_content.to_pack_leaf(data, key=leaf_key)
        if any(item.name == leaf.name for item in siblings):
            leaf.name = f"{leaf.name}（{leaf_key}）"  # sibling names must be unique in a pack
        siblings.append(leaf)
    pack.indicators = [
        packs.Level1(
            name=name1,
            children=[packs.Level2(name=name2, children=leaves) for name2, leaves in group.items()],
        )
        for name1, group in groups.items()
    ]
    return pack


def _pack_meta(meta: LibraryPack | None, pack_key: str, rows: list[LibraryIndicator]) -> packs.Pack:
    if meta is not None:
        return packs.Pack(
            key=meta.key,
            name=meta.name,
            kind=meta.kind,
            engagement_types=list(meta.engagement_types or []),
            sector=meta.sector,
            version=meta.pack_version,
            source=meta.source,
            notes=meta.notes,
        )
    used = {item for row in rows for item in row.engagement_type_list}
    return packs.Pack(
        key=pack_key,
        name="本机构共享指标",
        kind="sector",
        engagement_types=[item for item in ALL_TYPES if item in used] or ["project"],
        sector="本机构",
        version=utcnow().strftime("%Y.%m.%d"),
        source="本机构评价人员在项目中提炼、经管理员审核共享的个性指标。",
    )


def export_all(db: Session) -> list[packs.Pack]:
    """Every imported pack (and the contributed one when it has indicators)."""
    found = [export_pack(db, pack_key=row.key) for row in pack_keys(db)]
    if not any(pack.key == CUSTOM_PREFIX for pack in found) and has_contributions(db):
        found.append(export_pack(db, pack_key=CUSTOM_PREFIX))
    return found


# ---------------------------------------------------------------------------------------------
# Uploads

UPLOAD_TYPES = frozenset({"yaml", "yml", "xlsx"})


def read_upload(name: str, data: bytes, *, max_mb: int = 10) -> packs.Pack:
    """Check an uploaded pack file (type sniffed, size, encoding) and parse it; all or nothing."""
    safe = uploads.safe_name(name)
    extension = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    try:
        if extension in ("yaml", "yml"):
            pack = _parse_yaml(safe, data, max_mb=max_mb)
        else:
            # Anything but YAML goes through the shared upload check (xlsx sniffed as OOXML).
            allowed = UPLOAD_TYPES - {"yaml", "yml"}
            checked = uploads.check(safe, data, allowed=allowed, max_mb=max_mb)
            pack = packs.import_excel(checked.data)
    except packs.PackError as error:
        # YAML messages already start with the file name (the loader's origin); Excel ones don't.
        raise refuse(
            [
                message if message.startswith(f"{safe}：") else f"{safe}：{message}"
                for message in error.messages
            ]
        ) from error
    pack.origin = safe
    return pack


def _parse_yaml(name: str, data: bytes, *, max_mb: int) -> packs.Pack:
    problem = _yaml_problem(name, data, max_mb=max_mb)
    if problem:
        raise ValidationFailed.of_field("file", problem)
    text = data.decode("utf-8-sig")
    repeated = yaml_check.duplicate_keys(text)
    if repeated:
        raise refuse([f"{name}：{message}" for message in repeated])
    return packs.load_pack(data, origin=name)


def _yaml_problem(name: str, data: bytes, *, max_mb: int) -> str | None:
    # core.uploads knows no YAML, so the same checks are made here: size, text, no disguised files.
    if not data:
        return f"“{name}”是空文件"
    if len(data) > max_mb * 1024 * 1024:
        return f"“{name}”超过 {max_mb} MB 的大小限制"
    reason = yaml_check.looks_like_text(data)
    return f"“{name}”的扩展名是 .yaml，但{reason}，已拒绝" if reason else None
