"""The audit page's filters (person, object, action, dates), its rows in Chinese and its Excel export.

The agency's page (/admin/audit) and an engagement's page share this: each passes the where-clause
that limits what its reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from openpyxl.styles import Font
from sqlmodel import Session, col, func, select

from workbench import db
from workbench.core.audit import AuditEntry
from workbench.core.audit_labels import ACTIONS, OBJECTS, action_label, changes, object_label
from workbench.core.downloads import send_xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.inputs import query_int
from workbench.core.spreadsheet import CellStyle, append_row, new_workbook, xlsx_bytes
from workbench.core.timeutil import CST, local, today_local

EXPORT_LIMIT = 20_000
PER_PAGE = 50


@dataclass
class AuditFilter:
    """What the reader asked for; `errors` holds the fields it could not read."""

    who: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    since: date | None = None
    until: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Any) -> AuditFilter:
        found = cls(
            who=(args.get("who") or "").strip()[:60],
            action=(args.get("action") or "").strip()[:80],
            object_type=(args.get("object_type") or "").strip()[:60],
        )
        raw_id = (args.get("object_id") or "").strip()
        if raw_id:
            if raw_id.isdigit() and int(raw_id) < 2**31:
                found.object_id = int(raw_id)
            else:
                found.errors["object_id"] = "对象编号应为正整数"
        for name in ("since", "until"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(found, name, date.fromisoformat(raw))
                except ValueError:
                    found.errors[name] = "日期格式应为 年-月-日"
        if found.since and found.until and found.since > found.until:
            found.errors["until"] = "结束日期不能早于开始日期"
        return found

    def args(self) -> dict[str, Any]:
        """The filter as query-string arguments (for the pager and the export link)."""
        values = {
            "who": self.who,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    def where(self) -> list[Any]:
        clauses: list[Any] = []
        if self.who:
            clauses.append(col(AuditEntry.actor_name).contains(self.who))
        if self.action:
            clauses.append(
                AuditEntry.action == self.action
                if self.action in ACTIONS
                else col(AuditEntry.action).contains(self.action)
            )
        if self.object_type:
            clauses.append(AuditEntry.object_type == self.object_type)
        if self.object_id is not None:
            clauses.append(AuditEntry.object_id == self.object_id)
        if self.since and "since" not in self.errors:
            clauses.append(AuditEntry.at >= _utc(self.since))
        if self.until and not self.errors:
            clauses.append(AuditEntry.at < _utc(self.until + timedelta(days=1)))
        return clauses


def _utc(day: date) -> datetime:
    """Midnight of a Beijing calendar day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=CST).astimezone(UTC)


def entries_query(scope: Any, wanted: AuditFilter):
    """The audit rows in `scope` (a where clause, or None for all) that the filter keeps."""
    stmt = select(AuditEntry)
    if scope is not None:
        stmt = stmt.where(scope)
    for clause in wanted.where():
        stmt = stmt.where(clause)
    return stmt


def page(
    db: Session, *, scope: Any, wanted: AuditFilter, number: int
) -> tuple[list[AuditEntry], int]:
    stmt = entries_query(scope, wanted)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(
        stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((max(number, 1) - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return list(rows), total


def choices() -> dict[str, list[tuple[str, str]]]:
    """The action and object options of the filter form, by their Chinese names."""
    return {
        "actions": sorted(ACTIONS.items(), key=lambda item: item[0]),
        "objects": sorted(OBJECTS.items(), key=lambda item: item[0]),
    }


HEADERS = ["时间（北京时间）", "操作人", "操作", "操作代码", "对象", "对象编号", "项目编号",
           "摘要", "变更前", "变更后"]  # fmt: skip
DEVICE_HEADER = "离线设备"  # a column of its own, only when an exported entry was made offline


def export(db: Session, *, scope: Any, wanted: AuditFilter) -> tuple[bytes, int, bool]:
    """The filtered log as .xlsx (newest first, at most EXPORT_LIMIT rows); rows and truncation."""
    stmt = entries_query(scope, wanted).order_by(
        col(AuditEntry.at).desc(), col(AuditEntry.id).desc()
    )
    rows = db.exec(stmt.limit(EXPORT_LIMIT + 1)).all()
    truncated = len(rows) > EXPORT_LIMIT
    rows = rows[:EXPORT_LIMIT]
    book = new_workbook()
    sheet = book.create_sheet("审计日志")
    sheet.freeze_panes = "A2"
    offline = any(row.device for row in rows)  # entries made on a laptop, brought back
    append_row(
        sheet,
        [*HEADERS, *([DEVICE_HEADER] if offline else [])],
        style=CellStyle(font=Font(bold=True)),
    )
    for row in rows:
        pairs = changes(row.before, row.after)
        append_row(
            sheet,
            [
                local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor_name,
                action_label(row.action),
                row.action,
                object_label(row.object_type),
                row.object_id,
                row.engagement_id,
                row.summary,
                "\n".join(f"{label}：{old}" for label, old, _new in pairs if old != ""),
                "\n".join(f"{label}：{new}" for label, _old, new in pairs if new != ""),
                *([row.device] if offline else []),
            ],
        )
    if truncated:
        append_row(sheet, [f"仅导出最近 {EXPORT_LIMIT} 条，请缩小筛选范围后分批导出"])
    for letter, width in zip("ABCDEFGHIJ", (20, 12, 18, 26, 12, 9, 9, 40, 40, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    if offline:
        sheet.column_dimensions["K"].width = 16
    return xlsx_bytes(book), len(rows), truncated


def render(*, scope: Any, engagement: Any, endpoint: str, export_endpoint: str, **url_args):
    """The audit page for a reader's scope (the agency's or one engagement's)."""
    from flask import render_template, request

    wanted = AuditFilter.from_args(request.args)
    number = query_int("page", 1)
    rows, total = page(db.session(), scope=scope, wanted=wanted, number=number)
    return render_template(
        "audit/list.html",
        rows=rows,
        total=total,
        page=number,
        per_page=PER_PAGE,
        wanted=wanted,
        options=choices(),
        engagement=engagement,
        endpoint=endpoint,
        export_endpoint=export_endpoint,
        url_args=url_args,
        link_args={**url_args, **wanted.args()},
        action_label=action_label,
        object_label=object_label,
        changes=changes,
    )


def send_export(*, scope: Any, name: str):
    """The filtered log as an Excel download (recorded as a download like any other)."""
    from flask import request

    wanted = AuditFilter.from_args(request.args)
    if wanted.errors:
        details = [{"field": k, "message": v} for k, v in wanted.errors.items()]
        raise ValidationFailed("筛选条件有误", details=details)
    data, _count, _truncated = export(db.session(), scope=scope, wanted=wanted)
    return send_xlsx(data, f"{name}审计日志-{today_local():%Y%m%d}.xlsx")
