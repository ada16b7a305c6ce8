"""Accounts: organisations, users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, func, or_, select

from workbench import db as database
from workbench.accounts import sessions

# The rest of the domain's public interface (other domains import only this module and models).
from workbench.accounts.figures import register_user_figure as register_user_figure
from workbench.accounts.figures import user_figure as user_figure
from workbench.accounts.models import ApiToken, Organisation, OrgKind, SystemRole, User
from workbench.accounts.profile import save_qualifications as save_qualifications
from workbench.accounts.throttle import login_throttle as login_throttle
from workbench.accounts.throttle import password_rejected as password_rejected
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow

# Tests set WORKBENCH_FAST_HASH=1: argon2 at its cheapest, so hundreds of logins stay quick.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("WORKBENCH_FAST_HASH") == "1"
    else PasswordHasher()
)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,60}$")


def password_problems(password: str, *, username: str = "") -> list[str]:
    """The password policy: 8+ characters with letters and digits, not the username."""
    problems = []
    if len(password) < 8:
        problems.append("密码至少 8 位")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append("密码须同时包含字母和数字")
    if username and password.lower() == username.lower():
        problems.append("密码不能与用户名相同")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """A hash of nothing anyone knows, made with the same parameters as every user's."""
    return _hasher.hash(secrets.token_urlsafe(16))


def create_org(
    db: Session, *, actor: User | None, name: str, kind: OrgKind, code: str = ""
) -> Organisation:
    """Create an organisation with a unique name."""
    name = name.strip()
    if not name:
        raise ValidationFailed.of_field("name", "单位名称不能为空")
    if db.exec(select(Organisation).where(Organisation.name == name)).first():
        raise Conflict(f"单位“{name}”已存在")
    org = Organisation(name=name, kind=OrgKind(kind), code=code.strip())
    db.add(org)
    db.flush()
    audit.record(
        db, actor=actor, action="org.create", obj=org, after=audit.snapshot(org), summary=name
    )
    return org


def get_or_create_org(db: Session, *, actor: User | None, name: str, kind: OrgKind) -> Organisation:
    """The organisation of that name and kind, created when missing."""
    org = db.exec(select(Organisation).where(Organisation.name == name.strip())).first()
    if org is None:
        return create_org(db, actor=actor, name=name, kind=kind)
    if org.kind != kind:
        raise Conflict(f"“{name}”已登记为{org.kind_name}")
    return org


def find_agency(db: Session, name: str) -> Organisation:
    """The agency registered under that name."""
    org = db.exec(select(Organisation).where(Organisation.name == name.strip())).first()
    if org is None or org.kind != OrgKind.agency:
        raise NotFound(f"没有名为“{name}”的评价机构")
    return org


def create_user(
    db: Session,
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    org_id: int | None,
    system_role: SystemRole = SystemRole.staff,
    email: str = "",
    check_policy: bool = True,
    managed_by_id: int | None = None,
) -> User:
    """Create a user; the organisation decides whether they are agency, bureau or unit users.

    Agency staff are managed by their agency; other accounts by `managed_by_id` (the agency whose
    admin made them), or by the instance operator when None.
    """
    errors = []
    if not USERNAME_RE.match(username or ""):
        errors.append(
            {"field": "username", "message": "用户名为 3–60 位字母、数字、下划线、点或连字符"}
        )
    if not display_name.strip():
        errors.append({"field": "display_name", "message": "姓名不能为空"})
    if check_policy:
        errors += [
            {"field": "password", "message": m}
            for m in password_problems(password, username=username)
        ]
    org = db.get(Organisation, org_id) if org_id else None
    if org_id and org is None:
        errors.append({"field": "org_id", "message": "所属单位不存在"})
    if org is not None and org.kind != OrgKind.agency and system_role != SystemRole.external:
        errors.append({"field": "system_role", "message": "委托方和被评价单位的用户只能是外部用户"})
    if errors:
        raise ValidationFailed("用户信息有误", details=errors)
    if db.exec(select(User).where(func.lower(User.username) == username.lower())).first():
        raise Conflict(f"用户名“{username}”已被使用")
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        password_hash=hash_password(password),
        org_id=org.id if org else None,
        org_kind=org.kind if org else "",
        system_role=SystemRole(system_role),
        password_changed_at=utcnow(),
        managed_by_id=org.id if org and org.kind == OrgKind.agency else managed_by_id,
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="user.create",
        obj=user,
        summary=username,
        after=audit.snapshot(
            user, ["username", "display_name", "org_id", "system_role", "managed_by_id"]
        ),
    )
    return user


