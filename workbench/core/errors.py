"""Domain errors and the handlers that turn them into pages and JSON.

Every 404 is the same page (or the same JSON body), whether the route is unknown, the object is
missing or the caller may not know it exists: the answer tells nothing about which. Every 429
says when to come back (`Retry-After`).
"""

from __future__ import annotations

import math
import secrets
import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests

from workbench import db
from workbench.core.problems import FieldError, Invalid, as_field_errors
from workbench.extensions import limiter

NOT_FOUND_MESSAGE = "未找到：该页面或对象不存在，或您无权查看"
TOO_MANY_MESSAGE = "操作过于频繁，请稍后再试"
CSRF_MESSAGE = "页面已过期或表单安全校验未通过，没有保存任何内容。请刷新页面后重新提交"
PAGE_MESSAGES = {
    400: "请求内容有误，没有保存任何内容。请返回上一页检查后重试",
    401: "请先登录",
    403: "您没有执行此操作的权限。如需办理，请联系项目负责人或机构管理员",
    405: "该地址不接受这种请求方式，请从页面上的按钮或链接操作",
    409: "该对象已被他人修改或状态已变化，请刷新页面后重试",
    410: "该链接已失效",
    415: "不支持所提交内容的格式",
    422: "提交的内容无法处理，请检查后重试",
    503: "服务暂时不可用，请稍后再试",
}


class DomainError(Exception):
    """A refused operation, with a message for the user."""

    status = 400

    def __init__(self, message: str, *, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Illegal state transition or a stale edit."""

    status = 409


class ValidationFailed(DomainError):
    """Input that cannot be accepted; `details` are FieldErrors (core/problems.py).

    Callers not yet moved to FieldError may still pass `{field|row, column, message}` dicts or
    sentences; they are read into FieldErrors here, so every reader sees one shape.
    """

    status = 422

    def __init__(
        self, message: str, *, details: Iterable[FieldError | Mapping[str, Any] | str] = ()
    ):
        super().__init__(message)
        self.details: list[FieldError] = as_field_errors(details or ())

    @classmethod
    def of_field(cls, field: str, message: str) -> ValidationFailed:
        """One field's error: the message at the top of the form and beside the field."""
        return cls(message, details=[FieldError(message, field=field)])

    @classmethod
    def from_invalid(cls, error: Invalid, message: str | None = None) -> ValidationFailed:
        """A pure module's refusal as the request's 422, under its headline or `message`."""
        return cls(message or error.message, details=error.errors)


class Locked(Conflict):
    """The object is under review or archived."""


# Paths answered in JSON whatever the client accepts: the API, and the hub protocol members call.
JSON_PATHS = ("/api/", "/hub/v1/")


def wants_json() -> bool:
    return (
        request.path.startswith(JSON_PATHS) or request.accept_mimetypes.best == "application/json"
    )


def _domain_error(error: DomainError):
    response = current_app.make_response(_domain_answer(error))
    if current_app.testing:
        # Lets the route × role matrix see what a flash-and-redirect hides: a service's refusal
        # counts as a permission refusal, any other domain error by its status.
        response.headers["X-Domain-Error"] = f"{error.status} {quote(error.message[:200])}"
        if isinstance(error, NotAllowed):
            response.headers["X-Permission-Denied"] = str(error.status)
    return response


def _domain_answer(error: DomainError):
    db.mark_rollback()
    if isinstance(error, NotFound):
        return _not_found()
    if wants_json():
        body: dict = {"error": error.message}
        if isinstance(error, ValidationFailed):
            body["errors"] = [item.as_dict() for item in error.details]
        elif error.details:
            body["blockers" if isinstance(error, Conflict) else "details"] = error.details
        return jsonify(body), error.status
    if request.method == "GET" and error.status in (403, 404):
        return render_template(
            "errors/error.html", code=error.status, message=error.message
        ), error.status
    flash(error.message, "danger")
    shown: set[str] = set()
    for item in error.details[:20]:
        text = detail_text(item)
        # A detail the headline already quotes (or an earlier detail) is said once.
        if text not in shown and text not in error.message:
            shown.add(text)
            flash(text, "warning")
    return redirect(request.referrer or "/")


def detail_text(item: FieldError | Mapping[str, Any] | str) -> str:
    """What one detail of a domain error says: a FieldError's message, a blocker's sentence."""
    if isinstance(item, FieldError):
        return item.message
    if isinstance(item, str):
        return item
    return str(item.get("message", item))


def _not_found():
    """The one 404: missing route, missing object and hidden object look alike."""
    db.mark_rollback()
    if wants_json():
        return jsonify({"error": NOT_FOUND_MESSAGE}), 404
    return render_template("errors/error.html", code=404, message=NOT_FOUND_MESSAGE), 404


def retry_after_seconds() -> int:
    """Seconds until the rate limit this request broke lets the client in again."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.window[0] - time.time()))


def _too_many_requests(error: TooManyRequests):
    seconds = retry_after_seconds()
    message = error.description if error.description != TooManyRequests.description else ""
    message = message or TOO_MANY_MESSAGE
    if wants_json():
        response = jsonify({"error": message, "retry_after": seconds})
    else:
        text = f"{message}（请 {seconds} 秒后再试）"
        response = current_app.make_response(
            render_template("errors/error.html", code=429, message=text)
        )
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def page_message(error: HTTPException) -> str:
    """The sentence an error page shows: ours when the error carries one, else a Chinese one.

    Werkzeug's own descriptions ("The method is not allowed for the requested URL.") are English
    and written for developers; a page never shows them.
    """
    description = error.description or ""
    if isinstance(error, CSRFError):
        return CSRF_MESSAGE
    if description and description != type(error).description:
        return description
    if error.code == 413:
        limit = current_app.config.get("MAX_UPLOAD_MB")
        return f"上传的文件或提交的内容超过了大小限制（{limit} MB），请压缩或拆分后重试"
    return PAGE_MESSAGES.get(error.code or 0, "请求未能完成，请返回上一页后重试")


def _http_error(error: HTTPException):
    if error.code == 404:
        return _not_found()
    if wants_json():
        return jsonify({"error": error.description or error.name}), error.code
    return render_template(
        "errors/error.html", code=error.code, message=page_message(error)
    ), error.code


def _server_error(error: Exception):
    """Roll back, log the traceback under a short reference the user can quote, answer 500."""
    db.mark_rollback()
    reference = secrets.token_hex(4)
    current_app.logger.error(
        "unhandled error %s on %s %s",
        reference,
        request.method,
        request.path,
        exc_info=sys.exc_info(),
    )
    if wants_json():
        return jsonify({"error": "服务器内部错误", "reference": reference}), 500
    return render_template("errors/error.html", code=500, message=None, reference=reference), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(TooManyRequests, _too_many_requests)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing and not app.debug:
        app.register_error_handler(Exception, _server_error)
