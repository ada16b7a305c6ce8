"""The expert pool: profiles, search and declared conflicts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal
from sqlmodel import Session, col, func, or_, select

from workbench.accounts.models import Organisation, User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.experts.matching import normalise, split_tags
from workbench.experts.models import TAG_SEPARATOR, Expert, ExpertConflict

PROFILE_FIELDS = [
    "name",
    "title",
    "field_tags",
    "organisation",
    "phone",
    "email",
    "user_id",
    "note",
    "active",
]
MAX_QUERY = 200  # characters of a search (words or a tag) that are matched
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ExpertInput:
    name: str
    title: str = ""
    field_tags: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    user_id: int | None = None
    note: str = ""
    active: bool = True


def get_expert(db: Session, expert_id: int) -> Expert:
    expert = db.get(Expert, expert_id)
    if expert is None:
        raise NotFound("专家不存在")
    return expert


def expert_for_user(db: Session, user: User) -> Expert | None:
    """The profile linked to this user account, if any."""
    return db.exec(select(Expert).where(Expert.user_id == user.id)).first()


def _problems(
    db: Session, data: ExpertInput, *, expert: Expert | None, agency_id: int | None
) -> list[dict]:
    errors = []
    if not data.name or not data.name.strip():
        errors.append({"field": "name", "message": "请填写专家姓名"})
    elif len(data.name.strip()) > 60:
        errors.append({"field": "name", "message": "姓名不能超过 60 个字符"})
    tags = TAG_SEPARATOR.join(split_tags(data.field_tags))
    if len(tags) > 500:
        errors.append({"field": "field_tags", "message": "专业领域过长（不超过 500 个字符）"})
    if data.email and not EMAIL_RE.match(data.email.strip()):
        errors.append({"field": "email", "message": "邮箱格式不正确"})
    for name, limit in (("title", 60), ("organisation", 200), ("phone", 40), ("note", 2000)):
        if len((getattr(data, name) or "").strip()) > limit:
            errors.append({"field": name, "message": f"内容过长（不超过 {limit} 个字符）"})
    if data.user_id:
        user = db.get(User, data.user_id)
        if (
            user is None
            or not user.active
            or not (user.is_expert or user.is_agency)
            or user.managed_by_id != agency_id  # the agency's own staff and expert accounts
        ):
            errors.append(
                {"field": "user_id", "message": "关联账号须为有效的专家账号或本机构人员账号"}
            )
        else:
            taken = expert_for_user(db, user)
            if taken is not None and (expert is None or taken.id != expert.id):
                errors.append(
                    {"field": "user_id", "message": f"该账号已关联专家“{taken.name}”的档案"}
                )
    return errors


def profile_values(data: ExpertInput) -> dict[str, Any]:
    """What saving `data` stores on a profile (keys of PROFILE_FIELDS): text trimmed, tags joined."""
    return {
        "name": data.name.strip(),
        "title": (data.title or "").strip(),
        "field_tags": TAG_SEPARATOR.join(split_tags(data.field_tags)),
        "organisation": (data.organisation or "").strip(),
        "phone": (data.phone or "").strip(),
        "email": (data.email or "").strip(),
        "user_id": data.user_id or None,
        "note": (data.note or "").strip(),
        "active": bool(data.active),
    }


def profile_input(expert: Expert) -> ExpertInput:
    """The profile as it stands, as the edit form would submit it unchanged."""
    return ExpertInput(**{name: getattr(expert, name) for name in PROFILE_FIELDS})


def changes(expert: Expert, data: ExpertInput) -> list[str]:
    """The profile fields saving `data` would change (none: saving it changes nothing)."""
    return [name for name, value in profile_values(data).items() if getattr(expert, name) != value]


def _apply(expert: Expert, data: ExpertInput) -> None:
    for name, value in profile_values(data).items():
        setattr(expert, name, value)


def create_expert(db: Session, *, actor: User, data: ExpertInput) -> Expert:
    """An admin adds an expert to the agency's pool."""
    authorize(actor, "admin", message="只有机构管理员可以维护专家库")
    errors = _problems(db, data, expert=None, agency_id=actor.org_id)
    if errors:
        raise ValidationFailed("专家信息有误", details=errors)
    expert = Expert(agency_id=actor.org_id, created_by_id=actor.id)
    _apply(expert, data)
    db.add(expert)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.create",
        obj=expert,
        after=audit.snapshot(expert, PROFILE_FIELDS),
        summary=expert.name,
    )
    return expert


