"""Organisations, users, API tokens and remember-me tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class OrgKind(StrEnum):
    agency = "agency"
    bureau = "bureau"
    unit = "unit"


ORG_KIND_NAMES = {
    OrgKind.agency: "评价机构",
    OrgKind.bureau: "委托方（财政部门）",
    OrgKind.unit: "被评价单位",
}


class SystemRole(StrEnum):
    admin = "admin"
    staff = "staff"
    external = "external"


SYSTEM_ROLE_NAMES = {
    SystemRole.admin: "机构管理员",
    SystemRole.staff: "机构人员",
    SystemRole.external: "外部用户",
}


class Organisation(SQLModel, table=True):
    """An agency, a commissioning bureau or an evaluated unit."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20, index=True)
    code: str = Field(default="", max_length=40)  # 统一社会信用代码
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def kind_name(self) -> str:
        return ORG_KIND_NAMES[OrgKind(self.kind)]


class User(UserMixin, SQLModel, table=True):
    """A person who logs in. Bureau and unit users are external users of those organisations."""

    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    display_name: str = Field(max_length=60)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    # Printed in the plan's team table: 职称 and 资格证书 (one per line).
    title: str = Field(default="", max_length=60)
    qualifications: str = Field(default="", max_length=500)
    password_hash: str = Field(max_length=255)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    org_kind: str = Field(default="", max_length=20)  # copied from the organisation for scoping
    # The agency whose admin administers this account (its own staff, and the bureau, unit and
    # expert accounts it created); None: only the instance operator (the CLI) does.
    managed_by_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    system_role: str = Field(default=SystemRole.staff, max_length=20)
    active: bool = True
    locale: str = Field(default="zh", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = None
    # Part of the id every session cookie holds: raising it ends all of the user's sessions.
    session_generation: int = 0
    # Set by an admin's reset: the temporary password must be replaced before anything else.
    must_change_password: bool = False

    # flask-login: a disabled user is logged out on the next request.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """flask-login's session id: a session of an earlier generation no longer loads."""
        return f"{self.id}:{self.session_generation}"

    def serves(self, agency_id: int | None) -> bool:
        """Whether this bureau or unit account works with that agency's engagements.

        An account an agency created sees only that agency's engagements of its bureau or unit;
        one the operator created sees all of them.
        """
        return self.managed_by_id is None or self.managed_by_id == agency_id

    def visible_to(self, viewer) -> bool:
        """Administration: only an admin of the managing agency may know the account (else 404)."""
        return bool(getattr(viewer, "is_admin", False) and self.managed_by_id == viewer.org_id)

    @property
    def is_admin(self) -> bool:
        return self.system_role == SystemRole.admin and self.org_kind == OrgKind.agency

    @property
    def is_agency(self) -> bool:
        """Agency staff (admin or staff): the people who run engagements."""
        return self.org_kind == OrgKind.agency and self.system_role in (
            SystemRole.admin,
            SystemRole.staff,
        )

    @property
    def is_bureau(self) -> bool:
        return self.org_kind == OrgKind.bureau

    @property
    def is_unit(self) -> bool:
        return self.org_kind == OrgKind.unit

    @property
    def is_expert(self) -> bool:
        """External experts belong to no bureau or unit; they act through assignments."""
        return self.system_role == SystemRole.external and not (self.is_bureau or self.is_unit)

    @property
    def role_label(self) -> str:
        if self.is_bureau:
            return "委托方审核人"
        if self.is_unit:
            return "被评价单位联系人"
        if self.is_expert:
            return "专家"
        return SYSTEM_ROLE_NAMES[SystemRole(self.system_role)]


class ApiToken(SQLModel, table=True):
    """A bearer token for /api/v1; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    label: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(default="", max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class RememberToken(SQLModel, table=True):
    """A "remember me" login: the cookie holds a random token, only its SHA-256 is stored.

    Each use replaces it with a new one that keeps the first one's expiry; logging out, changing
    or resetting the password deletes every token of the user.
    """

    __tablename__ = "remember_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    session_generation: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime

    def is_valid(self, user: User, now: datetime) -> bool:
        return (
            self.expires_at > now
            and user.active
            and self.session_generation == user.session_generation
        )
