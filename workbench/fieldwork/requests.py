"""Document requests (资料清单) to the evaluated unit: items, sending, tokenized links, uploads."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, itemised, uploads
from workbench.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from workbench.core.itemised_rows import item_of, items_by_owner
from workbench.core.timeutil import local, utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import guard_write
from workbench.fieldwork import evidence as evidence_service
from workbench.fieldwork.common import STALE_REQUEST, flush, link_actor
from workbench.fieldwork.models import Evidence, WorkingPaper
from workbench.fieldwork.request_items import (
    ItemInput,
    parse_item_lines,  # noqa: F401 - the pages and the API read it as requests.parse_item_lines
    refuse_twice,
)
from workbench.fieldwork.request_models import DocumentRequest, ItemStatus, RequestItem
from workbench.fieldwork.review import content_changed

MAX_LINK_DAYS = 90
STATUS_MOVES = itemised.moves_among(list(ItemStatus), again=False)


class LinkExpired(DomainError):
    """The upload link is past its expiry (410 Gone)."""

    status = 410


def _check_papers(db: Session, engagement: Engagement, *ids: int | None) -> None:
    for paper_id in ids:
        if paper_id:
            paper = db.get(WorkingPaper, paper_id)
            if paper is None or paper.engagement_id != engagement.id:
                raise ValidationFailed.of_field("paper_id", "所选底稿不属于本项目")


def create_request(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    items: Sequence[ItemInput],
    note: str = "",
    paper_id: int | None = None,
    receipt_paper_id: int | None = None,
) -> DocumentRequest:
    """A new (unsent) request list with its items."""
    guard_write(db, engagement, actor)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed.of_field("title", "清单名称不能为空且不超过 200 字")
    if not items:
        raise ValidationFailed.of_field("items", "请至少列出一项需要提供的资料")
    refuse_twice([], items)
    _check_papers(db, engagement, paper_id, receipt_paper_id)
    request = DocumentRequest(
        engagement_id=engagement.id,
        title=title,
        note=(note or "").strip()[:2000],
        paper_id=paper_id or None,
        receipt_paper_id=receipt_paper_id or None,
        created_by_id=actor.id,
    )
    db.add(request)
    db.flush()
    _add(db, request, items, actor)
    audit.record(
        db,
        actor=actor,
        action="document_request.create",
        obj=request,
        engagement_id=engagement.id,
        after={"title": title, "items": [i.name for i in items]},
        summary=f"{title}（{len(items)} 项）",
    )
    return request


def _add(db: Session, request: DocumentRequest, items: Sequence[ItemInput], actor: User) -> list:
    listed = items_of(db, [request.id])[request.id]
    refuse_twice([item.name for item in listed], items)
    positions = itemised.numbers_after(len(listed), len(items))
    rows = [
        RequestItem(
            request_id=request.id,
            position=position,
            name=item.name.strip(),
            description=item.description.strip(),
            due_date=item.due_date,
            updated_by_id=actor.id,
        )
        for position, item in zip(positions, items, strict=True)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def add_items(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    request: DocumentRequest,
    items: Sequence[ItemInput],
) -> list[RequestItem]:
    """Append items to a request."""
    guard_write(db, engagement, actor)
    if not items:
        raise ValidationFailed.of_field("items", "请至少列出一项需要提供的资料")
    rows = _add(db, request, items, actor)
    audit.record(
        db,
        actor=actor,
        action="document_request.add_items",
        obj=request,
        engagement_id=engagement.id,
        after={"items": [i.name for i in items]},
        summary=f"{request.title}：新增 {len(rows)} 项",
    )
    return rows


def unit_contacts(db: Session, engagement: Engagement) -> list[User]:
    """The engagement's members with role unit (被评价单位联系人)."""
    ids = engagement.member_ids(MemberRole.unit)
    if not ids:
        return []
    return list(db.exec(select(User).where(col(User.id).in_(ids))).all())


def send_request(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    request: DocumentRequest,
    contact_user_id: int,
) -> DocumentRequest:
    """Send the list to a unit contact (a member with role unit), who then sees and answers it."""
    guard_write(db, engagement, actor)
    if not any(u.id == contact_user_id for u in unit_contacts(db, engagement)):
        raise ValidationFailed.of_field(
            "contact_user_id", "联系人须是本项目的被评价单位联系人（在工作组中以该角色添加）"
        )
    request.contact_user_id = contact_user_id
    request.sent_at = request.sent_at or utcnow()
    request.sent_by_id = actor.id
    request.updated_at = utcnow()
    db.add(request)
    flush(db, STALE_REQUEST)
    audit.record(
        db,
        actor=actor,
        action="document_request.send",
        obj=request,
        engagement_id=engagement.id,
        after={"contact_user_id": contact_user_id},
        summary=request.title,
    )
    return request


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(
    db: Session, *, actor: User, engagement: Engagement, request: DocumentRequest, days: int
) -> str:
    """A new upload link valid for `days`; only its hash is stored, the old link stops working."""
    guard_write(db, engagement, actor)
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ValidationFailed.of_field("days", f"有效期应为 1–{MAX_LINK_DAYS} 天")
    token = secrets.token_urlsafe(32)
    request.token_hash = _digest(token)
    request.token_expires_at = utcnow() + timedelta(days=days)
    request.sent_at = request.sent_at or utcnow()
    request.sent_by_id = request.sent_by_id or actor.id
    request.updated_at = utcnow()
    db.add(request)
    flush(db, STALE_REQUEST)
    audit.record(
        db,
        actor=actor,
        action="document_request.link",
        obj=request,
        engagement_id=engagement.id,
        after={"expires_at": request.token_expires_at},
        summary=f"{request.title}：生成上传链接，{days} 天有效",
    )
    return token


