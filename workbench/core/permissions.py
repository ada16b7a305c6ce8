"""Named permission predicates and the decorator that applies them to every route.

Scope is always the engagement: a view declares which predicate guards it and how to load the
object; the decorator answers 401 (anonymous), 404 (the object is not visible to the user) or
403 (visible but not allowed). The route × role matrix test reads `view.permission` from every
endpoint, so a route without a rule fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask_login import current_user

from workbench.core import audit
from workbench.core.errors import NotAllowed
from workbench.domains import modules

Predicate = Callable[[Any, Any], bool]

PREDICATES: dict[str, Predicate] = {
    # Anyone, logged in or not (login page, public survey form, static files).
    "public": lambda user, obj: True,
    "authenticated": lambda user, obj: user.is_authenticated,
    "admin": lambda user, obj: user.is_admin,
    "agency": lambda user, obj: user.is_agency,
    # Engagement scope; model methods hold the rules about one engagement.
    "engagement.view": lambda user, obj: obj.visible_to(user),
    "engagement.internal": lambda user, obj: (
        obj.visible_to(user) and (user.is_admin or obj.is_team(user) or user.is_expert)
    ),
    "engagement.team": lambda user, obj: obj.works_on(user),
    "engagement.manage": lambda user, obj: obj.can_manage(user),
    # Second-level review (working papers, the report's 复核 sign-off).
    "engagement.review": lambda user, obj: obj.reviews(user),
    "engagement.declare": lambda user, obj: bool(obj.roles_of(user) - {"bureau", "unit"}),
}


def predicate(name: str) -> Callable[[Predicate], Predicate]:
    """Register a named predicate (domains add theirs next to their models)."""

    def decorate(fn: Predicate) -> Predicate:
        PREDICATES[name] = fn
        return fn

    return decorate


def allowed(name: str, obj: Any = None, user: Any = None) -> bool:
    """Whether the user passes the named predicate (templates use this to show links)."""
    # The real user object, not the proxy: predicates read several attributes of it per member.
    user = user if user is not None else current_user._get_current_object()
    if name != "public" and not user.is_authenticated:
        return False
    return bool(rule(name)(user, obj))


def authorize(actor: Any, name: str, obj: Any = None, *, message: str = "") -> None:
    """The services' check, reading the same predicate table as the pages and the API.

    Raises NotAllowed (403) with `message` when the actor fails the named predicate.
    """
    if not rule(name)(actor, obj):
        raise NotAllowed(message or "您没有执行此操作的权限")


def rule(name: str) -> Predicate:
    """The named predicate; a service run outside the app (CLI, demo, jobs) loads the table first."""
    if name not in PREDICATES:
        modules("permissions")  # each domain registers its predicates when imported
    return PREDICATES[name]


def requires(name: str, *, load: Callable[..., Any] | None = None) -> Callable:
    """Guard a view: load its object from the URL, hide it (404) or refuse the action (403)."""
    if name not in PREDICATES:
        raise KeyError(f"unknown permission predicate {name!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if name != "public" and not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # login page, or 401 for the API
            obj = None
            if load is not None:
                obj = load(**kwargs)
                visible = getattr(obj, "visible_to", None)
                if visible is not None and not visible(current_user):
                    _refuse(404, obj)
                g.permission_object = obj
            if not PREDICATES[name](current_user._get_current_object(), obj):
                _refuse(403, obj)
            return view(*args, **kwargs)

        guarded.permission = name  # read by the route × role matrix test
        return guarded

    return decorate


def _refuse(code: int, obj: Any) -> None:
    """Answer 404 (hidden) or 403 (refused), and keep the refusal in the audit log."""
    g.permission_denied = code
    engagement_id = getattr(obj, "engagement_id", None)
    if engagement_id is None and getattr(obj, "__tablename__", "") == "engagement":
        engagement_id = obj.id
    audit.record_after(
        actor=current_user,
        action="access.denied",
        object_type="page",
        engagement_id=engagement_id,
        summary=f"{request.method} {request.path}"[:500],
        after={"code": code, "endpoint": request.endpoint or ""},
    )
    abort(code)


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone (still CSRF-protected when it accepts forms)."""
    view.permission = "public"
    return view


def guarded_object() -> Any:
    """The object the permission decorator loaded for this request."""
    return g.get("permission_object")


def is_api_request() -> bool:
    return request.path.startswith("/api/")
