"""Security headers on every response; no caching of what a signed-in user or the API sees."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)

# Served alike to everyone, so a browser or proxy may keep them: static files and the public
# survey pages a respondent opens from a link (even when that respondent is signed in).
CACHEABLE_ENDPOINTS = {"static", "surveys.public_form", "surveys.public_thanks"}


def _private(response) -> bool:
    """A response for a signed-in user or from the API (a bearer token is issued there too)."""
    endpoint = request.endpoint or ""
    if endpoint in CACHEABLE_ENDPOINTS or endpoint.endswith(".static"):
        return False
    return request.path.startswith("/api/") or current_user.is_authenticated


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if _private(response):
            # A shared or back-button cache must not hand one user's page to the next.
            response.headers["Cache-Control"] = "no-store"
        if app.testing and g.get("permission_denied"):
            # Tells the route × role matrix test that the permission layer refused; only in tests,
            # since in production it would tell a hidden object from a missing one.
            response.headers["X-Permission-Denied"] = str(g.permission_denied)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
