"""Signed values the public form hands to the respondent's browser: when the form was opened (for
the answer time) and, when the survey allows one answer per device, that this device answered."""

from __future__ import annotations

from datetime import datetime

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from workbench.surveys.models import Survey

STARTED_MAX_AGE = 7 * 24 * 3600
DEVICE_MAX_AGE = 365 * 24 * 3600


def _timed() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="survey-started")


def _device() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="survey-device")


def started_token(survey: Survey) -> str:
    """A signed stamp of the moment the form was served."""
    return _timed().dumps(survey.id)


def started_at(survey: Survey, token: str | None) -> datetime | None:
    """When the respondent opened the form, if the stamp is genuine and for this survey."""
    if not token:
        return None
    try:
        value, stamp = _timed().loads(token, max_age=STARTED_MAX_AGE, return_timestamp=True)
    except BadSignature:
        return None
    return stamp if value == survey.id else None


def cookie_name(survey: Survey) -> str:
    return f"wb_survey_{survey.id}"


def answered_here(survey: Survey, request: Request) -> bool:
    """Whether this browser carries the signed mark of an earlier answer to the survey."""
    raw = request.cookies.get(cookie_name(survey))
    if not raw:
        return False
    try:
        return _device().loads(raw) == {"s": survey.id}
    except BadSignature:
        return False


def mark_answered(survey: Survey, response: Response) -> None:
    """Remember on this device that the survey was answered (signed; path-limited to the form)."""
    response.set_cookie(
        cookie_name(survey),
        _device().dumps({"s": survey.id}),
        max_age=DEVICE_MAX_AGE,
        path=f"/s/{survey.token}",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
