"""flask-login wiring: session users for pages, bearer tokens for /api/v1."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for

from workbench import db
from workbench.accounts import services
from workbench.accounts.models import User
from workbench.extensions import login_manager


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if request.path.startswith("/api/"):
            return None  # the API authenticates by bearer token only
        return db.session().get(User, int(user_id))

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
