"""The server's signature on a checkout: proof at check-in that the package was issued here (pure).

An HMAC-SHA256 over the checkout's identifying fields, keyed by a key derived (HKDF) from the
instance's secret key: another server, or an altered field, does not verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SIGNED_FIELDS = ("checkout", "engagement_id", "issued_at")


def _key(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"workbench offline checkout"
    ).derive(raw)


def _message(fields: dict) -> bytes:
    picked = {name: fields.get(name) for name in SIGNED_FIELDS}
    return json.dumps(picked, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str | bytes, fields: dict) -> str:
    """The hex signature of a checkout's fields (checkout id, engagement id, issue time)."""
    return hmac.new(_key(secret), _message(fields), hashlib.sha256).hexdigest()


def verify(secret: str | bytes, fields: dict, token: str) -> bool:
    return isinstance(token, str) and hmac.compare_digest(sign(secret, fields), token)
