"""The rectification list as Excel (issue 21): a row per item with what its page shows, for the
agency and the bureau, and for the evaluated unit only what the unit's own page shows it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from workbench.core.timeutil import local, today_local
from workbench.review import rectification, unit_followup
from workbench.review.models import RectificationItem
from workbench.review.rectification_export import HEADERS, UNIT_HEADERS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE = '=HYPERLINK("http://x","点我")'
BUREAU_NOTE = "已印发评价结果通知"


@pytest.fixture()
def items(approved, db, engagement, people):
    """Three items: the first answered by the unit and confirmed, the second overdue, the third
    with the bureau's own feedback note (which the unit's page does not show)."""
    answered, hostile, noted = rectification.create_items(
        db, actor=people.lead, engagement=engagement,
        text=f"资金拨付不及时 | 建立拨付时限制度\n{HOSTILE} | +1+1\n绩效目标不够细化",
    )  # fmt: skip
    unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=answered.id, kind="feedback",
        text="已制定整改方案", files=[("整改方案.pdf", PDF)], version=answered.version,
    )  # fmt: skip
    unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=answered.id, kind="done",
        text="制度已印发", files=[("制度.pdf", PDF + b"2"), ("通知.pdf", PDF + b"3")],
        version=answered.version,
    )  # fmt: skip
    rectification.record_progress(
        db, actor=people.bureau, engagement=engagement, item_id=answered.id, status="rectified",
        note="经核实已出台拨付时限制度", version=answered.version,
    )  # fmt: skip
    hostile.feedback_due = today_local() - timedelta(days=1)
    db.add(hostile)
    rectification.record_progress(
        db, actor=people.bureau, engagement=engagement, item_id=noted.id,
        status="feedback_received", note=BUREAU_NOTE, version=noted.version,
    )  # fmt: skip
    db.flush()
    return answered, hostile, noted


@pytest.fixture()
def elsewhere(db, demo):
    """An item of another engagement (the demo's), which no export of ours may carry."""
    row = RectificationItem(
        engagement_id=demo.engagement.id, problem="别的项目的问题", feedback_due=date(2026, 1, 1),
        rectify_due=date(2026, 2, 1), created_by_id=demo.users["demo-lead"].id,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


def _book(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert unquote(response.headers["Content-Disposition"]).endswith(" 整改清单.xlsx")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["整改清单"]
    return book["整改清单"]


def _rows(sheet, headers):
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == headers
    return [dict(zip(headers, row, strict=True)) for row in rows]


def _text(page: str) -> str:
    """The page as a reader sees it: its text without the markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _close(value, stored) -> bool:
    """A cell's time is the stored time in Beijing time (to the second Excel keeps)."""
    return abs(value - local(stored).replace(tzinfo=None)) < timedelta(seconds=1)


def _reports(people, reports) -> str:
    names = {"feedback": "整改反馈", "progress": "整改进展", "done": "申报整改完成"}
    blocks = []
    for report, files in reports:
        lines = [
            f"{names[report.kind]} · {people.unit.display_name} · "
            f"{local(report.created_at):%Y-%m-%d %H:%M}",
            report.text,
        ]
        if files:
            lines.append("附件：" + "、".join(files))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _unit_reports(db, engagement, people, item) -> str:
    files = unit_followup.files_by_report(db, engagement)
    rows = unit_followup.reports_by_item(db, engagement)[item.id]
    return _reports(people, [(r, [f.name for f in files.get(r.id, [])]) for r in rows])


def test_the_agency_list_has_a_row_per_item_as_the_page_shows_it(
    items, elsewhere, db, engagement, people, login
):
    answered, hostile, noted = items
    url = f"/engagements/{engagement.id}/review/rectification"
    for user in ("demo-lead", "demo-bureau"):
        client = login(user)
        page = client.get(url).get_data(as_text=True)
        assert 'id="export-rectification"' in page and "导出整改清单（Excel）" in page
        shown = _text(page)
        for label in ("整改要求", "反馈期限", "整改期限", "反馈情况", "整改情况"):
            assert label in shown  # the page's own names for what the columns hold
        for state in ("已整改", "逾期未反馈", "已反馈，整改中"):
            assert f">{state}<" in page

        rows = _rows(_book(client.get(f"{url}.xlsx")), HEADERS)
        assert [r["问题"] for r in rows] == [answered.problem, HOSTILE, noted.problem]
        assert [r["序号"] for r in rows] == [1, 2, 3]
        assert [r["状态"] for r in rows] == ["已整改", "逾期未反馈", "已反馈，整改中"]
        first = rows[0]
        assert first["整改要求"] == "建立拨付时限制度"
        assert first["反馈期限"].date() == answered.feedback_due
        assert first["整改期限"].date() == answered.rectify_due
        assert first["反馈情况"] == "已制定整改方案"  # the unit's feedback moved the item
        assert _close(first["反馈时间"], answered.feedback_at)
        assert first["整改情况"] == "经核实已出台拨付时限制度"
        assert _close(first["整改确认时间"], answered.rectified_at)
        assert first["单位报送"] == _unit_reports(db, engagement, people, answered)
        assert first["单位报送"].startswith("整改反馈 · ")
        assert "附件：制度.pdf、通知.pdf" in first["单位报送"]
        assert first["附件数"] == 3
        third = rows[2]
        assert (third["反馈情况"], third["整改情况"], third["整改确认时间"]) == (
            BUREAU_NOTE,
            None,
            None,
        )
        assert (third["单位报送"], third["附件数"]) == (None, 0)
        assert "别的项目的问题" not in repr(rows)


def test_formula_looking_text_stays_text(items, engagement, login):
    sheet = _book(login("demo-lead").get(f"/engagements/{engagement.id}/review/rectification.xlsx"))
    problem, requirement = sheet.cell(row=3, column=2), sheet.cell(row=3, column=3)
    assert (problem.value, requirement.value) == (HOSTILE, "+1+1")
    assert problem.data_type == requirement.data_type == "s"


def test_the_unit_gets_only_what_its_page_shows(items, elsewhere, db, engagement, people, login):
    answered, hostile, noted = items
    client = login("demo-unit")
    url = f"/engagements/{engagement.id}/rectification/unit"
    page = client.get(url).get_data(as_text=True)
    assert 'id="export-unit-rectification"' in page and "导出整改清单（Excel）" in page
    shown = _text(page)
    for label in ("整改要求", "反馈期限", "整改期限", "核实确认"):
        assert label in shown
    assert BUREAU_NOTE not in page  # the agency side's own note is not the unit's to see

    rows = _rows(_book(client.get(f"{url}.xlsx")), UNIT_HEADERS)
    assert not {"反馈情况", "反馈时间", "整改情况", "整改确认时间"} & set(UNIT_HEADERS)
    assert [r["问题"] for r in rows] == [answered.problem, HOSTILE, noted.problem]
    assert [r["状态"] for r in rows] == ["已整改", "逾期未反馈", "已反馈，整改中"]
    first = rows[0]
    assert first["核实确认"] == "经核实已出台拨付时限制度"
    assert _close(first["核实确认时间"], answered.rectified_at)
    assert first["单位报送"] == _unit_reports(db, engagement, people, answered)
    assert first["附件数"] == 3
    assert (rows[2]["核实确认"], rows[2]["核实确认时间"]) == (None, None)
    assert BUREAU_NOTE not in repr(rows) and "别的项目的问题" not in repr(rows)


def test_each_side_gets_only_its_own_export(items, engagement, login):
    agency = f"/engagements/{engagement.id}/review/rectification.xlsx"
    unit = f"/engagements/{engagement.id}/rectification/unit.xlsx"
    assert login("demo-unit").get(agency).headers["X-Permission-Denied"] == "403"
    assert login("demo-lead").get(unit).headers["X-Permission-Denied"] == "403"
    assert login("demo-bureau").get(unit).headers["X-Permission-Denied"] == "403"
    assert login("demo-bureau2").get(agency).status_code == 404


def test_no_items_no_button_and_an_empty_list(approved, elsewhere, engagement, login):
    lead, unit = login("demo-lead"), login("demo-unit")
    page = lead.get(f"/engagements/{engagement.id}/review/rectification").get_data(as_text=True)
    assert 'id="no-items"' in page and "export-rectification" not in page
    unit_page = unit.get(f"/engagements/{engagement.id}/rectification/unit").get_data(as_text=True)
    assert "export-unit-rectification" not in unit_page
    agency = _book(lead.get(f"/engagements/{engagement.id}/review/rectification.xlsx"))
    assert _rows(agency, HEADERS) == []
    own = _book(unit.get(f"/engagements/{engagement.id}/rectification/unit.xlsx"))
    assert _rows(own, UNIT_HEADERS) == []
