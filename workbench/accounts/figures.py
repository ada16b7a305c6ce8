"""Figures every page shows about the person (the bell's unread count), loaded with the user row.

A domain registers a scalar subquery correlated to `User.id` with `register_user_figure`, the
session loader (accounts.auth) selects them alongside the user in one round trip, and
`user_figure(name)` reads them. They are as of the start of the request; actions that change them
redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g
from sqlalchemy import Select, bindparam, select

from workbench.accounts.models import User

_FIGURES: dict[str, Callable[[], Any]] = {}
_statement: dict[tuple[str, ...], Select] = {}


def register_user_figure(name: str, build: Callable[[], Any]) -> None:
    """`build()` returns a scalar subquery correlated to `User.id` (e.g. a count of their rows)."""
    _FIGURES[name] = build
    _statement.clear()


def user_figure(name: str) -> Any:
    """The figure loaded with this request's user, or None (API requests, no session user)."""
    return g.get("user_figures", {}).get(name)


def user_statement() -> tuple[tuple[str, ...], Select]:
    """The user with every registered figure; built once (building costs more than running)."""
    names = tuple(_FIGURES)
    if names not in _statement:
        _statement[names] = select(User, *(_FIGURES[n]().label(n) for n in names)).where(
            User.id == bindparam("user_id"),
            User.session_generation == bindparam("generation"),
            User.active.is_(True),
        )
    return names, _statement[names]
