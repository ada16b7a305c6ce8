"""A user's 职称 and 资格证书: edited by the user or the agency admin, audited."""

from __future__ import annotations

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed

FIELDS = ["title", "qualifications"]
_LIMITS = {"title": (60, "职称不能超过60个字"), "qualifications": (500, "资格证书不能超过500个字")}


def _clean(values: dict[str, str]) -> dict[str, str]:
    """Trimmed text; qualifications one per line without blank lines."""
    title = " ".join((values.get("title") or "").split())
    lines = (values.get("qualifications") or "").splitlines()
    return {"title": title, "qualifications": "\n".join(x.strip() for x in lines if x.strip())}


def save_qualifications(db: Session, *, actor: User, user: User, values: dict[str, str]) -> User:
    """Set the user's 职称 and 资格证书; an audit entry records the change."""
    cleaned = _clean(values)
    errors = [
        {"field": name, "message": message}
        for name, (limit, message) in _LIMITS.items()
        if len(cleaned[name]) > limit
    ]
    if errors:
        raise ValidationFailed("职称或资格证书有误", details=errors)
    before = audit.snapshot(user, FIELDS)
    if before == cleaned:
        return user
    user.title, user.qualifications = cleaned["title"], cleaned["qualifications"]
    db.add(user)
    audit.record(
        db,
        actor=actor,
        action="user.qualifications",
        obj=user,
        before=before,
        after=cleaned,
        summary=user.username,
    )
    return user
