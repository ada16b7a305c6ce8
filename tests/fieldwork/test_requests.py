"""Document requests: items, sending to the unit's contact, tokenized links, uploads, overdue."""

import hashlib
from datetime import date, timedelta
from io import BytesIO

import pytest
from sqlmodel import func, select

from tests.fieldwork.helpers import PDF, paper
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.timeutil import today_local, utcnow
from workbench.fieldwork import requests
from workbench.fieldwork.models import DocumentRequest, Evidence, RequestItem

TODAY = today_local()


def make_request(
    db, demo, *, send=True, receipt=None, lines="营养餐供餐记录\n学生花名册 | 2020-01-01 | 按学校"
):
    lead = demo.users["demo-lead"]
    created = requests.create_request(
        db,
        actor=lead,
        engagement=demo.engagement,
        title="补充资料清单",
        items=requests.parse_item_lines(lines, default_due=TODAY + timedelta(days=5)),
        receipt_paper_id=receipt.id if receipt else None,
    )
    if send:
        requests.send_request(
            db,
            actor=lead,
            engagement=demo.engagement,
            request=created,
            contact_user_id=demo.users["demo-unit"].id,
        )
    db.flush()
    return created


def items(db, created):
    return requests.items_of(db, [created.id])[created.id]


def test_item_lines_with_dates_and_notes():
    parsed = requests.parse_item_lines(
        "立项文件\n\n预算批复｜2025/3/1｜含调整\n", default_due=date(2025, 4, 1)
    )
    assert [(i.name, i.due_date, i.description) for i in parsed] == [
        ("立项文件", date(2025, 4, 1), ""),
        ("预算批复", date(2025, 3, 1), "含调整"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        requests.parse_item_lines("好的\n坏的 | 下周\n | 2025-01-01", default_due=None)
    assert [d["row"] for d in caught.value.details] == [2, 3]
    assert caught.value.details[0]["message"].startswith("第2行：")


def test_create_send_and_overdue_is_derived(db, demo):
    created = make_request(db, demo)
    first, second = items(db, created)
    assert created.sent_at is not None and created.contact_user_id == demo.users["demo-unit"].id
    assert not first.is_overdue(TODAY) and second.is_overdue(TODAY)
    assert second.status_name(TODAY) == "已逾期" and first.status_name(TODAY) == "待提供"
    with pytest.raises(ValidationFailed, match="联系人须是本项目的被评价单位联系人"):
        requests.send_request(
            db,
            actor=demo.users["demo-lead"],
            engagement=demo.engagement,
            request=created,
            contact_user_id=demo.users["demo-evaluator"].id,
        )


def test_item_status_moves(db, demo):
    created = make_request(db, demo)
    first, _second = items(db, created)
    lead = demo.users["demo-lead"]
    with pytest.raises(ValidationFailed, match="免于提供须说明原因"):
        requests.set_item_status(
            db,
            actor=lead,
            engagement=demo.engagement,
            request=created,
            item_id=first.id,
            action="waived",
        )
    requests.set_item_status(
        db,
        actor=lead,
        engagement=demo.engagement,
        request=created,
        item_id=first.id,
        action="waived",
        reason="项目未涉及",
    )
    assert first.status == "waived" and first.waive_reason == "项目未涉及"
    with pytest.raises(Conflict):
        requests.set_item_status(
            db,
            actor=lead,
            engagement=demo.engagement,
            request=created,
            item_id=first.id,
            action="waived",
            reason="再次",
        )
    requests.set_item_status(
        db,
        actor=lead,
        engagement=demo.engagement,
        request=created,
        item_id=first.id,
        action="received",
    )
    assert first.status == "received" and first.waive_reason == "" and first.received_at is not None


def test_link_stores_only_a_hash_and_needs_no_login(db, demo, client):
    receipt = paper(db, demo, "document_receipt", values={"provider": "教育局"})
    created = make_request(db, demo, send=False, receipt=receipt)
    token = requests.create_link(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=created, days=7
    )
    db.flush()
    assert (
        created.token_hash == hashlib.sha256(token.encode()).hexdigest()
        and token not in created.token_hash
    )
    page = client.get(f"/r/{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "营养餐供餐记录" in text and "学生花名册" in text
    assert "工作底稿" not in text and demo.engagement.title in text
    first = items(db, created)[0]
    r = client.post(
        f"/r/{token}/items/{first.id}/upload",
        data={
            "files": [(BytesIO(PDF), "供餐记录1月.pdf"), (BytesIO(PDF + b"2"), "供餐记录2月.pdf")]
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已上传 2 个文件" in r.get_data(as_text=True)
    db.expire_all()
    rows = db.exec(select(Evidence).where(Evidence.request_item_id == first.id)).all()
    assert {e.name for e in rows} == {"供餐记录1月.pdf", "供餐记录2月.pdf"}
    assert all(
        e.paper_id == receipt.id and e.uploaded_via == "link" and e.uploaded_by_id is None
        for e in rows
    )
    assert db.get(RequestItem, first.id).status == "received"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "document_request.upload")).all()[
        -1
    ]
    assert entry.actor_name.startswith("资料上传链接")
    # the same file again through the link: refused as a duplicate, nothing stored
    r = client.post(
        f"/r/{token}/items/{first.id}/upload",
        data={"files": [(BytesIO(PDF), "再传一次.pdf")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "不能重复上传" in r.get_data(as_text=True)
    assert (
        db.exec(
            select(func.count()).select_from(Evidence).where(Evidence.request_item_id == first.id)
        ).one()
        == 2
    )


def test_expired_or_revoked_links_refuse_uploads(db, demo, client):
    created = make_request(db, demo, send=False)
    token = requests.create_link(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=created, days=1
    )
    created.token_expires_at = utcnow() - timedelta(minutes=1)
    db.add(created)
    db.flush()
    first = items(db, created)[0]
    r = client.get(f"/r/{token}")
    assert (
        r.status_code == 410
        and "已于" in r.get_data(as_text=True)
        and "过期" in r.get_data(as_text=True)
    )
    r = client.post(
        f"/r/{token}/items/{first.id}/upload",
        data={"files": [(BytesIO(PDF), "迟到的.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 410 and "过期，不能再上传" in r.get_data(as_text=True)
    assert (
        db.exec(
            select(func.count()).select_from(Evidence).where(Evidence.name == "迟到的.pdf")
        ).one()
        == 0
    )
    fresh = requests.create_link(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=created, days=3
    )
    db.flush()
    assert client.get(f"/r/{token}").status_code == 404  # the old link stopped working
    assert client.get(f"/r/{fresh}").status_code == 200
    requests.revoke_link(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=created
    )
    db.flush()
    r = client.get(f"/r/{fresh}")
    assert r.status_code == 404 and "已被停用" in r.get_data(as_text=True)
    with pytest.raises(ValidationFailed, match="有效期应为"):
        requests.create_link(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=created, days=365
        )


def test_unit_contact_sees_only_their_requests_and_no_papers(db, demo, login):
    mine = make_request(db, demo)
    unsent = make_request(db, demo, send=False, lines="内部草稿")
    c = login("demo-unit")
    base = f"/engagements/{demo.engagement.id}"
    page = c.get(f"{base}/requests").get_data(as_text=True)
    assert "补充资料清单" in page
    assert c.get(f"{base}/requests/{mine.id}").status_code == 200
    assert c.get(f"{base}/requests/{unsent.id}").status_code == 403
    first = items(db, mine)[0]
    r = c.post(
        f"{base}/requests/{mine.id}/items/{first.id}/upload",
        data={"files": [(BytesIO(PDF + b"unit"), "花名册.pdf")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已上传 1 个文件" in r.get_data(as_text=True)
    for url in (f"{base}/papers", f"{base}/evidence", f"{base}/binder"):
        assert c.get(url).status_code in (403, 404), url
    row = db.exec(select(Evidence).where(Evidence.name == "花名册.pdf")).one()
    assert row.uploaded_by_id == demo.users["demo-unit"].id and row.paper_id is None
    assert c.get(f"{base}/evidence/{row.id}/download").status_code == 403
    assert (
        c.post(
            f"{base}/requests/{mine.id}/items/{first.id}/status", data={"action": "received"}
        ).status_code
        == 403
    )


def test_lead_manages_a_request_through_the_pages(db, demo, login):
    c = login("demo-lead")
    base = f"/engagements/{demo.engagement.id}"
    r = c.post(
        f"{base}/requests/new",
        data={
            "title": "第二批资料",
            "items": "会议纪要\n坏行 | 明年",
            "paper_id": 0,
            "receipt_paper_id": 0,
        },
    )
    assert "第2行" in r.get_data(as_text=True)
    assert (
        db.exec(select(DocumentRequest).where(DocumentRequest.title == "第二批资料")).first()
        is None
    )
    r = c.post(
        f"{base}/requests/new",
        data={
            "title": "第二批资料",
            "items": "会议纪要\n验收报告",
            "due_date": "2030-01-31",
            "paper_id": 0,
            "receipt_paper_id": 0,
        },
    )
    created = db.exec(select(DocumentRequest).where(DocumentRequest.title == "第二批资料")).one()
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/requests/{created.id}")
    r = c.post(
        f"{base}/requests/{created.id}/send",
        data={"contact_user_id": demo.users["demo-unit"].id},
        follow_redirects=True,
    )
    assert "资料清单已发送" in r.get_data(as_text=True)
    r = c.post(f"{base}/requests/{created.id}/link", data={"days": "10"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "上传链接（仅显示这一次" in text and "/r/" in text
    item = items(db, created)[1]
    r = c.post(
        f"{base}/requests/{created.id}/items/{item.id}/status",
        data={"action": "waived", "reason": ""},
        follow_redirects=True,
    )
    assert "免于提供须说明原因" in r.get_data(as_text=True)
    c.post(
        f"{base}/requests/{created.id}/items/{item.id}/status",
        data={"action": "waived", "reason": "尚未验收"},
    )
    db.expire_all()
    assert db.get(RequestItem, item.id).status == "waived"
    r = c.post(
        f"{base}/requests/{created.id}/items",
        data={"items": "补充说明 | 2030-02-01"},
        follow_redirects=True,
    )
    assert "已新增 1 项资料" in r.get_data(as_text=True)
    assert len(items(db, created)) == 3


def test_overdue_items_on_the_dashboard(db, demo, login):
    make_request(db, demo, lines="逾期很久的资料 | 2021-05-01")
    for who in ("demo-lead", "demo-evaluator", "demo-unit", "demo-admin"):
        text = login(who).get("/").get_data(as_text=True)
        assert "逾期未提供的资料" in text and "逾期很久的资料" in text, who
    for who in ("demo-bureau", "demo-bureau2", "demo-expert"):
        assert "逾期很久的资料" not in login(who).get("/").get_data(as_text=True), who


def test_dashboard_query_count_stays_bounded(db, demo, login, count_queries):
    for n in range(12):
        make_request(db, demo, lines=f"资料{n} | 2021-05-0{n % 9 + 1}")
    c = login("demo-lead")
    with count_queries() as counter:
        text = c.get("/").get_data(as_text=True)
    assert "另有" in text  # more overdue items than the panel lists
    assert counter.count <= 8, counter.statements


def test_an_item_named_twice_is_refused_and_nothing_is_added(db, demo):
    """The unit would answer one of two 学生花名册 and the other would stay open for ever."""
    lead = demo.users["demo-lead"]
    before = db.exec(select(func.count()).select_from(DocumentRequest)).one()
    with pytest.raises(ValidationFailed, match="清单中已有同名资料：学生花名册"):
        make_request(db, demo, lines="学生花名册\n营养餐供餐记录\n 学生花名册 ")
    assert db.exec(select(func.count()).select_from(DocumentRequest)).one() == before
    created = make_request(db, demo, send=False)
    with pytest.raises(ValidationFailed, match="清单中已有同名资料：营养餐供餐记录"):
        requests.add_items(
            db, actor=lead, engagement=demo.engagement, request=created,
            items=requests.parse_item_lines("教材发放记录\n营养餐供餐记录", default_due=None),
        )  # fmt: skip
    assert [i.name for i in items(db, created)] == ["营养餐供餐记录", "学生花名册"]
