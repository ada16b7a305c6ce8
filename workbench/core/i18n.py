"""Locale selection: the user's choice, else Simplified Chinese."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

LOCALES = {"zh": "简体中文", "en": "English"}


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    if request and request.args.get("lang") in LOCALES:
        return request.args["lang"]
    return current_app.config.get("DEFAULT_LOCALE", "zh")
