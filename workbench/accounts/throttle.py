"""Throttles on password guessing: per client, and per account for wrong passwords.

`/login` and `POST /api/v1/tokens` share both buckets, so neither doubles an attacker's tries; the
current-password check of `/profile` and the forced change draws on the same per-account bucket.
Every POST counts against the client; only a rejected password (`password_rejected()`) counts
against the account, so strangers cannot lock a person out by logging in as themselves. The
client is `request.remote_addr`: the real client once `WORKBENCH_TRUSTED_PROXIES` is set.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from workbench.extensions import limiter

LOGIN_MESSAGE = "登录尝试过于频繁，请稍后再试"
PASSWORD_MESSAGE = "密码验证失败次数过多，请稍后再试"


def _limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _client() -> str:
    return f"client:{request.remote_addr or '-'}"


def _account(name: object) -> str:
    return "account:" + (name.strip().lower()[:60] if isinstance(name, str) else "")


def _submitted_account() -> str:
    name = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return _account(name)


def _own_account() -> str:
    return _account(getattr(current_user, "username", None))


def password_rejected() -> None:
    """Count this request against the account's bucket (a wrong password was given)."""
    g.password_rejected = True


def _was_rejected(_response) -> bool:
    return bool(g.get("password_rejected"))


_per_client = limiter.shared_limit(
    _limit, "login", key_func=_client, methods=["POST"], error_message=LOGIN_MESSAGE
)
_per_account = limiter.shared_limit(
    _limit,
    "login-account",
    key_func=_submitted_account,
    methods=["POST"],
    deduct_when=_was_rejected,
    error_message=LOGIN_MESSAGE,
)
own_password_check = limiter.shared_limit(
    _limit,
    "login-account",
    key_func=_own_account,
    methods=["POST"],
    deduct_when=_was_rejected,
    error_message=PASSWORD_MESSAGE,
)


def login_throttle(view):
    """Both login buckets, for a view that checks a submitted username and password."""
    return _per_client(_per_account(view))
