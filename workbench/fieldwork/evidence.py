"""Evidence (佐证材料): validated, content-addressed uploads; photo time and place from EXIF."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import exifread
from sqlmodel import Session, col, select

from workbench.core import audit, storage, uploads
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.timeutil import CST
from workbench.core.uploads import CheckedUpload, check_batch
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.fieldwork.models import Evidence, FindingEvidence, WorkingPaper
from workbench.fieldwork.review import content_changed, require_clear_confirmed

MAX_FILES = 30
# exifread logs every damaged tag as a warning; for evidence a bad tag only means "no capture time".
logging.getLogger("exifread").setLevel(logging.ERROR)
_EXIF_TAGS = ("EXIF DateTimeOriginal", "EXIF DateTimeDigitized", "Image DateTime")


def _tags(data: uploads.Content) -> dict:
    try:
        return exifread.process_file(uploads.reader(data), details=False)
    except Exception:  # noqa: BLE001 - any broken EXIF block means "unknown"
        return {}


def capture_time(data: uploads.Content, tags: dict | None = None) -> datetime | None:
    """When a photo was taken, from EXIF (camera local time, taken as Beijing time unless an
    offset is recorded); None when absent or unreadable."""
    tags = _tags(data) if tags is None else tags
    for name in _EXIF_TAGS:
        raw = str(tags.get(name, "")).strip()
        try:
            taken = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        zone = CST
        offset = str(tags.get("EXIF OffsetTimeOriginal", "")).strip()
        if len(offset) == 6 and offset[0] in "+-" and offset[3] == ":":
            sign = 1 if offset[0] == "+" else -1
            zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
        return taken.replace(tzinfo=zone).astimezone(UTC)
    return None


def _degrees(tag: Any, ref: Any, negative: str) -> Decimal | None:
    try:
        d, m, sec = (Decimal(v.num) / Decimal(v.den) for v in tag.values[:3])
    except (AttributeError, TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    value = d + m / 60 + sec / 3600
    if str(ref).strip().upper() == negative:
        value = -value
    return value.quantize(Decimal("0.000001"))


def capture_place(
    data: uploads.Content, tags: dict | None = None
) -> tuple[Decimal, Decimal] | None:
    """Where a photo was taken (decimal latitude, longitude, WGS-84 as phones record it) from its
    EXIF GPS block; None when absent, unreadable or out of range."""
    tags = _tags(data) if tags is None else tags
    lat_tag, lon_tag = tags.get("GPS GPSLatitude"), tags.get("GPS GPSLongitude")
    if lat_tag is None or lon_tag is None:
        return None
    lat = _degrees(lat_tag, tags.get("GPS GPSLatitudeRef", "N"), "S")
    lon = _degrees(lon_tag, tags.get("GPS GPSLongitudeRef", "E"), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    return lat, lon


def _target_filter(engagement: Engagement, paper: WorkingPaper | None, item_id: int | None):
    stmt = select(Evidence).where(Evidence.engagement_id == engagement.id)
    if item_id is not None:
        return stmt.where(Evidence.request_item_id == item_id), "该资料项"
    if paper is not None:
        return stmt.where(Evidence.paper_id == paper.id), "本底稿"
    return stmt.where(
        col(Evidence.paper_id).is_(None), col(Evidence.request_item_id).is_(None)
    ), "项目资料清单"


def validate_files(
    db: Session,
    *,
    engagement: Engagement,
    files: Sequence[tuple[str, uploads.Content]],
    max_mb: int,
    paper: WorkingPaper | None = None,
    item_id: int | None = None,
) -> list[tuple[CheckedUpload, str]]:
    """Check every file (type, size, name, duplicates) before anything is stored."""
    if not files:
        raise ValidationFailed.of_field("files", "请选择要上传的文件")
    stmt, where = _target_filter(engagement, paper, item_id)
    existing = {e.sha256: e for e in db.exec(stmt).all()}

    def stored_before(name: str, sha: str) -> str | None:
        if sha not in existing:
            return None
        return f"“{name}”已上传到{where}（已有文件“{existing[sha].name}”内容相同），不能重复上传"

    return check_batch(
        files,
        max_files=MAX_FILES,
        max_mb=max_mb,
        failed="上传失败，未保存任何文件：",
        same_batch=lambda name, earlier: f"“{name}”与同批的“{earlier}”内容完全相同，请勿重复上传",
        stored_before=stored_before,
    )


def store_files(
    db: Session,
    *,
    actor: Any,
    engagement: Engagement,
    checked: list[Any],
    paper: WorkingPaper | None = None,
    item_id: int | None = None,
    source: str = "",
    note: str = "",
    via: str = "user",
) -> list[Evidence]:
    """Store validated files and record them as evidence (no audit entry: callers write it)."""
    created = []
    for upload, _sha in checked:
        blob = storage.store(db, upload.data, mime=upload.mime)
        photo = upload.extension in ("jpg", "jpeg")
        tags = _tags(upload.data) if photo else {}
        place = capture_place(upload.data, tags) if photo else None
        row = Evidence(
            engagement_id=engagement.id,
            paper_id=paper.id if paper else None,
            request_item_id=item_id,
            sha256=blob.sha256,
            name=upload.name,
            extension=upload.extension,
            mime=upload.mime,
            size=len(upload.data),
            captured_at=capture_time(upload.data, tags) if photo else None,
            latitude=place[0] if place else None,
            longitude=place[1] if place else None,
            source=source.strip()[:200],
            note=note.strip()[:500],
            uploaded_by_id=getattr(actor, "id", None),
            uploaded_via=via,
        )
        db.add(row)
        created.append(row)
    db.flush()
    return created


def upload(
    db: Session,
    *,
    actor: Any,
    engagement: Engagement,
    files: Sequence[tuple[str, uploads.Content]],
    max_mb: int,
    paper: WorkingPaper | None = None,
    source: str = "",
    note: str = "",
    confirm_clear: bool = False,
) -> list[Evidence]:
    """Upload several files to a paper (or the engagement's evidence list); all or nothing.

    On a reviewed or approved paper the upload clears those signatures: refused unless the
    user confirmed it (`confirm_clear`), with the names of whose signatures would go.
    """
    guard_write(db, engagement, actor)
    if paper is not None:
        require_clear_confirmed(db, paper, confirmed=confirm_clear, action="上传佐证材料")
    if len(source) > 200 or len(note) > 500:
        raise ValidationFailed(
            "来源或备注过长",
            details=[{"field": "source", "message": "来源不超过 200 字，备注不超过 500 字"}],
        )
    checked = validate_files(db, engagement=engagement, files=files, max_mb=max_mb, paper=paper)
    created = store_files(
        db,
        actor=actor,
        engagement=engagement,
        checked=checked,
        paper=paper,
        source=source,
        note=note,
    )
    where = paper.label if paper else "项目资料清单"
    audit.record(
        db,
        actor=actor,
        action="evidence.upload",
        obj=paper,
        object_type=None if paper else "evidence",
        engagement_id=engagement.id,
        after={"files": [{"name": e.name, "sha256": e.sha256, "size": e.size} for e in created]},
        summary=f"{where}：上传 {len(created)} 个文件（{'、'.join(e.name for e in created)[:200]}）",
    )
    if paper is not None:
        content_changed(db, actor=actor, engagement=engagement, paper=paper, what="新增佐证材料")
    return created


def get_evidence(db: Session, *, engagement: Engagement, evidence_id: int) -> Evidence:
    evidence = db.get(Evidence, evidence_id)
    if evidence is None or evidence.engagement_id != engagement.id:
        raise NotFound("佐证材料不存在")
    return evidence


def delete(
    db: Session,
    *,
    actor: Any,
    engagement: Engagement,
    evidence_id: int,
    confirm_clear: bool = False,
) -> Evidence:
    """Remove an evidence record (the stored bytes stay, other records may share them)."""
    guard_write(db, engagement, actor)
    evidence = get_evidence(db, engagement=engagement, evidence_id=evidence_id)
    paper = db.get(WorkingPaper, evidence.paper_id) if evidence.paper_id else None
    if paper is not None:
        require_clear_confirmed(db, paper, confirmed=confirm_clear, action="删除佐证材料")
    before = audit.snapshot(evidence, ["name", "sha256", "size", "paper_id", "request_item_id"])
    for link in db.exec(
        select(FindingEvidence).where(FindingEvidence.evidence_id == evidence.id)
    ).all():
        db.delete(link)
    db.flush()  # link rows first: without relationships the unit of work does not order them
    db.delete(evidence)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="evidence.delete",
        object_type="evidence",
        object_id=evidence_id,
        engagement_id=engagement.id,
        before=before,
        summary=f"{paper.label if paper else '项目资料清单'}：删除“{evidence.name}”",
    )
    if paper is not None:
        content_changed(db, actor=actor, engagement=engagement, paper=paper, what="删除佐证材料")
    return evidence


def evidence_query(*, engagement: Engagement, paper_id: int | None = None):
    """A select of the engagement's evidence (every file of the 佐证材料 page), or one paper's."""
    stmt = select(Evidence).where(Evidence.engagement_id == engagement.id)
    return stmt if paper_id is None else stmt.where(Evidence.paper_id == paper_id)


def evidence_of(db: Session, *, engagement: Engagement, paper_id: int | None) -> list[Evidence]:
    """A paper's evidence, or the engagement-level list when paper_id is None."""
    stmt = select(Evidence).where(Evidence.engagement_id == engagement.id)
    stmt = (
        stmt.where(Evidence.paper_id == paper_id)
        if paper_id is not None
        else stmt.where(col(Evidence.paper_id).is_(None))
    )
    return list(db.exec(stmt.order_by(col(Evidence.id))).all())
