"""The plan's timetable as recorded: phases with planned start and end dates (pure).

Stored on the plan settings as [{phase, start, end}] with ISO dates or blanks; the plan prints
exactly these (context_plan.phases) and says 待定 where a date is blank.
"""

from __future__ import annotations

from datetime import date

from workbench.reports.context_plan import PHASE_NAMES, Window


def _day(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def from_record(rows: list | None) -> dict[str, Window]:
    """Stored rows → {phase: (start, end)}; unknown phases and unreadable dates are left out."""
    out: dict[str, Window] = {}
    for row in rows or []:
        if isinstance(row, dict) and row.get("phase") in PHASE_NAMES:
            out[row["phase"]] = (_day(row.get("start")), _day(row.get("end")))
    return out


def to_record(windows: dict[str, Window]) -> list[dict]:
    """{phase: (start, end)} → the stored rows, in phase order."""
    return [
        {
            "phase": name,
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
        }
        for name in PHASE_NAMES
        for start, end in [windows.get(name, (None, None))]
    ]


def problems(windows: dict[str, Window], plan_date: date | None) -> list[dict]:
    """Field-level messages: an end before its start or before the plan's 编制日期."""
    errors = []
    for i, name in enumerate(PHASE_NAMES):
        start, end = windows.get(name, (None, None))
        if start and end and end < start:
            errors.append({"field": f"end_{i}", "message": f"{name}的结束日期不能早于开始日期"})
        # A phase may start before the plan is written (委托 comes first), but not end before it.
        if plan_date and end and end < plan_date:
            errors.append({"field": f"end_{i}", "message": f"{name}的结束日期不能早于方案编制日期"})
    return errors
