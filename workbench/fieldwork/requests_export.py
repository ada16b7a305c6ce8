"""Document requests and receipts (资料清单) as an Excel workbook: one row per requested item of
every request the requests page shows, with what has come in for it."""

from __future__ import annotations

from datetime import date

from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.core.timeutil import local_naive
from workbench.fieldwork.registers import ItemRow

COLUMNS = [
    Column("清单名称", 30, "wrap"),
    Column("发送时间", 16, "datetime"),
    Column("联系人", 10),
    Column("序号", 6, "number"),
    Column("资料名称", 36, "wrap"),
    Column("说明", 30, "wrap"),
    Column("截止日期", 12, "date"),
    Column("状态", 10),
    Column("免于提供的原因", 30, "wrap"),
    Column("收到时间", 16, "datetime"),
    Column("已上传文件", 10, "number"),
    Column("最后上传时间", 16, "datetime"),
    Column("资料清单底稿", 28, "wrap"),
    Column("资料接收底稿", 28, "wrap"),
]
HEADERS = headers(COLUMNS)


def _values(row: ItemRow, today: date) -> list:
    request, item = row.request, row.item
    return [
        request.title,
        local_naive(request.sent_at),
        row.contact.display_name if row.contact else "",
        row.number,
        item.name,
        item.description,
        item.due_date,
        item.status_name(today),
        item.waive_reason,
        local_naive(item.received_at),
        row.files,
        local_naive(row.last_upload),
        row.paper.label if row.paper else "",
        row.receipt_paper.label if row.receipt_paper else "",
    ]


def workbook(rows: list[ItemRow], *, today: date) -> bytes:
    """One sheet 资料清单, a row per requested item; 状态 says 已逾期 as the pages do on `today`."""
    return table_workbook("资料清单", COLUMNS, (_values(row, today) for row in rows))
