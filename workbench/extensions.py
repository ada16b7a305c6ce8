"""Flask extensions, created unbound; create_app binds them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect


class WorkbenchLoginManager(LoginManager):
    """flask-login with three changes.

    Session protection guards cookie sessions; /api/ requests authenticate by bearer token only,
    so a stray session or remember-me cookie in an API call neither vetoes nor replaces a token.
    A remember-me cookie holds a random token that `remember_loader` (accounts.auth) spends,
    instead of flask-login's signed user id. The session is bound to the client address as the
    application sees it (`request.remote_addr`, set by ProxyFix behind trusted proxies), never to
    an X-Forwarded-For header the client wrote.
    """

    remember_loader: Callable[[str], Any] | None = None

    def __init__(self) -> None:
        super().__init__()
        self._session_identifier_generator = _session_identifier

    def _session_protection_failed(self) -> bool:
        if request.path.startswith("/api/"):
            return False
        return super()._session_protection_failed()

    def _load_user_from_remember_cookie(self, cookie: str):
        if request.path.startswith("/api/"):
            return self._load_user_from_request(request)
        user = self.remember_loader(cookie) if self.remember_loader else None
        if user is None:
            session["_remember"] = "clear"  # a dead cookie is deleted with this response
        return user

    def _set_cookie(self, response) -> None:
        issued = g.pop("remember_cookie", None)
        if issued is None:
            return  # only a token issued in this request is ever written
        config = current_app.config
        response.set_cookie(
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
            value=issued.clear,
            expires=issued.expires_at,
            domain=config.get("REMEMBER_COOKIE_DOMAIN"),
            path=config.get("REMEMBER_COOKIE_PATH", "/"),
            secure=config.get("REMEMBER_COOKIE_SECURE", False),
            httponly=config.get("REMEMBER_COOKIE_HTTPONLY", True),
            samesite=config.get("REMEMBER_COOKIE_SAMESITE"),
        )


def _session_identifier() -> str:
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


login_manager = WorkbenchLoginManager()
csrf = CSRFProtect()
babel = Babel()
# A shared counter (Redis) that cannot be reached: count in memory meanwhile, with the same limits,
# rather than answer every login with an error page.
limiter = Limiter(key_func=get_remote_address, default_limits=[], in_memory_fallback_enabled=True)
