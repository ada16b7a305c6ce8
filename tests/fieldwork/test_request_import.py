"""导入资料项 (issue 21, Excel in): a document request's materials from Excel — template, preview
that writes nothing, confirmation through `add_items`, every bad row named by row and column,
hostile files and tokens, what changed in between, who may."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from tests.table_import_helpers import preview_token, sheet_bytes
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import today_local, utcnow
from workbench.fieldwork import requests
from workbench.fieldwork.request_import import FIELDS, SHEET
from workbench.fieldwork.request_models import RequestItem

HEADER = ["资料名称", "说明/要求", "截止日期"]
TODAY = today_local()
DUE = TODAY + timedelta(days=14)


def _xlsx(rows: list[list], *, sheet: str = SHEET) -> bytes:
    return sheet_bytes(rows, sheet=sheet)


def _request(db, demo, engagement=None, *, send: bool = False, title: str = "补充资料清单"):
    """A request of the engagement holding 立项文件 (due DUE) and 预算批复 (含调整, no date)."""
    lead, engagement = demo.users["demo-lead"], engagement or demo.engagement
    created = requests.create_request(
        db, actor=lead, engagement=engagement, title=title,
        items=[requests.ItemInput("立项文件", due_date=DUE), requests.ItemInput("预算批复", "含调整")],
    )  # fmt: skip
    if send:
        requests.send_request(db, actor=lead, engagement=engagement, request=created,
                              contact_user_id=demo.users["demo-unit"].id)  # fmt: skip
    db.flush()
    return created


def _url(req, tail: str = "") -> str:
    return f"/engagements/{req.engagement_id}/requests/{req.id}/import{tail}"


def _upload(client, req, data: bytes, name: str = "资料清单.xlsx"):
    return client.post(
        _url(req), data={"file": (BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _items(db, req) -> list[tuple[str, str, date | None]]:
    db.expire_all()  # the requests wrote through their own session
    rows = db.exec(
        select(RequestItem).where(RequestItem.request_id == req.id).order_by(RequestItem.position)
    ).all()
    return [(i.name, i.description, i.due_date) for i in rows]


def _actions(db) -> list[str]:
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [a.action for a in entries if a.action.startswith("document_request.")]


_token = preview_token


def test_the_template_has_the_columns_and_notes(login, db, demo):
    req = _request(db, demo)
    response = login("demo-lead").get(_url(req, "/template.xlsx"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [SHEET, "填写说明"]
    assert [c.value for c in book[SHEET][1]] == HEADER == [f.header for f in FIELDS]
    notes = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["资料名称"][1] == "必填" and notes["截止日期"][1] is None
    assert "已有资料同名的行不再新增" in notes["资料名称"][2]


def test_preview_writes_nothing_and_the_confirmation_adds_what_was_previewed(login, db, demo):
    req = _request(db, demo, send=True)
    before, logged = _items(db, req), _actions(db)
    client = login("demo-lead")
    shown = client.get(f"/engagements/{req.engagement_id}/requests/{req.id}")
    assert 'id="request-import"' in shown.get_data(as_text=True)
    data = _xlsx([HEADER,
                  ["资金拨付凭证", "2025年全年", DUE + timedelta(days=7)],
                  [None, None, None],  # a blank row is skipped
                  ["立项文件", None, DUE],  # already requested, same due date
                  ["预算批复", None, None],  # already requested, nothing said
                  ["供餐记录", None, f"{DUE.year}年{DUE.month}月{DUE.day}日"],
                  ["健康证", None, TODAY - timedelta(days=1)]])  # fmt: skip
    response = _upload(client, req, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    summary = "新增资料项 2 行，新增资料项，截止日期已过 1 行，已有同名资料，不变 2 行"
    assert summary in page
    assert "本清单已发送，导入的资料项被评价单位随即可以看到并上传" in page
    assert _items(db, req) == before  # the preview undid its writes
    assert _actions(db) == logged

    done = client.post(_url(req, "/confirm"), data={"token": _token(page)})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/requests/{req.id}")
    assert _items(db, req) == before + [
        ("资金拨付凭证", "2025年全年", DUE + timedelta(days=7)),
        ("供餐记录", "", DUE),
        ("健康证", "", TODAY - timedelta(days=1)),
    ]
    assert _actions(db) == logged + ["document_request.add_items"] * 3
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"已导入资料清单：{summary}" in page


def test_every_bad_row_is_named_and_nothing_is_written(login, db, demo):
    req = _request(db, demo)
    before = _items(db, req)
    data = _xlsx([HEADER,
                  ["资金拨付凭证", None, None],  # fine alone, but the file has errors
                  ["资金拨付凭证 ", "重复", None],
                  ["立项文件", None, DUE + timedelta(days=1)],
                  ["预算批复", "不含调整", None],
                  ["供餐记录", None, "下周"],
                  [None, "没有名称", None],
                  ["x" * 201, "y" * 1001, None]])  # fmt: skip
    response = _upload(login("demo-lead"), req, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行“资料名称”列：与第2行是同一资料“资金拨付凭证”",
        f"第4行“截止日期”列：本清单已有“立项文件”，截止日期为{DUE.isoformat()}，"
        f"与表中的{(DUE + timedelta(days=1)).isoformat()}不同；导入只新增资料项，不修改已有的资料项",
        "第5行“说明/要求”列：本清单已有“预算批复”，说明为“含调整”，与表中的不同",
        "第6行“截止日期”列：应为日期（如 2026-03-31），现为“下周”",
        "第7行“资料名称”列：必填，不能为空",
        "第8行“资料名称”列：不能超过 200 个字（现有 201 个）",
        "第8行“说明/要求”列：不能超过 1000 个字（现有 1001 个）",
    ):
        assert expected in page, expected
    assert 'id="table-confirm"' not in page
    assert _items(db, req) == before


def test_a_file_that_is_not_the_list_is_refused_with_the_reason(login, db, demo):
    req = _request(db, demo)
    client = login("demo-lead")
    before = _items(db, req)
    cases = {
        "缺少必填列“资料名称”": _xlsx([["说明", "截止日期"], ["含调整", None]]),
        "列名之下没有数据": _xlsx([HEADER]),
        "“资料名称”列出现了两次": _xlsx([HEADER + ["名称"], ["a", None, None, "b"]]),
        "表格是空的": _xlsx([]),
        "公式": _xlsx([HEADER, ['=HYPERLINK("http://x")', None, None]]),
    }
    for reason, data in cases.items():
        response = _upload(client, req, data)
        assert response.status_code == 422, reason
        assert reason in response.get_data(as_text=True), reason
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = _upload(client, req, png, "资料清单.xlsx")
    assert response.status_code == 422 and "文件有误" in response.get_data(as_text=True)
    missing = client.post(_url(req), data={})
    assert missing.status_code == 302
    assert "请选择要导入的文件" in unquote(missing.headers["X-Domain-Error"])
    assert _items(db, req) == before


def test_csv_and_columns_in_any_order_with_extra_columns_ignored(login, db, demo):
    req = _request(db, demo)
    before = _items(db, req)
    text = "序号,截止时间,要求,资料\n1,2026/5/1,原件扫描,供餐记录\n".encode("gb18030")
    client = login("demo-lead")
    response = _upload(client, req, text, "资料清单.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "以下列不属于模板，未读取：序号" in page
    assert client.post(_url(req, "/confirm"), data={"token": _token(page)}).status_code == 302
    assert _items(db, req) == before + [("供餐记录", "原件扫描", date(2026, 5, 1))]


def test_a_list_already_on_the_request_has_nothing_to_confirm(login, db, demo):
    req = _request(db, demo)
    data = _xlsx([HEADER, ["立项文件", None, None], ["预算批复", "含调整", None]])
    page = _upload(login("demo-lead"), req, data).get_data(as_text=True)
    assert "已有同名资料，不变 2 行" in page
    assert re.search(r'id="table-confirm"\s+disabled', page)


def test_a_token_is_only_good_for_its_user_request_and_contents(login, db, demo):
    req = _request(db, demo)
    client = login("demo-lead")
    page = _upload(client, req, _xlsx([HEADER, ["供餐记录", None, None]]))
    token = _token(page.get_data(as_text=True))
    before = _items(db, req)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (tampered, "", "not-a-token"):
        refused = client.post(_url(req, "/confirm"), data={"token": bad})
        assert refused.status_code == 302
        assert "预览已失效" in unquote(refused.headers["X-Domain-Error"])
    # Another manager of the same request, another request of the engagement, another engagement.
    other_user = login("demo-admin").post(_url(req, "/confirm"), data={"token": token})
    assert "预览已失效" in unquote(other_user.headers["X-Domain-Error"])
    sibling = _request(db, demo, title="第二份清单")
    elsewhere = _request(db, demo, fresh_engagement(db, demo, "另一项目"))
    for target in (sibling, elsewhere):
        replayed = client.post(_url(target, "/confirm"), data={"token": token})
        assert "预览已失效" in unquote(replayed.headers["X-Domain-Error"])
        assert len(_items(db, target)) == 2
    assert _items(db, req) == before
    done = client.post(_url(req, "/confirm"), data={"token": token})
    assert done.status_code == 302 and _items(db, req)[-1][0] == "供餐记录"


def test_what_changed_since_the_preview_is_checked_again(login, db, demo):
    req = _request(db, demo)
    client = login("demo-lead")
    page = _upload(client, req, _xlsx([HEADER, ["供餐记录", "按月", None]]))
    token = _token(page.get_data(as_text=True))
    requests.add_items(db, actor=demo.users["demo-lead"], engagement=demo.engagement, request=req,
                       items=[requests.ItemInput("供餐记录", "按学期")])  # fmt: skip
    db.flush()
    before = _items(db, req)
    refused = client.post(_url(req, "/confirm"), data={"token": token})
    assert refused.status_code == 302
    assert "422" in refused.headers["X-Domain-Error"]
    assert _items(db, req) == before

    demo.engagement.archived_at = utcnow()  # archived in between: the page's rule answers
    db.add(demo.engagement)
    db.flush()
    archived = client.post(_url(req, "/confirm"), data={"token": token})
    assert archived.status_code == 302
    assert "归档" in unquote(archived.headers["X-Domain-Error"])
    assert _items(db, req) == before
    page = client.get(f"/engagements/{req.engagement_id}/requests/{req.id}").get_data(as_text=True)
    assert 'id="request-import"' not in page


def test_only_those_who_add_items_may_import(login, db, demo):
    req = _request(db, demo, send=True)
    data = _xlsx([HEADER, ["供餐记录", None, None]])
    for username in ("demo-evaluator", "demo-unit"):
        assert _upload(login(username), req, data).status_code == 403, username
        assert login(username).get(_url(req, "/template.xlsx")).status_code == 403, username
    page = login("demo-evaluator").get(f"/engagements/{req.engagement_id}/requests/{req.id}")
    assert 'id="request-import"' not in page.get_data(as_text=True)
    assert len(_items(db, req)) == 2


def test_names_match_ignoring_case_and_repeated_spaces(db, demo):
    from workbench.core.spreadsheet.table_read import read_rows
    from workbench.fieldwork.request_import import import_items

    req = _request(db, demo)
    lead = demo.users["demo-lead"]
    requests.add_items(db, actor=lead, engagement=demo.engagement, request=req,
                       items=[requests.ItemInput("PPT 汇报材料")])  # fmt: skip
    read = read_rows([HEADER, ["ppt   汇报材料", None, None], ["立项文件 ", "", DUE]], FIELDS)
    done = import_items(db, actor=lead, engagement=demo.engagement, request=req, read=read,
                        today=TODAY)  # fmt: skip
    assert [(r.row, r.action) for r in done] == [(2, "same"), (3, "same")]
    assert len(_items(db, req)) == 3
