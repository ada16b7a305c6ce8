"""Registering endpoints, and turning an engagement's events into deliveries.

An event becomes one delivery row per active endpoint of the engagement's agency that follows
it (and whose bureau filter, if any, is the engagement's bureau), in the transaction of the
action itself: a refused or rolled-back action sends nothing. The delivery job is queued when
that transaction commits.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workbench.accounts.models import Organisation, OrgKind, User
from workbench.core import audit, jobs
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.stages import STAGE_NAMES, Stage
from workbench.webhooks import signing, targets
from workbench.webhooks.delivery import allowed_networks, deliver
from workbench.webhooks.kinds import BY_KEY, PING, label
from workbench.webhooks.models import WebhookDelivery, WebhookEndpoint

MAX_PER_AGENCY = 20


def endpoints(db: Session, *, admin: User) -> list[WebhookEndpoint]:
    authorize(admin, "admin", message="只有机构管理员可以管理推送地址")
    return list(
        db.exec(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.agency_id == admin.org_id)
            .order_by(col(WebhookEndpoint.id))
        ).all()
    )


def bureaus(db: Session, *, admin: User) -> list[Organisation]:
    """The bureaus an endpoint may be limited to: those that commissioned the agency's work."""
    ids = select(Engagement.bureau_id).where(Engagement.agency_id == admin.org_id)
    return list(
        db.exec(
            select(Organisation)
            .where(Organisation.kind == OrgKind.bureau, col(Organisation.id).in_(ids))
            .order_by(col(Organisation.name))
        ).all()
    )


def _check(
    db: Session, *, admin: User, url: str, events: list[str], bureau_id: int | None
) -> tuple[str, list[str]]:
    problems = []
    url = (url or "").strip()
    if not url:
        problems.append({"field": "url", "message": "请填写推送地址"})
    elif len(url) > 500:
        problems.append({"field": "url", "message": "推送地址不能超过 500 个字符"})
    else:
        why = targets.refusal(url, allowed=allowed_networks())
        if why:
            problems.append({"field": "url", "message": why})
    chosen = [e for e in BY_KEY if e in set(events or [])]
    unknown = sorted(set(events or []) - set(BY_KEY))
    if unknown:
        problems.append({"field": "events", "message": f"没有这些事件：{'、'.join(unknown)}"})
    elif not chosen:
        problems.append({"field": "events", "message": "请至少选择一个事件"})
    if bureau_id is not None and bureau_id not in {b.id for b in bureaus(db, admin=admin)}:
        problems.append({"field": "bureau_id", "message": "请选择本机构项目的委托方"})
    if problems:
        raise ValidationFailed("推送地址未保存", details=problems)
    return url, chosen


def create_endpoint(
    db: Session,
    *,
    admin: User,
    url: str,
    events: list[str],
    description: str = "",
    bureau_id: int | None = None,
) -> WebhookEndpoint:
    authorize(admin, "admin", message="只有机构管理员可以管理推送地址")
    url, chosen = _check(db, admin=admin, url=url, events=events, bureau_id=bureau_id)
    if len(endpoints(db, admin=admin)) >= MAX_PER_AGENCY:
        raise ValidationFailed(f"每个机构最多登记 {MAX_PER_AGENCY} 个推送地址")
    endpoint = WebhookEndpoint(
        agency_id=admin.org_id,
        bureau_id=bureau_id,
        url=url,
        description=(description or "").strip()[:200],
        events=chosen,
        secret=signing.new_secret(),
        created_by_id=admin.id,
    )
    db.add(endpoint)
    db.flush()
    audit.record(
        db,
        actor=admin,
        action="webhook.create",
        obj=endpoint,
        after={"url": url, "events": chosen, "bureau_id": bureau_id},
        summary=f"登记推送地址 {url}",
    )
    return endpoint


def update_endpoint(
    db: Session,
    *,
    admin: User,
    endpoint: WebhookEndpoint,
    url: str,
    events: list[str],
    description: str = "",
    bureau_id: int | None = None,
    active: bool = True,
) -> WebhookEndpoint:
    _own(admin, endpoint)
    url, chosen = _check(db, admin=admin, url=url, events=events, bureau_id=bureau_id)
    before = _snapshot(endpoint)
    endpoint.url, endpoint.events, endpoint.bureau_id = url, chosen, bureau_id
    endpoint.description, endpoint.active = (description or "").strip()[:200], active
    endpoint.version += 1
    db.add(endpoint)
    audit.record(
        db,
        actor=admin,
        action="webhook.update",
        obj=endpoint,
        before=before,
        after=_snapshot(endpoint),
        summary=f"修改推送地址 {url}" + ("" if active else "（已停用）"),
    )
    return endpoint


