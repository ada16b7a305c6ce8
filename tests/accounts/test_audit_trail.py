"""The audit log answers an auditor (issue 14, item 6).

Before: failed logins, refusals and downloads were not recorded, and the page showed
`\\u8d28\\u91cf…`, raw codes such as `review.rate` and `engagement#2`, with no filters or export.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import openpyxl
from sqlmodel import col, select

from tests.conftest import PASSWORD
from workbench.core import audit
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import today_local, utcnow


def _entries(db, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(
        db.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
    )


def test_failed_logins_are_recorded_with_their_reason(client, db, demo):
    lead = demo.users["demo-lead"]
    client.post("/login", data={"username": "demo-lead", "password": "wrong-pass1"})
    client.post("/login", data={"username": "no-such-person", "password": "wrong-pass1"})
    demo.users["demo-unit"].active = False
    db.add(demo.users["demo-unit"])
    db.flush()
    client.post("/login", data={"username": "demo-unit", "password": PASSWORD})
    found = [(e.object_id, e.summary, e.after["reason"]) for e in _entries(db, "user.login_failed")]
    assert found == [
        (lead.id, "用户名：demo-lead", "密码错误"),
        (None, "用户名：no-such-person", "账号不存在"),
        (demo.users["demo-unit"].id, "用户名：demo-unit", "账号已停用"),
    ]


def test_a_failed_token_request_is_recorded_although_it_answers_401(client, db, demo):
    response = client.post(
        "/api/v1/tokens", json={"username": "demo-lead", "password": "wrong-pass1"}
    )
    assert response.status_code == 401
    assert [e.after["reason"] for e in _entries(db, "user.login_failed")] == ["密码错误"]


def test_refusals_are_recorded_with_who_and_where(login, db, demo):
    outsider = login("demo-bureau2")
    eid = demo.engagement.id
    assert outsider.get(f"/engagements/{eid}").status_code == 404
    unit = login("demo-unit")
    assert unit.post(f"/engagements/{eid}/advance").status_code == 403
    rows = _entries(db, "access.denied")
    assert [(r.actor_name, r.summary, r.after["code"]) for r in rows] == [
        ("孙财政", f"GET /engagements/{eid}", 404),
        ("周联络", f"POST /engagements/{eid}/advance", 403),
    ]
    assert all(r.engagement_id == eid for r in rows)


def test_downloads_and_exports_are_recorded(login, db, demo):
    c = login("demo-admin")
    assert c.get("/finance/deposits.xlsx").status_code == 200
    [row] = _entries(db, "download")
    assert row.actor_name == "王管理" and row.summary == "/finance/deposits.xlsx"
    assert row.after["file"].startswith("质量保证金台账-")


def test_binder_download_names_the_engagement(login, db, demo):
    c = login("demo-lead")
    response = c.get(f"/engagements/{demo.engagement.id}/binder.zip")
    assert response.status_code == 200
    response.close()
    [row] = _entries(db, "download")
    assert row.engagement_id == demo.engagement.id and row.after["file"].endswith(".zip")


def test_page_reads_in_chinese_with_decoded_changes(login, db, demo):
    audit.record(
        db,
        actor=demo.users["demo-bureau"],
        action="review.rate",
        object_type="quality_rating",
        object_id=7,
        engagement_id=demo.engagement.id,
        before={"status": "草稿"},
        after={"status": "质量考核已保存", "score": "85.00"},
        summary="质量考核",
    )
    db.flush()
    page = login("demo-admin").get("/admin/audit?action=review.rate").get_data(as_text=True)
    assert "\\u" not in page and "质量考核评分" in page and "质量考核 #7" in page
    assert "状态：" in page and "质量考核已保存" in page and "得分：" in page
    assert "engagement#" not in page


def test_filters_by_person_object_and_date(login, db, demo):
    c = login("demo-admin")
    lead_rows = c.get("/admin/audit?who=李项目").get_data(as_text=True)
    assert "李项目" in lead_rows and '<td class="text-nowrap">王管理</td>' not in lead_rows
    by_object = c.get("/admin/audit?object_type=engagement").get_data(as_text=True)
    assert 'data-action="engagement.create"' in by_object
    assert 'data-action="member.add"' not in by_object
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    assert "没有符合条件的记录" in c.get(f"/admin/audit?since={tomorrow}").get_data(as_text=True)
    today = today_local().isoformat()
    assert "没有符合条件的记录" not in c.get(f"/admin/audit?since={today}&until={today}").get_data(
        as_text=True
    )


def test_bad_filters_say_what_is_wrong(login, demo):
    c = login("demo-admin")
    page = c.get("/admin/audit?since=2026-13-40&object_id=abc").get_data(as_text=True)
    assert "日期格式应为 年-月-日" in page and "对象编号应为正整数" in page
    page = c.get("/admin/audit?since=2026-05-02&until=2026-05-01").get_data(as_text=True)
    assert "结束日期不能早于开始日期" in page
    response = c.get("/admin/audit.xlsx?since=2026-13-40", follow_redirects=True)
    assert "筛选条件有误" in response.get_data(as_text=True)
    assert not response.headers.get("Content-Disposition")  # no file for a bad filter


def test_pages_of_fifty(login, db, demo):
    for n in range(60):
        audit.record(
            db, actor=demo.users["demo-lead"], action="checklist.confirm", summary=f"第{n}条"
        )
    db.flush()
    c = login("demo-admin")
    first = c.get("/admin/audit?action=checklist.confirm").get_data(as_text=True)
    second = c.get("/admin/audit?action=checklist.confirm&page=2").get_data(as_text=True)
    assert first.count('data-action="checklist.confirm"') == 50
    assert second.count('data-action="checklist.confirm"') >= 10
    assert "page=2" in first and "action=checklist.confirm" in first  # the pager keeps the filter


def test_excel_export_holds_the_filtered_rows_in_chinese(login, db, demo):
    audit.record(
        db,
        actor=demo.users["demo-lead"],
        action="engagement.update",
        obj=demo.engagement,
        engagement_id=demo.engagement.id,
        before={"title": "旧名称"},
        after={"title": '=HYPERLINK("http://x")'},  # hostile stored text stays text
        summary="改名",
    )
    db.flush()
    c = login("demo-lead")
    response = c.get(f"/engagements/{demo.engagement.id}/audit.xlsx?action=engagement.update")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间（北京时间）", "操作人", "操作")
    assert any(r[2] == "修改项目信息" and r[8] == "名称：旧名称" for r in rows[1:])
    cell = next(r[9] for r in rows[1:] if r[7] == "改名")
    assert cell == '名称：=HYPERLINK("http://x")'  # starts with 名称, not a formula
    [exported] = _entries(db, "download")
    assert exported.engagement_id == demo.engagement.id


def test_old_entries_outside_the_window_are_left_out(login, db, demo):
    entry = audit.record(
        db, actor=demo.users["demo-lead"], action="checklist.confirm", summary="很久以前"
    )
    entry.at = utcnow() - timedelta(days=400)
    db.add(entry)
    db.flush()
    c = login("demo-admin")
    assert "很久以前" in c.get("/admin/audit?action=checklist.confirm").get_data(as_text=True)
    since = (today_local() - timedelta(days=30)).isoformat()
    page = c.get(f"/admin/audit?action=checklist.confirm&since={since}")
    assert "很久以前" not in page.get_data(as_text=True)