def update_expert(
    db: Session, *, actor: User, expert: Expert, data: ExpertInput, version: int
) -> Expert:
    """An admin edits a profile; a stale version is refused."""
    authorize(actor, "expert.manage", expert, message="只有机构管理员可以维护专家库")
    require_version(version, expert.version, stale="专家档案已被他人修改，请刷新后重试")
    errors = _problems(db, data, expert=expert, agency_id=expert.agency_id)
    if errors:
        raise ValidationFailed("专家信息有误", details=errors)
    before = audit.snapshot(expert, PROFILE_FIELDS)
    _apply(expert, data)
    expert.updated_at = utcnow()
    db.add(expert)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.update",
        obj=expert,
        before=before,
        after=audit.snapshot(expert, PROFILE_FIELDS),
        summary=expert.name,
    )
    return expert


def search_query(*, agency_id: int, q: str = "", tag: str = ""):
    """A select of the agency's experts matching the words (name, title, field, organisation)
    and the exact field tag, unordered (the list page and the API order it their own way)."""
    # No name or tag is longer; a longer pattern is one the database refuses to match.
    q, tag = q[:MAX_QUERY], tag[:MAX_QUERY]
    stmt = select(Expert).where(Expert.agency_id == agency_id)
    for word in split_tags(q):
        like = f"%{word}%"
        stmt = stmt.where(
            or_(
                col(Expert.name).ilike(like),
                col(Expert.title).ilike(like),
                col(Expert.field_tags).ilike(like),
                col(Expert.organisation).ilike(like),
            )
        )
    if tag.strip():
        # Tags are stored between commas, so the exact tag matches whole items only.
        padded = literal(TAG_SEPARATOR) + col(Expert.field_tags) + literal(TAG_SEPARATOR)
        wanted = f"{TAG_SEPARATOR}{tag.strip()}{TAG_SEPARATOR}"
        stmt = stmt.where(padded.contains(wanted, autoescape=True))
    return stmt


def search(
    db: Session,
    *,
    user: User,
    q: str = "",
    tag: str = "",
    page: int = 1,
    per_page: int | None = 20,
) -> tuple[list[Expert], int]:
    """A page of the agency's experts matching the words (name, title, field, organisation);
    every match at once when `per_page` is None (the Excel list)."""
    stmt = search_query(agency_id=user.org_id, q=q, tag=tag)
    ordered = stmt.order_by(col(Expert.active).desc(), Expert.name, Expert.id)
    if per_page is None:  # every match is read, so no count is needed
        rows = db.exec(ordered).all()
        return list(rows), len(rows)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(ordered.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def all_tags(db: Session, *, agency_id: int) -> list[str]:
    """Every field tag used in the agency's pool, for the filter."""
    rows = db.exec(select(Expert.field_tags).where(Expert.agency_id == agency_id)).all()
    return sorted({tag for text in rows for tag in text.split(TAG_SEPARATOR) if tag})


# --- conflicts --------------------------------------------------------------------------------


def conflicts_of(db: Session, expert: Expert) -> list[ExpertConflict]:
    return list(
        db.exec(
            select(ExpertConflict)
            .where(ExpertConflict.expert_id == expert.id)
            .order_by(ExpertConflict.id)
        ).all()
    )


def declare_conflict(
    db: Session, *, actor: User, expert: Expert, org_name: str, relation: str
) -> ExpertConflict:
    """The expert (or an admin) declares an organisation the expert is tied to."""
    authorize(actor, "expert.declare", expert, message="只有专家本人或机构管理员可以申报关联单位")
    name = (org_name or "").strip()
    errors = []
    if not name:
        errors.append({"field": "org_name", "message": "请填写关联单位名称"})
    elif len(name) > 200:
        errors.append({"field": "org_name", "message": "单位名称不能超过 200 个字符"})
    if len((relation or "").strip()) > 200:
        errors.append({"field": "relation", "message": "关联关系不能超过 200 个字符"})
    if errors:
        raise ValidationFailed("关联单位信息有误", details=errors)
    if any(normalise(c.org_name) == normalise(name) for c in conflicts_of(db, expert)):
        raise Conflict(f"已申报过与“{name}”的关联")
    # Link the tie to a registered organisation when the names match (loosely), so renaming
    # the organisation later does not hide the conflict.
    known = {normalise(o.name): o.id for o in db.exec(select(Organisation)).all()}
    conflict = ExpertConflict(
        expert_id=expert.id,
        org_name=name,
        org_id=known.get(normalise(name)),
        relation=(relation or "").strip(),
        declared_by_id=actor.id,
    )
    db.add(conflict)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.conflict.declare",
        obj=conflict,
        after=audit.snapshot(conflict, ["expert_id", "org_name", "org_id", "relation"]),
        summary=f"{expert.name}：{name}",
    )
    return conflict


