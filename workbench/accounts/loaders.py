"""Loaders for guarded views: the account an admin page acts on."""

from __future__ import annotations

from workbench import db
from workbench.accounts import services


def managed_user(user_id: int):
    """The account an admin route acts on; another agency's answers 404 like a missing one."""
    return services.get_user(db.session(), user_id)
