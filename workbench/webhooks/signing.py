"""How a delivery is signed, and how a receiver checks it (pure: no Flask, no session).

The receiver computes HMAC-SHA256 with the endpoint's secret over `"{timestamp}.{body}"` (the
timestamp header, a full stop, the raw body bytes) and compares it with the hex after `sha256=`
in the signature header; it refuses a timestamp older than a few minutes (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Workbench-Signature"
TIMESTAMP_HEADER = "X-Workbench-Timestamp"
EVENT_HEADER = "X-Workbench-Event"
DELIVERY_HEADER = "X-Workbench-Delivery"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret (256 random bits, shown to the admin to give the receiver)."""
    return "whsec_" + secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def headers(*, secret: str, timestamp: int, body: bytes, event: str, event_id: str) -> dict:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "workbench-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(secret: str, *, timestamp: str, body: bytes, signed: str, now: int) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signed or "")
