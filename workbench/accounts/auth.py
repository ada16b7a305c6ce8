"""flask-login wiring: session users for pages, bearer tokens for /api/v1.

A session cookie names the user and their session generation (`User.get_id`): a session of an
earlier generation, or of a disabled user, does not load. "Remember me" cookies hold a random token
(accounts.sessions), replaced on every use. A user whose password an admin reset can only change it
(or log out) until they have.

Figures every page shows about the person come with the user row (accounts.figures).
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_user

from workbench import db
from workbench.accounts import figures, services, sessions
from workbench.accounts.models import User
from workbench.extensions import login_manager

# What a user who must replace a temporary password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"accounts.change_password", "accounts.logout", "accounts.set_language", "static"}
)


def load_session_user(user_id: int, generation: int) -> User | None:
    """The logged-in user and their figures in one query; None once that session has ended."""
    names, statement = figures.user_statement()
    row = db.session().execute(statement, {"user_id": user_id, "generation": generation}).first()
    if row is None:
        return None
    g.user_figures = dict(zip(names, row[1:], strict=True))
    return row[0]


def _parse_session_id(value: str) -> tuple[int, int] | None:
    user_id, _, generation = str(value).partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None  # a cookie from before session generations, or forged
    return int(user_id), int(generation)


def _load_remembered(cookie: str) -> User | None:
    """The user behind a remember-me cookie, whose token is replaced by a new one."""
    remembered = sessions.use_remember_token(db.session(), cookie)
    if remembered is None:
        return None
    user = load_session_user(remembered.user_id, remembered.session_generation)
    if user is None:
        return None
    session["_user_id"] = user.get_id()
    session["_fresh"] = False
    session["_remember"] = "set"  # flask-login then writes the replacement (_set_cookie)
    g.remember_cookie = remembered.replacement
    return user


def start_session(user: User, *, remember: bool) -> None:
    """Log the user in on this browser; with `remember`, a remember-me token goes with it."""
    login_user(user, remember=remember)
    if remember:
        days = current_app.config["REMEMBER_DAYS"]
        g.remember_cookie = sessions.issue_remember_token(
            db.session(), user=user, expires_at=sessions.remember_expiry(days)
        )


def renew_session(user: User) -> None:
    """After a password change ended every session: this browser's continues, as remembered as before."""
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    start_session(user, remember=cookie_name in request.cookies)


def _require_password_change():
    """Keep a user with a temporary password on the change-password page."""
    if request.endpoint in PASSWORD_CHANGE_ENDPOINTS or request.endpoint is None:
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    message = "请先修改管理员重置的临时密码"
    if request.path.startswith("/api/") or request.method != "GET":
        return jsonify({"error": message}), 403
    flash(message, "warning")
    return redirect(url_for("accounts.change_password", next=request.full_path))


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    login_manager.remember_loader = _load_remembered
    services.dummy_hash()  # made now: the first unknown user's login takes no longer than any other

    @login_manager.user_loader
    def _load_user(session_id: str) -> User | None:
        if request.path.startswith("/api/"):
            return None  # the API authenticates by bearer token only
        parsed = _parse_session_id(session_id)
        return load_session_user(*parsed) if parsed else None

    @login_manager.request_loader
    def _load_from_token(req) -> User | None:
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.lower().startswith("bearer "):
            return None
        return services.user_for_token(db.session(), header[7:].strip())

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.path.startswith("/api/"):
            return jsonify({"error": "未认证：请提供有效的 Bearer 令牌"}), 401
        if request.method != "GET":
            return jsonify({"error": "请先登录"}), 401
        return redirect(url_for("accounts.login", next=request.full_path))

    app.before_request(_require_password_change)
