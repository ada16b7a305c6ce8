"""The delivery job: one signed POST per attempt, retried with exponential backoff.

An attempt first claims the row in its own short transaction (so two workers, or a retry and the
sweep, never send the same attempt twice), then calls the endpoint outside any transaction, then
records the outcome. A 2xx answer is delivered; anything else — an error status, a redirect
(never followed), a timeout, a refused connection — is retried after 1, 2, 4, … times
`WEBHOOK_RETRY_SECONDS` until `WEBHOOK_MAX_ATTEMPTS`, then given up (the page can send it again).
A worker killed mid-attempt leaves the row claimed; the sweep queues it again when the claim
runs out, so an event may arrive twice but is never lost: receivers deduplicate on the
delivery id header.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from flask import current_app
from huey import crontab
from sqlalchemy import update
from sqlmodel import col, select

from workbench import db as database
from workbench.core import jobs
from workbench.core.timeutil import utcnow
from workbench.webhooks import signing, targets
from workbench.webhooks.models import WebhookDelivery, WebhookEndpoint

OPEN = ("pending", "retrying")
STATUS_NAMES = {
    "pending": "待发送",
    "retrying": "等待重试",
    "delivered": "已送达",
    "failed": "已放弃",
}
MAX_DELAY = timedelta(hours=6)


def allowed_networks() -> list:
    return targets.networks(current_app.config.get("WEBHOOK_ALLOWED_NETWORKS") or "")


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … (at most 6 h)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None
    error: str = ""
    final: bool = False  # not worth retrying (the address is not allowed)


def post(url: str, *, body: bytes, headers: dict, timeout: float) -> Outcome:
    """One HTTP attempt; never raises."""
    try:
        response = httpx.post(
            url, content=body, headers=headers, timeout=timeout, follow_redirects=False
        )
    except httpx.TimeoutException:
        return Outcome(False, error=f"超时（{timeout:g} 秒内未响应）")
    except httpx.HTTPError as error:
        return Outcome(False, error=f"连接失败：{type(error).__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    if 300 <= response.status_code < 400:
        return Outcome(False, response.status_code, "对方返回重定向（推送不跟随重定向）")
    return Outcome(False, response.status_code, f"对方返回 HTTP {response.status_code}")


def _claim(delivery_id: int, *, hold: timedelta) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """Take the next attempt of this delivery, or None when it is not due or someone has it."""
    now = utcnow()
    with database.session_scope() as db:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status not in OPEN:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # a retry is scheduled later, or another worker holds it
        claimed = db.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == delivery_id,
                col(WebhookDelivery.attempts) == delivery.attempts,
                col(WebhookDelivery.status).in_(OPEN),
            )
            .values(attempts=delivery.attempts + 1, last_attempt_at=now, next_attempt_at=now + hold)
        )
        if claimed.rowcount != 1:
            return None
        endpoint = db.get(WebhookEndpoint, delivery.endpoint_id)
        db.refresh(delivery)
        return delivery, endpoint


def attempt(delivery_id: int) -> timedelta | None:
    """Make one attempt; the wait before the next one, or None when there is none."""
    config = current_app.config
    timeout = float(config["WEBHOOK_TIMEOUT"])
    claimed = _claim(delivery_id, hold=timedelta(seconds=timeout * 2 + 60))
    if claimed is None:
        return None
    delivery, endpoint = claimed
    if endpoint is None or not endpoint.active:
        outcome = Outcome(False, error="推送地址已停用，未发送", final=True)
    else:
        why = targets.refusal(endpoint.url, allowed=allowed_networks())
        if why:
            outcome = Outcome(False, error=why, final=not why.startswith("无法解析"))
        else:
            body = delivery.payload.encode()
            headers = signing.headers(
                secret=endpoint.secret,
                timestamp=int(time.time()),
                body=body,
                event=delivery.event,
                event_id=delivery.event_id,
            )
            outcome = post(endpoint.url, body=body, headers=headers, timeout=timeout)
    return _record(delivery_id, delivery.attempts, outcome)


def _record(delivery_id: int, attempts: int, outcome: Outcome) -> timedelta | None:
    config = current_app.config
    now = utcnow()
    wait = None
    with database.session_scope() as db:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None:  # the endpoint was deleted meanwhile
            return None
        delivery.response_status, delivery.error = outcome.status, outcome.error[:500]
        if outcome.delivered:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                "delivered",
                now,
                None,
            )
        elif outcome.final or attempts >= int(config["WEBHOOK_MAX_ATTEMPTS"]):
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            wait = backoff(attempts, int(config["WEBHOOK_RETRY_SECONDS"]))
            delivery.status, delivery.next_attempt_at = "retrying", now + wait
        db.add(delivery)
    return wait


@jobs.job()
def deliver(delivery_id: int) -> None:
    """The queued job: attempt now, and schedule the next attempt on the queue if it failed."""
    wait = attempt(delivery_id)
    if wait is not None:
        deliver.schedule((delivery_id,), delay=wait.total_seconds())


def due_ids(limit: int = 200) -> list[int]:
    """Deliveries whose attempt is overdue by a minute: their queued job was lost."""
    late = utcnow() - timedelta(minutes=1)
    with database.session_scope(write=False) as db:
        return list(
            db.exec(
                select(WebhookDelivery.id)
                .where(
                    col(WebhookDelivery.status).in_(OPEN),
                    col(WebhookDelivery.next_attempt_at) <= late,
                )
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(limit)
            ).all()
        )


@jobs.periodic(crontab(minute="*"))
def sweep() -> None:
    """Every minute in the worker: queue again what a crash or an unreachable queue dropped."""
    for delivery_id in due_ids():
        deliver(delivery_id)
