"""Document requests and receipts as Excel (issue 21): one row per requested item of the requests
the page lists to the user, with what has come in for it, the request pages' names."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.fieldwork.helpers import PDF
from tests.permissions_roles import fresh_engagement
from workbench.core.timeutil import local, today_local
from workbench.fieldwork import papers, requests
from workbench.fieldwork.registers import list_request_items
from workbench.fieldwork.requests_export import HEADERS

TODAY = today_local()


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["资料清单"]
    sheet = book["资料清单"]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]], sheet


def _wall(value):
    return local(value).replace(tzinfo=None)


def _close(a, b) -> bool:
    return abs((a - b).total_seconds()) < 1


@pytest.fixture()
def sent(db, demo, ctx):
    """A fresh engagement with a request sent to demo-unit (one item uploaded twice, one waived,
    one overdue, one named like a formula) and an unsent request of one item."""
    engagement = fresh_engagement(db, demo, "资料清单导出")
    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]

    def paper(template, title):
        return papers.create_paper(
            db, actor=demo.users["demo-evaluator"], engagement=engagement,
            template_key=template, title=title,
        )  # fmt: skip

    listing = paper("document_list", "评价资料需求清单")
    receipt = paper("document_receipt", "资料接收登记")
    first = requests.create_request(
        db, actor=lead, engagement=engagement, title="现场评价补充资料（第二批）",
        paper_id=listing.id, receipt_paper_id=receipt.id,
        items=[
            requests.ItemInput("项目立项批复文件", due_date=TODAY + timedelta(days=3)),
            requests.ItemInput("预算调整文件", "含追加预算", TODAY + timedelta(days=3)),
            requests.ItemInput("学生体检数据汇总表", due_date=TODAY - timedelta(days=2)),
            requests.ItemInput("=HYPERLINK(\"http://x\",\"点我\")"),
        ],
    )  # fmt: skip
    requests.send_request(
        db, actor=lead, engagement=engagement, request=first, contact_user_id=unit.id
    )
    approval, budget, _health, _hostile = requests.items_of(db, [first.id])[first.id]
    for name in ("立项批复.pdf", "立项批复附件.pdf"):
        requests.upload_to_item(
            db, actor=unit, engagement=engagement, request=first, item_id=approval.id,
            files=[(name, PDF + name.encode())], max_mb=50,
        )  # fmt: skip
    requests.set_item_status(
        db, actor=lead, engagement=engagement, request=first, item_id=budget.id,
        action="waived", reason="本年度未调整预算",
    )  # fmt: skip
    second = requests.create_request(
        db, actor=lead, engagement=engagement, title="补充资料（未发送）",
        items=[requests.ItemInput("食品安全抽检报告")],
    )  # fmt: skip
    db.flush()
    return engagement, first, second, listing, receipt


def test_a_row_per_item_with_status_uploads_and_papers(db, demo, login, sent):
    engagement, first, second, listing, receipt = sent
    client = login("demo-lead")
    page = client.get(f"/engagements/{engagement.id}/requests").get_data(as_text=True)
    assert "导出资料清单（Excel）" in page
    assert f'href="/engagements/{engagement.id}/requests.xlsx"' in page
    header, rows, sheet = _sheet(client.get(f"/engagements/{engagement.id}/requests.xlsx"))
    assert header == HEADERS
    detail = client.get(f"/engagements/{engagement.id}/requests/{first.id}").get_data(as_text=True)
    for name in ("序号", "资料名称", "截止日期", "状态", "已上传文件"):
        assert f">{name}<" in detail  # the items table's columns
    assert [(r["清单名称"], r["序号"], r["资料名称"]) for r in rows] == [
        (first.title, 1, "项目立项批复文件"),
        (first.title, 2, "预算调整文件"),
        (first.title, 3, "学生体检数据汇总表"),
        (first.title, 4, '=HYPERLINK("http://x","点我")'),
        (second.title, 1, "食品安全抽检报告"),
    ]
    approval, budget, health, hostile, unsent = rows
    items = requests.items_of(db, [first.id])[first.id]
    assert _close(approval["发送时间"], _wall(first.sent_at))
    assert approval["联系人"] == demo.users["demo-unit"].display_name
    assert approval["状态"] == "已收到" and approval["已上传文件"] == 2
    assert _close(approval["收到时间"], _wall(items[0].received_at))
    assert approval["最后上传时间"] is not None and approval["最后上传时间"] >= approval["发送时间"]
    assert approval["截止日期"].date() == TODAY + timedelta(days=3)
    assert (approval["资料清单底稿"], approval["资料接收底稿"]) == (listing.label, receipt.label)
    assert (budget["说明"], budget["状态"], budget["免于提供的原因"]) == (
        "含追加预算", "免于提供", "本年度未调整预算",
    )  # fmt: skip
    assert (budget["已上传文件"], budget["最后上传时间"], budget["收到时间"]) == (0, None, None)
    assert health["状态"] == "已逾期"  # as the pages say it: requested and past its due date
    assert hostile["状态"] == "待提供" and hostile["截止日期"] is None
    cell = next(c for c in sheet["E"] if c.value == hostile["资料名称"])
    assert cell.data_type == "s"  # a name that looks like a formula stays text
    assert (unsent["发送时间"], unsent["联系人"], unsent["资料清单底稿"]) == (None, None, None)


def test_a_unit_contact_gets_only_the_requests_sent_to_them(db, demo, login, sent):
    engagement, first, _second, _listing, _receipt = sent
    _header, rows, _sheet_ = _sheet(
        login("demo-unit").get(f"/engagements/{engagement.id}/requests.xlsx")
    )
    assert {r["清单名称"] for r in rows} == {first.title} and len(rows) == 4


def test_no_requests_yet_and_no_other_engagements_items(db, demo, login, sent):
    engagement = sent[0]
    empty = fresh_engagement(db, demo, "尚无资料清单")
    client = login("demo-lead")
    header, rows, _sheet_ = _sheet(client.get(f"/engagements/{empty.id}/requests.xlsx"))
    assert header == HEADERS and rows == []
    _header, rows, _sheet_ = _sheet(client.get(f"/engagements/{demo.engagement.id}/requests.xlsx"))
    demo_items = list_request_items(db, engagement=demo.engagement, user=demo.users["demo-lead"])
    assert demo_items and [r["资料名称"] for r in rows] == [r.item.name for r in demo_items]
    ours = {
        r.request.title
        for r in list_request_items(db, engagement=engagement, user=demo.users["demo-lead"])
    }
    assert not ours & {r["清单名称"] for r in rows}


def test_who_may_not_see_the_requests_page_gets_the_same_refusal(db, demo, login):
    base = f"/engagements/{demo.engagement.id}"
    for username in ("demo-bureau", "demo-bureau2"):
        client = login(username)
        refused = client.get(f"{base}/requests").status_code
        assert refused in (403, 404)
        assert client.get(f"{base}/requests.xlsx").status_code == refused


def test_the_items_are_read_in_five_queries(db, demo, sent, count_queries):
    engagement = sent[0]
    with count_queries() as counter:
        rows = list_request_items(db, engagement=engagement, user=demo.users["demo-lead"])
    # requests, their items, uploads per item, the linked papers, the contacts
    assert len(rows) == 5 and counter.count == 5, counter.statements
