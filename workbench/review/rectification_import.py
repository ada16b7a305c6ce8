"""The rectification list (整改清单) from Excel: each row created as the page creates items.

A row gives a problem, what the unit must do and the two due dates; a date left blank is the create
form's default (counted from the approval of the final report). Each new problem becomes an item
through `rectification.add_item`, under the create form's rules (the lead only, after the bureau
approved the final report, the item's own field rules), in a savepoint of its own; then the bureau
and the unit are told once, as after the form. A row whose problem is already an item is not
created twice: when every cell it fills agrees with that item it is "already there", otherwise it
is a problem naming the item (an import only adds; the item is edited on its page). So the list this
page exports can be imported back: its other columns (序号, 状态, …) are not read. Any problem refuses
the whole file; the preview runs this same function and undoes it (core.staging.rehearse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import DomainError
from workbench.core.spreadsheet import Field, TableProblem, TableRead
from workbench.core.staging import refuse_rows, row_problem
from workbench.engagements.models import Engagement
from workbench.review import rectification
from workbench.review.models import RectificationItem

KIND = "rectification"
SHEET = "整改清单"  # the exported list's sheet too
FIELDS = [
    Field("problem", "问题", required=True, max_length=2000, aliases=("问题描述",),
          note="评价报告发现的一个问题，每行一项；与已有整改事项相同的问题不会重复建立"),
    Field("requirement", "整改要求", max_length=2000, note="可不填"),
    Field("feedback_due", "反馈期限", "date",
          note="日期，如 2026-03-31；留空则为正式报告审核通过之日起的默认天数"),
    Field("rectify_due", "整改期限", "date",
          note="日期，不能早于反馈期限；留空则为反馈期限后的默认天数"),
]  # fmt: skip
ACTIONS = {
    "add": ("新增", "success"),
    "same": ("已有此事项，不变", "secondary"),
}
DEFAULTED = "（默认）"  # after a due date the row left blank, in the preview


@dataclass(frozen=True)
class RowDone:
    row: int
    values: dict[str, Any]  # the item as it is or will be, a new item's default dates marked
    action: str  # a key of ACTIONS


def _key(problem: str) -> str:
    """A problem as compared with the others: spacing does not make it another problem."""
    return " ".join(problem.split())


def _shown(item: RectificationItem, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {"problem": item.problem, "requirement": item.requirement}
    for key in ("feedback_due", "rectify_due"):
        due = getattr(item, key)
        shown[key] = f"{due:%Y-%m-%d}{DEFAULTED}" if new and values[key] is None else due
    return shown


def _differences(item: RectificationItem, values: dict[str, Any]) -> list[str]:
    """The headers of the cells the row filled in differently from the item (blank agrees)."""
    return [
        spec.header
        for spec in FIELDS[1:]
        if values[spec.key] not in (None, "") and values[spec.key] != getattr(item, spec.key)
    ]


def _known(
    number: int, item: RectificationItem, values: dict[str, Any], row: int
) -> TableProblem | None:
    """None when the row agrees with the existing item, else the problem naming it."""
    differ = _differences(item, values)
    if not differ:
        return None
    return TableProblem(
        f"与已有整改事项第{number}项的问题相同，但{'、'.join(differ)}不同；导入只新增事项，"
        f"不修改已有事项。请在整改跟踪页编辑第{number}项，或从表中删去此行",
        row,
        "问题",
    )


def import_items(
    db: Session, *, actor: User, engagement: Engagement, read: TableRead
) -> list[RowDone]:
    """Create every new problem of the list; ValidationFailed naming each row that cannot be."""
    rectification.require_final(db, engagement, actor)
    problems = list(read.problems)
    existing = {
        _key(item.problem): (number, item)
        for number, item in enumerate(rectification.items_of(db, engagement), start=1)
    }
    first_row: dict[str, int] = {}
    done, created = [], []
    for row in read.rows:
        values = row.values
        key = _key(str(values["problem"]))
        if key in first_row:
            problems.append(TableProblem(f"与第{first_row[key]}行的问题相同", row.row, "问题"))
            continue
        first_row[key] = row.row
        if key in existing:
            number, item = existing[key]
            problem = _known(number, item, values, row.row)
            if problem is not None:
                problems.append(problem)
            else:
                done.append(RowDone(row.row, _shown(item, values, new=False), "same"))
            continue
        try:
            with db.begin_nested():
                item = rectification.add_item(
                    db, actor=actor, engagement=engagement, problem=values["problem"],
                    requirement=values["requirement"] or "", feedback_due=values["feedback_due"],
                    rectify_due=values["rectify_due"],
                )  # fmt: skip
        except DomainError as error:
            problems.append(row_problem(error, row.row))
            continue
        done.append(RowDone(row.row, _shown(item, values, new=True), "add"))
        created.append(item)
    refuse_rows(problems)
    rectification.announce(db, engagement=engagement, items=created)
    return done


def template_rows(db: Session, engagement: Engagement) -> list[list]:
    """The approved report's problems not yet items, due by the create form's defaults."""
    final = rectification.approved_final(db, engagement)
    if final is None:
        return []
    known = {_key(item.problem) for item in rectification.items_of(db, engagement)}
    feedback_due, rectify_due = rectification.due_dates(final)
    return [
        [problem, "", feedback_due, rectify_due]
        for problem in rectification.candidates(db, engagement)
        if _key(problem) not in known
    ]
