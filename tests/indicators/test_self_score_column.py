"""The optional 自评得分 column of the indicator sheet (自评复核): read when present, validated."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlmodel import select

from tests.reports.outline_helpers import engagement_of
from tests.reports.report_helpers import SAMPLES
from workbench.core.errors import ValidationFailed
from workbench.indicators import transfer
from workbench.indicators.models import Indicator


def _sheet(values: dict[str, str]) -> bytes:
    """The sample sheet with a 自评得分 column: 三级指标 name → the cell's text."""
    book = openpyxl.load_workbook(SAMPLES / "indicator_sheet_example.xlsx")
    sheet = book.worksheets[0]
    header = next(r for r in sheet.iter_rows(max_row=10) if any(c.value == "三级指标" for c in r))
    name_column = next(c.column for c in header if c.value == "三级指标")
    column = sheet.max_column + 1
    sheet.cell(row=header[0].row, column=column, value="自评得分")
    for row in range(header[0].row + 1, sheet.max_row + 1):
        name = sheet.cell(row=row, column=name_column).value
        if name in values:
            sheet.cell(row=row, column=column, value=values[name])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _self_scores(db, engagement) -> dict[str, str | None]:
    rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    return {i.name: (f"{i.self_score:.2f}" if i.self_score is not None else None) for i in rows}


def test_the_column_sets_self_scores_and_a_sheet_without_it_keeps_them(db, demo):
    engagement = engagement_of(db, demo, "self_eval_review")
    lead = demo.users["demo-lead"]
    data = _sheet({"立项依据充分性": "3", "资金到位率": "3.5分"})
    transfer.import_sheet(db, actor=lead, engagement=engagement, filename="s.xlsx", data=data)
    db.flush()
    found = _self_scores(db, engagement)
    assert found["立项依据充分性"] == "3.00" and found["资金到位率"] == "3.50"
    assert found["预算执行率"] is None
    plain = (SAMPLES / "indicator_sheet_example.xlsx").read_bytes()
    transfer.import_sheet(db, actor=lead, engagement=engagement, filename="s.xlsx", data=plain)
    db.flush()
    assert _self_scores(db, engagement)["立项依据充分性"] == "3.00"


def test_bad_self_scores_name_row_and_column_and_nothing_is_written(db, demo):
    engagement = engagement_of(db, demo, "self_eval_review")
    data = _sheet({"立项依据充分性": "很好", "资金到位率": "9"})
    with pytest.raises(ValidationFailed) as refused:
        transfer.import_sheet(
            db, actor=demo.users["demo-lead"], engagement=engagement, filename="s.xlsx", data=data
        )
    found = {(d["row"], d["column"], d["message"]) for d in refused.value.details}
    assert found == {
        (2, "自评得分", "第2行“自评得分”列：自评得分“很好”不是数字"),
        (8, "自评得分", "第8行“自评得分”列：自评得分应在0到4分之间"),
    }
    assert all(v is None for v in _self_scores(db, engagement).values())
