"""Locale selection: the user's choice, else Simplified Chinese."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_translations
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


def _translations():
    """The request's catalogue, looked up once: flask-babel resolves the locale on every `_()`."""
    if not has_request_context():
        return get_translations()
    found = getattr(request, "_workbench_translations", None)
    if found is None:
        found = get_translations()
        request._workbench_translations = found
    return found


def install_template_gettext(app: Flask) -> None:
    """Replace flask-babel's template callables with ones that reuse the request's catalogue.

    A page with 80 indicator rows calls `_()` thousands of times; flask-babel's own callables walk
    the context, the locale selector and the catalogue cache each time (a fifth of the page's time).
    """
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
