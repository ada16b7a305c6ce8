"""The expert pool (专家库) from an Excel roster prepared beforehand: each row through the pool's own
`create_expert` / `update_expert`, so every check of the 新增专家 and edit pages applies.

A row is the same person as an expert of the actor's agency when the e-mail or the linked account
is the same; failing both, when the name is the same and nothing contradicts it (a phone, e-mail
or account filled on both sides differs). The linked account is the only thing the pool keeps
unique, so the e-mail and the name are read with care: a row that fits two experts, or the same
expert as an earlier row, is a problem rather than a guess. A matched expert is updated with the
row's filled cells (a blank cell keeps what the profile says, so the exported list, which has no
account column, can be edited and imported back); any other row is a new expert. Another agency's
experts are never read. Every row runs in a savepoint of its own and any problem refuses the whole
file; the preview runs this same function and undoes it (core.staging.rehearse).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core.errors import DomainError, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.spreadsheet import Field, TableProblem, TableRead
from workbench.core.staging import refuse_rows, row_problem
from workbench.experts.matching import normalise
from workbench.experts.models import Expert
from workbench.experts.pool import (
    ExpertInput,
    changes,
    create_expert,
    profile_input,
    update_expert,
)

KIND = "experts"
SHEET = "专家名单"  # the exported list's sheet: an export edited in Excel reads back as it is
_KEEP = "；更新已有专家时留空则保留原值"
STATUS = {"在库": "active", "停用": "inactive"}
FIELDS = [
    Field("name", "姓名", required=True, max_length=60,
          note="专家姓名。与专家库中已有专家的电子邮箱或关联登录账号相同，或姓名相同且联系电话、"
               "电子邮箱不矛盾（两边都填写的须一致）时，更新该专家；否则新增专家"),
    Field("title", "职称", max_length=60, note="如“高级会计师”" + _KEEP),
    Field("field_tags", "专业领域", max_length=500,
          note="多个领域用顿号或逗号分隔，如：教育、财务管理" + _KEEP),
    Field("organisation", "工作单位", max_length=200, note="文字" + _KEEP),
    Field("phone", "联系电话", max_length=40, note="以 0 开头的号码请将单元格设为文本" + _KEEP),
    Field("email", "电子邮箱", max_length=200, note="如 name@example.com" + _KEEP),
    Field("username", "关联登录账号", max_length=60,
          note="本机构专家账号或人员账号的用户名（不区分大小写）；可不填" + _KEEP),
    Field("note", "备注", max_length=2000, note="文字" + _KEEP),
    Field("active", "状态", "choice", choices=STATUS, aliases=("在库（可指派）",),
          note="“在库”可指派到项目，“停用”不可；新增专家留空为在库" + _KEEP),
]  # fmt: skip
ACTIONS = {
    "add": ("新增", "success"),
    "update": ("更新", "primary"),
    "same": ("不变", "secondary"),
}
# The column of each profile field, for a service's refusal and for what an update changes.
HEADERS = {spec.key: spec.header for spec in FIELDS} | {"user_id": "关联登录账号"}
AMBIGUOUS = (
    "无法确定更新哪一位；请补充或核对电子邮箱、联系电话、关联登录账号，使本行只与一位专家相符"
)
TWICE = "如是两位专家，请填写能区分他们的电子邮箱或联系电话"
_TEXT = ("name", "title", "field_tags", "organisation", "phone", "email", "note")


@dataclass(frozen=True)
class RowDone:
    row: int
    values: dict[str, Any]
    action: str  # a key of ACTIONS
    changed: tuple[str, ...] = ()  # the headers of the columns an update changes


def _accounts(db: Session, *, agency_id: int, read: TableRead) -> dict[str, User]:
    """The agency's own accounts the rows name, by lower-cased username."""
    names = {str(r.values["username"]).lower() for r in read.rows if r.values["username"]}
    if not names:
        return {}
    found = db.exec(
        select(User).where(
            func.lower(col(User.username)).in_(names), User.managed_by_id == agency_id
        )
    ).all()
    return {u.username.lower(): u for u in found}


