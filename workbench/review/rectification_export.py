"""The rectification list (整改清单) as an Excel workbook: one row per item, as its page shows it.

The agency and the bureau get what their follow-up page shows (their own 反馈情况/整改情况 notes);
the evaluated unit gets what its own page shows (the confirmation as 核实确认, none of the agency's
feedback notes). The unit's reports on an item share one cell, oldest first, as the page lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.core.timeutil import local, local_naive, today_local
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.review import unit_followup
from workbench.review.models import RectificationItem, RectificationReport
from workbench.review.rectification import items_of
from workbench.review.states import SHOWN_NAMES, UNIT_REPORT_NAMES, follow_up_state

_LEADING = [
    Column("序号", 6, "number"),
    Column("问题", 40, "wrap"),
    Column("整改要求", 36, "wrap"),
    Column("反馈期限", 12, "date"),
    Column("整改期限", 12, "date"),
    Column("状态", 14),
]
_TRAILING = [Column("单位报送", 60, "wrap"), Column("附件数", 8, "number")]

COLUMNS = [
    *_LEADING,
    Column("反馈情况", 36, "wrap"),
    Column("反馈时间", 17, "datetime"),
    Column("整改情况", 36, "wrap"),
    Column("整改确认时间", 17, "datetime"),
    *_TRAILING,
]
HEADERS = headers(COLUMNS)

UNIT_COLUMNS = [
    *_LEADING,
    Column("核实确认", 36, "wrap"),
    Column("核实确认时间", 17, "datetime"),
    *_TRAILING,
]
UNIT_HEADERS = headers(UNIT_COLUMNS)


@dataclass(frozen=True)
class ItemRow:
    """One item with what both pages show beside it: the state shown and the unit's reports."""

    number: int
    item: RectificationItem
    state: str  # states.SHOWN_NAMES key: the stored status, or overdue
    reports: str  # the unit's reports, one block each
    files: int


def _second(value: datetime | None) -> datetime | None:
    """Beijing time to the second (the page shows no fractions)."""
    shown = local_naive(value)
    return shown.replace(microsecond=0) if shown else None


def _block(report: RectificationReport, author: str, attached: list[str]) -> str:
    """One unit report as the page lists it: kind · author · time, its text, its files."""
    heading = [UNIT_REPORT_NAMES[report.kind], author, f"{local(report.created_at):%Y-%m-%d %H:%M}"]
    lines = [" · ".join(p for p in heading if p), report.text]
    if attached:
        lines.append("附件：" + "、".join(attached))
    return "\n".join(lines)


def _rows(
    db: Session, engagement: Engagement, items: Sequence[RectificationItem], today: date
) -> list[ItemRow]:
    reports = unit_followup.reports_by_item(db, engagement)
    files = unit_followup.files_by_report(db, engagement)
    users = users_by_id(db, {r.author_id for rows in reports.values() for r in rows})
    found = []
    for number, item in enumerate(items, start=1):
        blocks, count = [], 0
        for report in reports.get(item.id, []):
            author = users[report.author_id].display_name if report.author_id in users else ""
            attached = [f.name for f in files.get(report.id, [])]
            blocks.append(_block(report, author, attached))
            count += len(attached)
        state = follow_up_state(item.status, item.feedback_due, item.rectify_due, today)
        found.append(ItemRow(number, item, state, "\n\n".join(blocks), count))
    return found


def _leading(row: ItemRow) -> list:
    item = row.item
    return [
        row.number,
        item.problem,
        item.requirement,
        item.feedback_due,
        item.rectify_due,
        SHOWN_NAMES[row.state],
    ]


def _values(row: ItemRow) -> list:
    item = row.item
    return [
        *_leading(row),
        item.feedback_note,
        _second(item.feedback_at),
        item.rectified_note if item.rectified_at else "",
        _second(item.rectified_at),
        row.reports,
        row.files,
    ]


def _unit_values(row: ItemRow) -> list:
    item = row.item
    return [
        *_leading(row),
        item.rectified_note if item.rectified_at else "",
        _second(item.rectified_at),
        row.reports,
        row.files,
    ]


def workbook(db: Session, *, engagement: Engagement, today: date | None = None) -> bytes:
    """The agency's and the bureau's list: one sheet 整改清单, a row per item in the page's order."""
    rows = _rows(db, engagement, items_of(db, engagement), today or today_local())
    return table_workbook("整改清单", COLUMNS, map(_values, rows))


def unit_workbook(db: Session, *, engagement: Engagement, today: date | None = None) -> bytes:
    """The evaluated unit's list: only what the unit's own page shows it."""
    items = unit_followup.unit_items(db, engagement)
    rows = _rows(db, engagement, items, today or today_local())
    return table_workbook("整改清单", UNIT_COLUMNS, map(_unit_values, rows))
