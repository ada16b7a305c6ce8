"""The team (工作组) from an Excel list prepared beforehand: each row through the team's own services.

A row names an existing account (用户名, with 姓名 as a check), a role and a duty. A person not yet
on the team is added exactly as the team page adds them (`join_team`: an expert is assigned from the
pool); one already on the team in the same role gets the listed duty; one in another role is a
problem (changing a role goes through removing them on the team page). Every row runs in a savepoint
of its own, so a refused row leaves nothing behind, and any problem refuses the whole file: the
caller's request rolls back and nothing is written. The preview runs this same function and undoes it
(core.staging.rehearse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core.errors import Conflict, DomainError
from workbench.core.permissions import authorize
from workbench.core.spreadsheet import Field, TableProblem, TableRead
from workbench.core.staging import refuse_rows, row_problem
from workbench.engagements import services as engagements
from workbench.engagements.models import ROLE_NAMES, Engagement, Member, MemberRole
from workbench.experts.team import join_team

KIND = "team"
SHEET = "工作组成员"
FIELDS = [
    Field("username", "用户名", required=True, max_length=60,
          note="成员登录用的用户名（须为系统中已有的账号，不区分大小写）"),
    Field("name", "姓名", max_length=60, note="可不填；填写时须与该账号的姓名一致，用于核对"),
    Field("role", "角色", "choice", required=True,
          choices={ROLE_NAMES[role]: role.value for role in MemberRole}),
    Field("duty", "分工", max_length=200,
          note="如“资金使用情况核查”；已在工作组的成员按此更新分工，留空则保留原分工"),
]  # fmt: skip
ACTIONS = {
    "add": ("新增成员", "success"),
    "duty": ("更新分工", "primary"),
    "same": ("已在工作组，不变", "secondary"),
}


@dataclass(frozen=True)
class RowDone:
    row: int
    values: dict[str, Any]
    action: str  # a key of ACTIONS


def _accounts(db: Session, read: TableRead) -> dict[str, User]:
    names = {str(r.values["username"]).lower() for r in read.rows}
    if not names:
        return {}
    found = db.exec(select(User).where(func.lower(col(User.username)).in_(names))).all()
    return {u.username.lower(): u for u in found}


def _member(engagement: Engagement, user: User) -> Member | None:
    return next((m for m in engagement.members if m.user_id == user.id), None)


def _write(
    db: Session, *, actor: User, engagement: Engagement, user: User, values: dict[str, Any]
) -> str:
    member = _member(engagement, user)
    duty = values["duty"] or ""
    if member is None:
        join_team(db, actor=actor, engagement=engagement, user_id=user.id,
                  role=values["role"], duty=duty)  # fmt: skip
        return "add"
    if member.role != values["role"]:
        wanted = ROLE_NAMES[MemberRole(values["role"])]
        raise Conflict(
            f"{user.display_name} 已是项目成员（{member.role_name}），如需改为{wanted}，"
            "请先在工作组页移除后再导入"
        )
    if duty and duty != member.duty:
        engagements.set_duty(db, actor=actor, engagement=engagement, member=member, duty=duty)
        return "duty"
    return "same"


def import_team(
    db: Session, *, actor: User, engagement: Engagement, read: TableRead
) -> list[RowDone]:
    """Write every row of the list; ValidationFailed naming each row that cannot be written."""
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以导入工作组成员")
    engagements.ensure_writable(engagement)
    problems = list(read.problems)
    accounts = _accounts(db, read)
    first_row: dict[str, int] = {}
    done = []
    for row in read.rows:
        username = str(row.values["username"])
        key = username.lower()
        if key in first_row:
            problems.append(
                TableProblem(f"与第{first_row[key]}行是同一账号“{username}”", row.row, "用户名")
            )
            continue
        first_row[key] = row.row
        user = accounts.get(key)
        if user is None:
            message = f"系统中没有用户名为“{username}”的账号，请先由机构管理员创建后再导入"
            problems.append(TableProblem(message, row.row, "用户名"))
            continue
        name = row.values["name"]
        if name and name != user.display_name:
            message = f"“{name}”与账号“{user.username}”的姓名“{user.display_name}”不一致"
            problems.append(TableProblem(message, row.row, "姓名"))
            continue
        try:
            with db.begin_nested():
                action = _write(db, actor=actor, engagement=engagement, user=user,
                                values=row.values)  # fmt: skip
        except DomainError as error:
            problems.append(row_problem(error, row.row))
            continue
        done.append(RowDone(row.row, row.values, action))
    refuse_rows(problems)
    return done