def revoke_link(
    db: Session, *, actor: User, engagement: Engagement, request: DocumentRequest
) -> None:
    """Stop the upload link at once."""
    guard_write(db, engagement, actor)
    if request.token_hash is None:
        raise Conflict("该清单没有有效的上传链接")
    request.token_hash, request.token_expires_at = None, None
    request.updated_at = utcnow()
    db.add(request)
    flush(db, STALE_REQUEST)
    audit.record(
        db,
        actor=actor,
        action="document_request.revoke_link",
        obj=request,
        engagement_id=engagement.id,
        summary=f"{request.title}：停用上传链接",
    )


def request_for_token(db: Session, token: str) -> tuple[DocumentRequest, Engagement]:
    """The request behind a link; 404 for an unknown token, 410 once it has expired."""
    if not token or len(token) > 100:
        raise NotFound("链接无效")
    request = db.exec(
        select(DocumentRequest).where(DocumentRequest.token_hash == _digest(token))
    ).first()
    if request is None:
        raise NotFound("链接无效或已被停用，请联系评价机构")
    expires = request.token_expires_at
    if expires is None or local(expires) <= local(utcnow()):
        shown = local(expires).strftime("%Y-%m-%d %H:%M") if expires else ""
        raise LinkExpired(f"该资料上传链接已于 {shown} 过期，不能再上传；请联系评价机构获取新链接")
    return request, db.get(Engagement, request.engagement_id)


def items_of(db: Session, request_ids: Sequence[int]) -> dict[int, list[RequestItem]]:
    """Each request's items in order (one query)."""
    return items_by_owner(
        db, RequestItem, owner="request_id", owner_ids=request_ids, number="position"
    )


def get_item(db: Session, request: DocumentRequest, item_id: int) -> RequestItem:
    return item_of(
        db, RequestItem, item_id, owner="request_id", owner_id=request.id, missing="资料项不存在"
    )


def set_item_status(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    request: DocumentRequest,
    item_id: int,
    action: str,
    reason: str = "",
) -> RequestItem:
    """Mark an item received (e.g. paper copies on site), waived (reason required) or requested again."""
    guard_write(db, engagement, actor)
    item = get_item(db, request, item_id)
    refusal = itemised.refuse_choice(item.status, action, STATUS_MOVES)
    if refusal == itemised.Refusal.unknown_choice:
        raise ValidationFailed.of_field("action", "操作无效")
    target = ItemStatus(action)
    reason = (reason or "").strip()
    if itemised.refuse_note(target, reason, required_for={ItemStatus.waived}):
        raise ValidationFailed.of_field("reason", f"“{item.name}”免于提供须说明原因")
    if refusal:  # the only move refused is to the status it has
        raise Conflict(f"“{item.name}”已是该状态")
    before = {"status": item.status, "waive_reason": item.waive_reason}
    item.status = target
    item.waive_reason = reason[:1000] if target == ItemStatus.waived else ""
    item.received_at = utcnow() if target == ItemStatus.received else item.received_at
    item.updated_by_id, item.updated_at = actor.id, utcnow()
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=f"document_request.item_{target.value}",
        obj=item,
        engagement_id=engagement.id,
        before=before,
        after={"status": target.value, "waive_reason": item.waive_reason},
        summary=f"{request.title}：{item.name}",
    )
    return item


def upload_to_item(
    db: Session,
    *,
    actor: User | None,
    engagement: Engagement,
    request: DocumentRequest,
    item_id: int,
    files: Sequence[tuple[str, uploads.Content]],
    max_mb: int,
    contact_name: str = "",
) -> list[Evidence]:
    """The unit's files for one item: evidence of the engagement (or of the receipt paper)."""
    who = actor if actor is not None else link_actor(contact_name or "被评价单位")
    guard_write(db, engagement, who)
    item = get_item(db, request, item_id)
    paper = db.get(WorkingPaper, request.receipt_paper_id) if request.receipt_paper_id else None
    checked = evidence_service.validate_files(
        db, engagement=engagement, files=files, max_mb=max_mb, item_id=item.id
    )
    created = evidence_service.store_files(
        db,
        actor=actor,
        engagement=engagement,
        checked=checked,
        paper=paper,
        item_id=item.id,
        source="被评价单位提供",
        note=f"{request.title}：{item.name}",
        via="user" if actor is not None else "link",
    )
    if item.status != ItemStatus.received:
        item.status, item.waive_reason, item.received_at = ItemStatus.received, "", utcnow()
    item.updated_by_id, item.updated_at = getattr(actor, "id", None), utcnow()
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=who,
        action="document_request.upload",
        obj=item,
        engagement_id=engagement.id,
        after={"files": [{"name": e.name, "sha256": e.sha256} for e in created]},
        summary=f"{request.title}：{item.name}（{len(created)} 个文件）",
    )
    if paper is not None:
        content_changed(db, actor=who, engagement=engagement, paper=paper, what="收到单位资料")
    return created


def list_requests(db: Session, *, engagement: Engagement, user: User) -> list[DocumentRequest]:
    """The engagement's requests; a unit contact sees only those sent to them."""
    stmt = select(DocumentRequest).where(DocumentRequest.engagement_id == engagement.id)
    if MemberRole.unit in engagement.roles_of(user) and not engagement.is_team(user):
        stmt = stmt.where(
            DocumentRequest.contact_user_id == user.id, col(DocumentRequest.sent_at).is_not(None)
        )
    return list(db.exec(stmt.order_by(col(DocumentRequest.id))).all())


def get_request(db: Session, *, engagement: Engagement, request_id: int) -> DocumentRequest:
    request = db.get(DocumentRequest, request_id)
    if request is None or request.engagement_id != engagement.id:
        raise NotFound("资料清单不存在")
    return request
