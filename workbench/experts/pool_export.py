"""The expert pool (专家库) as an Excel workbook: the list page's rows, every page.

The columns are the page's, then what the profile page shows every member of the agency who may
open the list: phone, email and the note. Fees are left out (the profile shows them to admins
and the expert only).
"""

from __future__ import annotations

from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.experts.models import Expert

COLUMNS = [
    Column("姓名", 12),
    Column("职称", 14),
    Column("专业领域", 30, "wrap"),
    Column("工作单位", 30, "wrap"),
    Column("参与项目", 10, "number"),
    Column("状态", 8),
    Column("联系电话", 16),
    Column("电子邮箱", 26),
    Column("备注", 40, "wrap"),
]
HEADERS = headers(COLUMNS)


def _values(expert: Expert, assignments: int) -> list:
    return [
        expert.name,
        expert.title,
        "、".join(expert.tags),
        expert.organisation,
        assignments,
        "在库" if expert.active else "停用",
        expert.phone,
        expert.email,
        expert.note,
    ]


def workbook(experts: list[Expert], counts: dict[int, int]) -> bytes:
    """One sheet 专家名单, a row per expert in the list's order; `counts` as the page has them."""
    rows = (_values(e, counts.get(e.id, 0)) for e in experts)
    return table_workbook("专家名单", COLUMNS, rows)
