"""The SHA-256 of a working paper's content, stored with every sign-off (pure).

Content = title, template, supported indicators, field values, findings and the SHA-256 of every
evidence file. Review notes and sign-offs are not content: discussing a paper does not change it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no whitespace, Decimals normalised."""
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(
    *,
    title: str,
    template_key: str,
    values: Mapping[str, Any],
    indicator_ids: Iterable[int],
    findings: Iterable[Mapping[str, Any]],
    evidence: Iterable[str],
) -> str:
    """SHA-256 hex of the paper content; independent of the order findings and files were added."""
    payload = {
        "title": title,
        "template": template_key,
        "values": values,
        "indicators": sorted(indicator_ids),
        "findings": sorted(canonical(f) for f in findings),
        "evidence": sorted(evidence),
    }
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()