CONFLICT_FIELDS = [
    "expert_id", "org_name", "org_id", "relation", "withdrawal_requested_at",
    "withdrawal_requested_by_id",
]  # fmt: skip


def _own_conflict(db: Session, expert: Expert, conflict_id: int) -> ExpertConflict:
    conflict = db.get(ExpertConflict, conflict_id)
    if conflict is None or conflict.expert_id != expert.id:
        raise NotFound("关联单位记录不存在")
    return conflict


def _delete_conflict(db: Session, *, actor: User, expert: Expert, conflict, action: str) -> None:
    audit.record(
        db,
        actor=actor,
        action=action,
        obj=conflict,
        before=audit.snapshot(conflict, CONFLICT_FIELDS),
        summary=f"{expert.name}：{conflict.org_name}",
    )
    db.delete(conflict)
    db.flush()


def remove_conflict(db: Session, *, actor: User, expert: Expert, conflict_id: int) -> bool:
    """The admin withdraws a tie at once; the expert only asks, and the tie holds until approved.

    True when the tie is gone, False when the request awaits the agency admin.
    """
    authorize(actor, "expert.declare", expert, message="只有专家本人或机构管理员可以撤回关联单位")
    conflict = _own_conflict(db, expert, conflict_id)
    if expert.is_agency_admin(actor):
        _delete_conflict(
            db, actor=actor, expert=expert, conflict=conflict, action="expert.conflict.remove"
        )
        return True
    if conflict.withdrawal_pending:
        raise Conflict("已申请撤回该关联单位，正在等待机构管理员审批")
    before = audit.snapshot(conflict, CONFLICT_FIELDS)
    conflict.withdrawal_requested_at = utcnow()
    conflict.withdrawal_requested_by_id = actor.id
    db.add(conflict)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.conflict.withdrawal_request",
        obj=conflict,
        before=before,
        after=audit.snapshot(conflict, CONFLICT_FIELDS),
        summary=f"{expert.name}：申请撤回与“{conflict.org_name}”的关联",
    )
    return False


def decide_withdrawal(
    db: Session, *, actor: User, expert: Expert, conflict_id: int, approve: bool
) -> None:
    """The agency admin approves (the tie is withdrawn) or refuses an expert's withdrawal request."""
    authorize(actor, "expert.manage", expert, message="只有机构管理员可以审批撤回关联单位的申请")
    conflict = _own_conflict(db, expert, conflict_id)
    if not conflict.withdrawal_pending:
        raise Conflict("该关联单位没有待审批的撤回申请")
    if approve:
        _delete_conflict(
            db,
            actor=actor,
            expert=expert,
            conflict=conflict,
            action="expert.conflict.withdrawal_approve",
        )
        return
    before = audit.snapshot(conflict, CONFLICT_FIELDS)
    conflict.withdrawal_requested_at = None
    conflict.withdrawal_requested_by_id = None
    db.add(conflict)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.conflict.withdrawal_refuse",
        obj=conflict,
        before=before,
        after=audit.snapshot(conflict, CONFLICT_FIELDS),
        summary=f"{expert.name}：不同意撤回与“{conflict.org_name}”的关联",
    )
