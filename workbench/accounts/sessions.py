"""Sessions that end: the session generation, remember-me tokens and revoking API tokens.

Every session cookie holds `"<user id>:<session generation>"` (`User.get_id`); `end_sessions` raises
the generation, so every cookie signed before no longer loads, and deletes the user's remember-me
tokens. Logging out, changing or resetting a password and disabling the user call it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from workbench import db as database
from workbench.accounts.models import ApiToken, RememberToken, User
from workbench.core import audit
from workbench.core.timeutil import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A remember-me token for the cookie: the clear text exists only here."""

    clear: str
    expires_at: datetime


@dataclass(frozen=True)
class RememberedLogin:
    """Whose remember-me token was used, and the token that replaces it."""

    user_id: int
    session_generation: int
    replacement: IssuedToken


def end_sessions(db: Session, *, user: User) -> int:
    """End every session and remember-me login of the user; returns the new generation."""
    user.session_generation = (user.session_generation or 0) + 1
    db.add(user)
    db.exec(delete(RememberToken).where(col(RememberToken.user_id) == user.id))
    return user.session_generation


def revoke_api_tokens(db: Session, *, user: User, actor: User | None, reason: str) -> int:
    """Revoke every live API token of the user (one audit entry each); returns how many."""
    now = utcnow()
    tokens = db.exec(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            col(ApiToken.revoked_at).is_(None),
            ApiToken.expires_at > now,
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
        db.add(token)
        audit.record(
            db,
            actor=actor,
            action="token.revoke",
            obj=token,
            summary=f"{token.label}（{reason}）",
            after={"revoked_at": now, "reason": reason},
        )
    return len(tokens)


def issue_remember_token(db: Session, *, user: User, expires_at: datetime) -> IssuedToken:
    """A new remember-me token for the user, valid until `expires_at`."""
    db.exec(
        delete(RememberToken).where(
            col(RememberToken.user_id) == user.id, col(RememberToken.expires_at) <= utcnow()
        )
    )
    clear = secrets.token_urlsafe(32)
    db.add(
        RememberToken(
            user_id=user.id,
            token_hash=_digest(clear),
            session_generation=user.session_generation,
            expires_at=expires_at,
        )
    )
    db.flush()
    return IssuedToken(clear, expires_at)


def remember_expiry(days: int) -> datetime:
    return utcnow() + timedelta(days=days)


def use_remember_token(db: Session, clear: str) -> RememberedLogin | None:
    """Spend a remember-me token: replaced by a new one with the same expiry, or None if dead."""
    if not clear or len(clear) > 100:
        return None
    token = db.exec(select(RememberToken).where(RememberToken.token_hash == _digest(clear))).first()
    if token is None:
        return None
    user = db.get(User, token.user_id)
    alive = user is not None and token.is_valid(user, utcnow())
    # A reading request writes apart (workbench.db.small_write); the delete is the claim on the
    # token, so two requests racing with one cookie cannot both turn it into a login.
    with database.small_write(db) as writer:
        claimed = writer.exec(delete(RememberToken).where(col(RememberToken.id) == token.id))
        if not alive or claimed.rowcount != 1:
            return None
        clear_next = secrets.token_urlsafe(32)
        writer.add(
            RememberToken(
                user_id=token.user_id,
                token_hash=_digest(clear_next),
                session_generation=token.session_generation,
                created_at=utcnow(),
                expires_at=token.expires_at,
            )
        )
        writer.flush()
    return RememberedLogin(
        token.user_id, token.session_generation, IssuedToken(clear_next, token.expires_at)
    )
