"""The real client behind reverse proxies: werkzeug's ProxyFix, for as many hops as are trusted.

With `WORKBENCH_TRUSTED_PROXIES=N` the last N entries of X-Forwarded-For, -Proto and -Host are
believed (each proxy appends one), so `request.remote_addr` is the client that reached the first
proxy: rate limits, session binding and `survey_response.ip` all read it. With 0 (the default,
no proxy in front) those headers are ignored, because any client can write them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
