"""A document request's materials (资料清单) from an Excel list prepared beforehand: each row
through `add_items`, the service the request page adds items with.

A row names a material (资料名称) with its note (说明/要求) and due date (截止日期). A material not
yet on the request is added exactly as the page adds it, so every rule of adding applies (an
archived engagement is read-only, the actor must have signed the declarations; a due date already
past is accepted as on the page, and the preview flags it). A row whose name is already on the
request adds nothing: when its note and due date are blank or the same as the item's it is shown as
such, so a master list can be imported again after rows are added to it; when they differ it is a
problem, as nothing changes an item's note or due date once requested. The same name twice in the
file is a problem too. Every row runs in a savepoint of its own and any problem refuses the whole
file; the preview runs this same function and undoes it (core.staging.rehearse).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import DomainError
from workbench.core.permissions import authorize
from workbench.core.spreadsheet import Field, TableProblem, TableRead
from workbench.core.staging import refuse_rows, row_problem
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.fieldwork.request_items import ItemInput, same_name
from workbench.fieldwork.request_models import DocumentRequest, RequestItem
from workbench.fieldwork.requests import add_items, items_of

KIND = "request_items"
SHEET = "资料清单"
FIELDS = [
    Field("name", "资料名称", required=True, max_length=200, aliases=("资料", "名称"),
          note="如“项目立项批复文件”；同一清单中不能重复，与清单中已有资料同名的行不再新增"),
    Field("description", "说明/要求", max_length=1000,
          aliases=("说明／要求", "说明", "要求", "说明或要求"),
          note="对资料的说明或要求，如“含预算调整批复”“加盖公章的复印件”；可不填"),
    Field("due_date", "截止日期", "date", aliases=("截止时间", "提供期限"),
          note="被评价单位提供该资料的最后日期，如 2026-03-31；可不填"),
]  # fmt: skip
ACTIONS = {
    "add": ("新增资料项", "success"),
    # Added as the page would add it, and shown as 已逾期 at once: worth a look before confirming.
    "late": ("新增资料项，截止日期已过", "warning"),
    "same": ("已有同名资料，不变", "secondary"),
}
UNCHANGED = "导入只新增资料项，不修改已有的资料项，请删去此行或改为与清单一致"


@dataclass(frozen=True)
class RowDone:
    row: int
    values: dict[str, Any]
    action: str  # a key of ACTIONS


def _differs(item: RequestItem, values: dict[str, Any], row: int) -> TableProblem | None:
    """Why the row cannot stand for the item already requested (a blank cell claims nothing)."""
    description, due = values["description"], values["due_date"]
    if due is not None and due != item.due_date:
        now = item.due_date.isoformat() if item.due_date else "未定"
        return TableProblem(
            f"本清单已有“{item.name}”，截止日期为{now}，与表中的{due.isoformat()}不同；{UNCHANGED}",
            row,
            "截止日期",
        )
    if description and description != item.description:
        now = f"“{item.description}”" if item.description else "空"
        return TableProblem(
            f"本清单已有“{item.name}”，说明为{now}，与表中的不同；{UNCHANGED}", row, "说明/要求"
        )
    return None


def import_items(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    request: DocumentRequest,
    read: TableRead,
    today: date,
) -> list[RowDone]:
    """Add every new row of the list to the request; ValidationFailed naming each row that cannot be."""
    authorize(actor, "fieldwork.manage", engagement, message="只有项目负责人可以导入资料清单")
    guard_write(db, engagement, actor)  # once for the file, not once a row
    problems = list(read.problems)
    existing = {same_name(item.name): item for item in items_of(db, [request.id])[request.id]}
    first_row: dict[str, int] = {}
    done = []
    for row in read.rows:
        name = str(row.values["name"])
        key = same_name(name)
        if key in first_row:
            problems.append(
                TableProblem(f"与第{first_row[key]}行是同一资料“{name}”", row.row, "资料名称")
            )
            continue
        first_row[key] = row.row
        item = existing.get(key)
        if item is not None:
            problem = _differs(item, row.values, row.row)
            if problem is not None:
                problems.append(problem)
            else:
                done.append(RowDone(row.row, row.values, "same"))
            continue
        wanted = ItemInput(
            name=name, description=row.values["description"] or "", due_date=row.values["due_date"]
        )
        try:
            with db.begin_nested():
                add_items(db, actor=actor, engagement=engagement, request=request, items=[wanted])
        except DomainError as error:
            problems.append(row_problem(error, row.row))
            continue
        late = wanted.due_date is not None and wanted.due_date < today
        done.append(RowDone(row.row, row.values, "late" if late else "add"))
    refuse_rows(problems)
    return done
