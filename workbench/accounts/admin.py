"""Administration of one agency: its admin sees and changes only the accounts it manages.

An agency admin makes accounts for its own staff, for the bureaus and units of its engagements
and for its experts; each such account is managed by the agency (`User.managed_by_id`), and a
bureau or unit account it made sees only that agency's engagements. Organisations: the admin sees
its own agency and the bureaus and units (public bodies), and registers bureaus and units; agencies
and everything that crosses agencies belong to the instance operator (`workbench user …`).
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from workbench.accounts import services
from workbench.accounts.models import Organisation, OrgKind, SystemRole, User
from workbench.core.errors import NotFound, ValidationFailed
from workbench.engagements import services as engagements


def users(db: Session, *, admin: User, q: str = "", org_kind: str = "") -> list[User]:
    return services.list_users(db, q=q, org_kind=org_kind, managed_by_id=admin.org_id)


def managed_user(db: Session, *, admin: User, user_id: int) -> User:
    """An account the admin's agency manages; any other answers as missing."""
    user = db.get(User, user_id)
    if user is None or not user.visible_to(admin):
        raise NotFound("用户不存在")
    return user


def visible_orgs(db: Session, *, admin: User) -> list[Organisation]:
    """The admin's own agency and every bureau and unit; never another agency."""
    stmt = select(Organisation).where(
        or_(col(Organisation.kind) != OrgKind.agency, col(Organisation.id) == admin.org_id)
    )
    return list(db.exec(stmt.order_by(Organisation.kind, Organisation.name)).all())


def account_orgs(db: Session, *, admin: User) -> list[Organisation]:
    """Where the admin may make accounts: its agency and the clients of its engagements."""
    ids = engagements.client_org_ids(db, admin.org_id) | {admin.org_id}
    stmt = select(Organisation).where(col(Organisation.id).in_(ids))
    return list(db.exec(stmt.order_by(Organisation.kind, Organisation.name)).all())


def create_user(
    db: Session,
    *,
    admin: User,
    org_id: int | None,
    system_role: SystemRole,
    username: str,
    display_name: str,
    password: str,
    email: str = "",
) -> User:
    """Make an account the admin's agency manages."""
    allowed = {o.id: o for o in account_orgs(db, admin=admin)}
    if org_id and org_id not in allowed:
        raise ValidationFailed(
            "所属单位无效",
            details=[
                {
                    "field": "org_id",
                    "message": "只能为本机构、本机构项目的委托方或被评价单位创建账号",
                }
            ],
        )
    own = org_id == admin.org_id
    if system_role != SystemRole.external and not own:
        raise ValidationFailed(
            "系统角色无效",
            details=[{"field": "system_role", "message": "机构人员和管理员须属于本机构"}],
        )
    return services.create_user(
        db,
        actor=admin,
        username=username,
        display_name=display_name,
        password=password,
        org_id=org_id,
        system_role=system_role,
        email=email,
        managed_by_id=admin.org_id,
    )


def create_org(db: Session, *, admin: User, name: str, kind: OrgKind, code: str = ""):
    """Register a bureau or an evaluated unit (agencies are the operator's)."""
    if OrgKind(kind) == OrgKind.agency:
        raise ValidationFailed(
            "类型无效",
            details=[{"field": "kind", "message": "评价机构由系统运维人员在命令行登记"}],
        )
    return services.create_org(db, actor=admin, name=name, kind=kind, code=code)


def set_active(db: Session, *, admin: User, user_id: int, active: bool) -> User:
    managed_user(db, admin=admin, user_id=user_id)
    return services.set_active(db, actor=admin, user_id=user_id, active=active)


def reset_password(db: Session, *, admin: User, user_id: int) -> str:
    managed_user(db, admin=admin, user_id=user_id)
    return services.reset_password(db, actor=admin, user_id=user_id)
