"""The evaluated unit reports its own rectification (整改) with evidence, before or after the archive.

A report is the unit's account: feedback on an item (moves it from 待反馈 to 已反馈，整改中),
progress, or a claim that the item is rectified. Only the lead or the bureau confirms 已整改
(rectification.record_progress) after reading the report and its files.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, itemised, storage
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import allowed, authorize
from workbench.core.timeutil import utcnow
from workbench.core.uploads import CheckedUpload, check_batch
from workbench.engagements.models import Engagement
from workbench.review import notifications
from workbench.review.models import RectificationEvidence, RectificationItem, RectificationReport
from workbench.review.rectification import STALE, get_item, items_of
from workbench.review.saving import flush
from workbench.review.states import UNIT_REPORT_NAMES, FollowUpStatus, UnitReportKind

MAX_FILES = 10
MAX_TEXT = 2000


def reports_by_item(db: Session, engagement: Engagement) -> dict[int, list[RectificationReport]]:
    """Every unit report of the engagement, grouped by item, oldest first (one query)."""
    found: dict[int, list[RectificationReport]] = {}
    for row in db.exec(
        select(RectificationReport)
        .where(RectificationReport.engagement_id == engagement.id)
        .order_by(col(RectificationReport.id))
    ).all():
        found.setdefault(row.item_id, []).append(row)
    return found


def files_by_report(db: Session, engagement: Engagement) -> dict[int, list[RectificationEvidence]]:
    """Every file of the engagement's unit reports, grouped by report (one query)."""
    found: dict[int, list[RectificationEvidence]] = {}
    for row in db.exec(
        select(RectificationEvidence)
        .where(RectificationEvidence.engagement_id == engagement.id)
        .order_by(col(RectificationEvidence.id))
    ).all():
        found.setdefault(row.report_id, []).append(row)
    return found


def _checked_files(files: Sequence[tuple[str, bytes]], max_mb: int) -> list[CheckedUpload]:
    """Every file checked (type sniffed, size, name, duplicates) before anything is stored."""
    checked = check_batch(
        files,
        max_files=MAX_FILES,
        max_mb=max_mb,
        failed="上传失败，未保存任何内容：",
        same_batch=lambda name, earlier: f"“{name}”与“{earlier}”内容相同，请勿重复上传",
    )
    return [upload for upload, _sha in checked]


def report(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    item_id: int,
    kind: str,
    text: str,
    files: Sequence[tuple[str, bytes]] = (),
    max_mb: int = 50,
    version: int | None = None,
) -> RectificationReport:
    """The unit's report on one item, with its evidence files; all or nothing."""
    authorize(actor, "review.unit", engagement, message="只有被评价单位联系人可以报送整改情况")
    item = get_item(db, engagement, item_id)
    require_version(version, item.version, stale=STALE)
    if kind not in UnitReportKind.__members__:
        raise ValidationFailed.of_field("kind", "请选择报送类型：整改反馈、整改进展或申报整改完成")
    if item.status == FollowUpStatus.rectified:
        raise ValidationFailed.of_field("kind", "该事项已确认整改完成，无需再报送")
    text = (text or "").strip()
    error = itemised.text_error(
        text,
        field="text",
        limit=MAX_TEXT,
        missing="请填写整改情况说明",
        too_long="整改情况说明不能超过 {limit} 字",
    )
    if error:
        raise ValidationFailed.of_field(**error)
    if kind == UnitReportKind.done and not files:
        raise ValidationFailed.of_field("files", "申报整改完成须上传整改佐证材料")
    checked = _checked_files(files, max_mb)
    row = RectificationReport(
        engagement_id=engagement.id, item_id=item.id, kind=kind, text=text, author_id=actor.id
    )
    db.add(row)
    db.flush()
    stored = []
    for upload in checked:
        blob = storage.store(db, upload.data, mime=upload.mime)
        stored.append(
            RectificationEvidence(
                engagement_id=engagement.id,
                report_id=row.id,
                sha256=blob.sha256,
                name=upload.name,
                mime=upload.mime,
                size=len(upload.data),
                uploaded_by_id=actor.id,
            )
        )
    db.add_all(stored)
    before = {"status": item.status}
    if kind == UnitReportKind.feedback and item.status == FollowUpStatus.open:
        item.status = FollowUpStatus.feedback_received
        item.feedback_note, item.feedback_at = text, utcnow()
    item.updated_by_id, item.updated_at = actor.id, utcnow()
    db.add(item)
    flush(db, STALE)
    name = UNIT_REPORT_NAMES[UnitReportKind(kind)]
    audit.record(
        db,
        actor=actor,
        action="review.rectification_unit_report",
        obj=item,
        engagement_id=engagement.id,
        before=before,
        after={
            "status": item.status,
            "kind": kind,
            "text": text,
            "files": [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in stored],
            "after_archive": engagement.is_archived,
        },
        summary=f"被评价单位报送{name}：{item.problem[:60]}（附件 {len(stored)} 个）",
    )
    notifications.notify(
        db,
        users=notifications.lead_users(db, engagement) + notifications.bureau_users(db, engagement),
        engagement=engagement,
        kind="review.rectification_unit_report",
        title=f"{engagement.title}：被评价单位报送{name}",
        body=f"{item.problem[:200]}\n{text[:500]}",
        link=f"/engagements/{engagement.id}/review/rectification#item-{item.id}",
    )
    return row


def get_file(
    db: Session, *, actor: User, engagement: Engagement, file_id: int
) -> RectificationEvidence:
    """One evidence file, for the unit that sent it, the agency side or the bureau."""
    row = db.get(RectificationEvidence, file_id)
    if row is None or row.engagement_id != engagement.id:
        raise NotFound("文件不存在")
    if not allowed("review.rectification_file", engagement, actor):
        raise NotFound("文件不存在")
    return row


def unit_items(db: Session, engagement: Engagement) -> list[RectificationItem]:
    return items_of(db, engagement)