def _given(values: dict[str, Any], account: User | None) -> dict[str, Any]:
    """The profile fields the row fills in (blank cells left out)."""
    given = {key: values[key] for key in _TEXT if values[key] is not None}
    if account is not None:
        given["user_id"] = account.id
    if values["active"] is not None:
        given["active"] = values["active"] == STATUS["在库"]
    return given


def _phone(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def _email(text: str | None) -> str:
    return (text or "").strip().lower()


def _same_name_no_contradiction(expert: Expert, row: ExpertInput) -> bool:
    if normalise(expert.name) != normalise(row.name):
        return False
    pairs = (
        (_phone(expert.phone), _phone(row.phone)),
        (_email(expert.email), _email(row.email)),
        (expert.user_id, row.user_id),
    )
    return all(not (mine and theirs) or mine == theirs for mine, theirs in pairs)


def matches(pool: list[Expert], row: ExpertInput) -> list[Expert]:
    """The experts of the pool the row may be: by e-mail or account, else by name (see above)."""
    email = _email(row.email)
    by_key = [
        e
        for e in pool
        if (email and _email(e.email) == email) or (row.user_id and e.user_id == row.user_id)
    ]
    return by_key or [e for e in pool if _same_name_no_contradiction(e, row)]


def _who(expert: Expert) -> str:
    return f"“{expert.name}”" + (f"（{expert.organisation}）" if expert.organisation else "")


def _refusal(error: DomainError, row: int) -> list[TableProblem]:
    """A service's refusal of the row, each reason under its column where it names a field."""
    if not isinstance(error, ValidationFailed):
        return [row_problem(error, row)]
    fields = [d for d in error.details if d.field in HEADERS]
    if not fields or len(fields) < len(error.details):
        return [row_problem(error, row)]
    return [TableProblem(d.message, row, HEADERS[d.field]) for d in fields]


def _write(
    db: Session, *, actor: User, expert: Expert | None, given: dict[str, Any]
) -> tuple[Expert, str, tuple[str, ...]]:
    """Create the expert, or update the matched one: (the expert, the action, columns changed)."""
    if expert is None:
        return create_expert(db, actor=actor, data=ExpertInput(**given)), "add", ()
    data = dataclasses.replace(profile_input(expert), **given)
    changed = tuple(HEADERS[name] for name in changes(expert, data))
    if not changed:
        return expert, "same", ()
    update_expert(db, actor=actor, expert=expert, data=data, version=expert.version)
    return expert, "update", changed


def import_experts(db: Session, *, actor: User, read: TableRead) -> list[RowDone]:
    """Write every row into the actor's agency's pool; ValidationFailed naming each bad row."""
    authorize(actor, "admin", message="只有机构管理员可以维护专家库")
    problems = list(read.problems)
    accounts = _accounts(db, agency_id=actor.org_id, read=read)
    pool = list(
        db.exec(select(Expert).where(Expert.agency_id == actor.org_id).order_by(Expert.id)).all()
    )
    first_row: dict[int, int] = {}  # expert id → the row that wrote it
    done = []
    for row in read.rows:
        username = row.values["username"]
        account = accounts.get(str(username).lower()) if username else None
        if username and account is None:
            message = f"本机构没有用户名为“{username}”的账号"
            problems.append(TableProblem(message, row.row, HEADERS["username"]))
            continue
        given = _given(row.values, account)
        found = matches(pool, ExpertInput(**given))
        if len(found) > 1:
            who = "、".join(_who(e) for e in found)
            problems.append(
                TableProblem(f"与专家库中的 {len(found)} 位专家都相符：{who}，{AMBIGUOUS}", row.row)
            )
            continue
        expert = found[0] if found else None
        if expert is not None and expert.id in first_row:
            where = f"与第{first_row[expert.id]}行是同一位专家{_who(expert)}"
            problems.append(TableProblem(f"{where}；{TWICE}", row.row))
            continue
        try:
            with db.begin_nested():
                written, action, changed = _write(db, actor=actor, expert=expert, given=given)
        except DomainError as error:
            problems.extend(_refusal(error, row.row))
            continue
        if expert is None:
            pool.append(written)
        first_row[written.id] = row.row
        done.append(RowDone(row.row, row.values, action, changed))
    refuse_rows(problems)
    return done
