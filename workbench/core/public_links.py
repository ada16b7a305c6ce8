"""Absolute links for people who do not sign in (survey respondents, a unit sending documents).

On a server the link is the address the request came in at (behind trusted proxies, the one they
name). A laptop in the field (workbench/offline) is opened at 127.0.0.1 on the laptop itself,
which no phone can reach: there the link is OFFLINE_PUBLIC_URL, its address on the hotspot.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` as a phone or another computer reaches this instance."""
    config = current_app.config
    base = (config.get("OFFLINE_PUBLIC_URL") or "") if config.get("OFFLINE") else ""
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