def authenticate(db: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None; records the login.

    An unknown or disabled user costs one password check too (against a dummy hash), so the time
    taken does not tell whether the account exists.
    """
    user = db.exec(
        select(User).where(func.lower(User.username) == (username or "").strip().lower())
    ).first()
    if user is None or not user.active:
        _verify(dummy_hash(), password or "")
        _login_failed(username, user, "账号不存在" if user is None else "账号已停用")
        return None
    if not verify_password(user, password or ""):
        _login_failed(username, user, "密码错误")
        return None
    user.last_login_at = utcnow()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.add(user)
    audit.record(db, actor=user, action="user.login", obj=user, summary=user.username)
    return user


def _login_failed(username: str, user: User | None, reason: str) -> None:
    """A failed login stays in the audit log although the request changes nothing."""
    audit.record_after(
        actor=None,
        action="user.login_failed",
        object_type="user",
        object_id=user.id if user else None,
        summary=f"用户名：{(username or '').strip()[:60]}",
        after={"reason": reason},
    )


class WrongPassword(ValidationFailed):
    """The current password given to confirm a change is not the user's."""


def change_password(db: Session, *, user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one; ends every other session."""
    if not verify_password(user, current):
        raise WrongPassword(
            "当前密码不正确", details=[{"field": "current", "message": "当前密码不正确"}]
        )
    problems = password_problems(new, username=user.username)
    if verify_password(user, new):
        problems.append("新密码不能与当前密码相同")
    if problems:
        raise ValidationFailed(
            "新密码不符合要求", details=[{"field": "new", "message": m} for m in problems]
        )
    _replace_password(db, actor=user, user=user, password=new, temporary=False)


def reset_password(db: Session, *, actor: User, user_id: int) -> str:
    """An admin resets a password; returns the temporary password, to be changed at next login.

    Every session, remember-me login and API token of the user ends with the old password.
    """
    user = get_user(db, user_id)
    temporary = secrets.token_urlsafe(9) + "7a"
    _replace_password(db, actor=actor, user=user, password=temporary, temporary=True)
    return temporary


def _replace_password(
    db: Session, *, actor: User, user: User, password: str, temporary: bool
) -> None:
    """Set the password; every session, remember-me login and API token of the user ends."""
    watched = ["must_change_password", "session_generation"]
    before = audit.snapshot(user, watched)
    user.password_hash = hash_password(password)
    user.password_changed_at = None if temporary else utcnow()
    user.must_change_password = temporary
    sessions.end_sessions(db, user=user)
    audit.record(
        db,
        actor=actor,
        action="user.password_reset" if temporary else "user.password_change",
        obj=user,
        summary=user.username,
        before=before,
        after=audit.snapshot(user, watched),
    )
    reason = "管理员重置密码" if temporary else "修改密码"
    sessions.revoke_api_tokens(db, user=user, actor=actor, reason=reason)


def log_out(db: Session, *, user: User) -> None:
    """Log the user out everywhere: every session and remember-me login of theirs ends."""
    sessions.end_sessions(db, user=user)
    audit.record(
        db,
        actor=user,
        action="user.logout",
        obj=user,
        summary=user.username,
        after={"session_generation": user.session_generation},
    )


def set_active(db: Session, *, actor: User, user_id: int, active: bool) -> User:
    """Enable or disable a user (never delete: the audit log names them)."""
    user = get_user(db, user_id)
    if user.id == actor.id and not active:
        raise Conflict("不能停用自己的账号")
    before = audit.snapshot(user, ["active"])
    user.active = active
    if not active:
        sessions.end_sessions(db, user=user)
    db.add(user)
    audit.record(
        db,
        actor=actor,
        action="user.enable" if active else "user.disable",
        obj=user,
        before=before,
        after={"active": active},
        summary=user.username,
    )
    return user


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def list_users(
    db: Session, *, q: str = "", org_kind: str = "", managed_by_id: int | None = None
) -> list[User]:
    """Users by username; `managed_by_id` keeps those one agency administers."""
    stmt = select(User)
    if managed_by_id is not None:
        stmt = stmt.where(User.managed_by_id == managed_by_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(col(User.username).ilike(like), col(User.display_name).ilike(like)))
    if org_kind:
        stmt = stmt.where(User.org_kind == org_kind)
    return list(db.exec(stmt.order_by(User.org_kind, User.username)).all())


def list_orgs(db: Session, *, kind: OrgKind | None = None) -> list[Organisation]:
    stmt = select(Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return list(db.exec(stmt.order_by(Organisation.kind, Organisation.name)).all())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    db: Session, *, user: User, label: str = "", days: int = 90
) -> tuple[ApiToken, str]:
    """Issue a bearer token; the clear text is returned once and never stored."""
    clear = "wb_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        label=label.strip()[:100] or "API",
        token_hash=_digest(clear),
        prefix=clear[:10],
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(token)
    db.flush()
    audit.record(db, actor=user, action="token.create", obj=token, summary=token.label)
    return token, clear


def user_for_token(db: Session, clear: str) -> User | None:
    """The active user behind a valid bearer token."""
    token = db.exec(select(ApiToken).where(ApiToken.token_hash == _digest(clear))).first()
    now = utcnow()
    if token is None or not token.is_valid(now):
        return None
    user = db.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        with database.small_write(db) as writer:
            writer.exec(
                update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now)
            )
        set_committed_value(token, "last_used_at", now)
    return user


def list_tokens(db: Session, *, user: User) -> list[ApiToken]:
    return list(
        db.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id).desc())
        ).all()
    )


def revoke_token(db: Session, *, user: User, token_id: int) -> None:
    """Revoke one of one's own tokens."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.add(token)
        audit.record(db, actor=user, action="token.revoke", obj=token, summary=token.label)
