"""flask-login wiring: session users for pages, bearer tokens for /api/v1.

Figures every page shows about the person (the bell's unread count) come with the user row: a
domain registers a scalar subquery correlated to `User.id` with `register_user_figure`, the
session loader selects them alongside the user in one round trip, and `user_figure(name)` reads
them. They are as of the start of the request; actions that change them redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g, jsonify, redirect, request, url_for
from sqlalchemy import Select, bindparam, select

from workbench import db
from workbench.accounts import services
from workbench.accounts.models import User
from workbench.extensions import login_manager

_FIGURES: dict[str, Callable[[], Any]] = {}
_statement: dict[tuple[str, ...], Select] = {}


def register_user_figure(name: str, build: Callable[[], Any]) -> None:
    """`build()` returns a scalar subquery correlated to `User.id` (e.g. a count of their rows)."""
    _FIGURES[name] = build
    _statement.clear()


def user_figure(name: str) -> Any:
    """The figure loaded with this request's user, or None (API requests, no session user)."""
    return g.get("user_figures", {}).get(name)


def _user_statement() -> tuple[tuple[str, ...], Select]:
    """The user with every registered figure; built once (building costs more than running)."""
    names = tuple(_FIGURES)
    if names not in _statement:
        _statement[names] = select(User, *(_FIGURES[n]().label(n) for n in names)).where(
            User.id == bindparam("user_id")
        )
    return names, _statement[names]


def load_session_user(user_id: int) -> User | None:
    """The logged-in user and their figures in one query."""
    names, statement = _user_statement()
    row = db.session().execute(statement, {"user_id": user_id}).first()
    if row is None:
        return None
    g.user_figures = dict(zip(names, row[1:], strict=True))
    return row[0]


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if request.path.startswith("/api/"):
            return None  # the API authenticates by bearer token only
        return load_session_user(int(user_id))

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
