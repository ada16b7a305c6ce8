"""An imported indicator sheet links its leaves to the library: by 指标代码, else by path/name."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from workbench.core.audit import AuditEntry
from workbench.indicators import transfer
from workbench.indicators.tree import list_indicators
from workbench.library.models import LibraryIndicator

HEADER = ["一级指标", "二级指标", "三级指标", "分值", "规则", "目标值", "实际值", "指标代码"]
KEY = "education.compulsory_retention_rate"


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_sheet_leaves_are_linked(db, demo):
    engagement = fresh_engagement(db, demo, "自动关联指标库")
    data = _sheet(
        [
            ["过程", "资金管理", "预算执行率", 40, "ratio", "100%", "95%", None],
            ["产出", "产出数量", "义务教育巩固情况", 30, "ratio", "95%", "96%", KEY],
            ["产出", "产出数量", "供餐天数", 30, "ratio", "200", "198", None],
        ]
    )
    outcome = transfer.import_sheet(
        db, actor=demo.users["demo-lead"], engagement=engagement, filename="s.xlsx", data=data
    )
    assert outcome.linked == 2
    leaves = {leaf.name: leaf for leaf in list_indicators(db, engagement)}
    keyed = db.exec(select(LibraryIndicator).where(LibraryIndicator.key == KEY)).one()
    assert leaves["义务教育巩固情况"].library_indicator_id == keyed.id
    budget = db.get(LibraryIndicator, leaves["预算执行率"].library_indicator_id)
    assert budget.name == "预算执行率" and budget.pack_key == "project_common"
    assert leaves["供餐天数"].library_indicator_id is None
    entry = db.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "indicators.import", AuditEntry.engagement_id == engagement.id)
    ).one()  # fmt: skip
    assert entry.after["linked"] == 2


def test_an_existing_link_is_kept_on_reimport(db, demo):
    engagement = fresh_engagement(db, demo, "保留已有关联")
    rows = [["过程", "资金管理", "预算执行率", 100, "ratio", "100%", "95%", None]]
    lead = demo.users["demo-lead"]
    transfer.import_sheet(
        db, actor=lead, engagement=engagement, filename="a.xlsx", data=_sheet(rows)
    )
    leaf = list_indicators(db, engagement)[0]
    leaf.library_indicator_id, leaf.library_version = 999_999, 7  # chosen by hand earlier
    db.add(leaf)
    db.flush()
    again = transfer.import_sheet(db, actor=lead, engagement=engagement, filename="a.xlsx",
                                  data=_sheet(rows), confirm_clear=True)  # fmt: skip
    assert again.linked == 0
    assert list_indicators(db, engagement)[0].library_indicator_id == 999_999