def rotate_secret(db: Session, *, admin: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    _own(admin, endpoint)
    endpoint.secret = signing.new_secret()
    endpoint.version += 1
    db.add(endpoint)
    audit.record(
        db, actor=admin, action="webhook.rotate_secret", obj=endpoint,
        summary=f"更换推送地址 {endpoint.url} 的签名密钥",
    )  # fmt: skip
    return endpoint


def delete_endpoint(db: Session, *, admin: User, endpoint: WebhookEndpoint) -> None:
    _own(admin, endpoint)
    before = _snapshot(endpoint)
    for delivery in db.exec(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    ).all():
        db.delete(delivery)
    audit.record(
        db, actor=admin, action="webhook.delete", obj=endpoint, before=before,
        summary=f"删除推送地址 {endpoint.url}",
    )  # fmt: skip
    db.delete(endpoint)


def _own(admin: User, endpoint: WebhookEndpoint) -> None:
    if not endpoint.visible_to(admin):
        raise NotFound("推送地址不存在")


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    return {
        "url": endpoint.url,
        "events": list(endpoint.events),
        "bureau_id": endpoint.bureau_id,
        "active": endpoint.active,
        "description": endpoint.description,
    }


# --- events → deliveries -------------------------------------------------------------------


def engagement_summary(db: Session, engagement: Engagement) -> dict[str, Any]:
    names = dict(
        db.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_([engagement.agency_id, engagement.bureau_id])
            )
        ).all()
    )
    return {
        "id": engagement.id,
        "title": engagement.title,
        "stage": engagement.stage,
        "stage_name": STAGE_NAMES.get(Stage(engagement.stage), engagement.stage),
        "agency": names.get(engagement.agency_id, ""),
        "bureau": names.get(engagement.bureau_id, ""),
    }


def _payload(event: str, event_id: str, engagement: dict | None, data: dict) -> str:
    body = {
        "id": event_id,
        "type": event,
        "type_name": label(event),
        "created_at": utcnow().isoformat(timespec="seconds"),
        "engagement": engagement,
        "data": data,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def emit(
    db: Session, *, engagement: Engagement, event: str, key: str, data: dict[str, Any]
) -> list[WebhookDelivery]:
    """One delivery per endpoint that follows `event` for this engagement; `key` names the
    occurrence (the same key twice for one endpoint adds nothing)."""
    found = db.exec(
        select(WebhookEndpoint).where(
            WebhookEndpoint.agency_id == engagement.agency_id,
            col(WebhookEndpoint.active).is_(True),
        )
    ).all()
    wanted = [e for e in found if event in e.events and e.bureau_id in (None, engagement.bureau_id)]
    if not wanted:
        return []
    already = set(
        db.exec(
            select(WebhookDelivery.endpoint_id).where(
                col(WebhookDelivery.endpoint_id).in_([e.id for e in wanted]),
                WebhookDelivery.event_key == key,
            )
        ).all()
    )
    summary = engagement_summary(db, engagement)
    made = []
    for endpoint in wanted:
        if endpoint.id in already:
            continue
        event_id = str(uuid.uuid4())
        made.append(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                engagement_id=engagement.id,
                event=event,
                event_key=key,
                event_id=event_id,
                payload=_payload(event, event_id, summary, data),
                next_attempt_at=utcnow(),
            )
        )
    return _queue(db, made)


def _queue(db: Session, deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    for delivery in deliveries:
        db.add(delivery)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # the same occurrence recorded at the same moment elsewhere
        return []
    for delivery in deliveries:
        jobs.enqueue_after_commit(db, deliver, delivery.id)
    return deliveries


def ping(db: Session, *, admin: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """The page's 发送测试事件: one delivery to this endpoint, whatever it follows."""
    _own(admin, endpoint)
    event_id = str(uuid.uuid4())
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event=PING,
        event_key=f"ping:{event_id}",
        event_id=event_id,
        payload=_payload(
            PING, event_id, None, {"message": "推送地址连通测试", "by": admin.display_name}
        ),
        next_attempt_at=utcnow(),
    )
    _queue(db, [delivery])
    audit.record(
        db, actor=admin, action="webhook.ping", obj=endpoint,
        summary=f"向 {endpoint.url} 发送测试事件",
    )  # fmt: skip
    return delivery


def redeliver(db: Session, *, admin: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (a failed one, or one the receiver lost)."""
    endpoint = db.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        raise NotFound("推送记录不存在")
    _own(admin, endpoint)
    delivery.status, delivery.next_attempt_at, delivery.error = "pending", utcnow(), ""
    db.add(delivery)
    db.flush()
    jobs.enqueue_after_commit(db, deliver, delivery.id)
    audit.record(
        db, actor=admin, action="webhook.redeliver", obj=delivery,
        summary=f"重新发送“{label(delivery.event)}”到 {endpoint.url}",
    )  # fmt: skip
    return delivery


def deliveries(
    db: Session, *, endpoint: WebhookEndpoint, limit: int = 100
) -> list[WebhookDelivery]:
    return list(
        db.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(limit)
        ).all()
    )


def get_delivery(db: Session, delivery_id: int) -> WebhookDelivery:
    found = db.get(WebhookDelivery, delivery_id)
    if found is None:
        raise NotFound("推送记录不存在")
    return found
