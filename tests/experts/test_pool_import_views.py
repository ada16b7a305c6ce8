"""从Excel导入专家 (issue 21), the pages: template, preview that writes nothing, confirmation that
writes what was previewed, refusals by row and column, hostile files and tokens, permissions."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select

from tests.table_import_helpers import preview_token, sheet_bytes
from workbench.core.audit import AuditEntry
from workbench.core.spreadsheet import TableRow
from workbench.core.staging import stage
from workbench.experts import services
from workbench.experts.forms import ExpertForm
from workbench.experts.models import Expert
from workbench.experts.pool_import import FIELDS, KIND, SHEET

ORG = "示例师范大学教育学院基础教育研究中心"
HEADER = [
    "姓名",
    "职称",
    "专业领域",
    "工作单位",
    "联系电话",
    "电子邮箱",
    "关联登录账号",
    "备注",
    "状态",
]


def _xlsx(rows: list[list], *, sheet: str = SHEET) -> bytes:
    return sheet_bytes(rows, sheet=sheet)


def _upload(client, data: bytes, name: str = "专家.xlsx"):
    return client.post(
        "/experts/import", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _pool(db, agency_id: int) -> dict[str, tuple]:
    db.expire_all()  # the requests wrote through their own session
    experts = db.exec(select(Expert).where(Expert.agency_id == agency_id)).all()
    return {e.name: (e.title, e.phone, e.email, e.note, e.active, e.version) for e in experts}


def _organisation(db, name: str) -> str:
    return db.exec(select(Expert.organisation).where(Expert.name == name)).one()


def _actions(db) -> list[str]:
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [a.action for a in entries if a.action.startswith("expert.")]


_token = preview_token


def test_the_template_has_the_forms_columns_a_dropdown_for_the_status_and_notes(login, demo):
    response = login("demo-admin").get("/experts/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [SHEET, "填写说明"]
    assert [c.value for c in book[SHEET][1]] == HEADER == [f.header for f in FIELDS]
    form_labels = [getattr(ExpertForm, key).args[0] for key in
                   ("name", "title", "field_tags", "organisation", "phone", "email", "user_id",
                    "note")]  # fmt: skip
    assert HEADER[:8] == form_labels  # 状态 as the list page says it (在库 / 停用)
    (rule,) = book[SHEET].data_validations.dataValidation
    assert rule.formula1 == '"在库,停用"'
    notes = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["姓名"][1] == "必填" and notes["职称"][1] is None
    assert "顿号或逗号分隔" in notes["专业领域"][2] and "留空则保留原值" in notes["备注"][2]
    assert "电子邮箱或关联登录账号" in notes["姓名"][2]


def test_preview_writes_nothing_and_the_confirmation_writes_what_was_previewed(login, db, demo):
    agency = demo.users["demo-admin"].org_id
    before, logged = _pool(db, agency), _actions(db)
    client = login("demo-admin")
    page = client.get("/experts").get_data(as_text=True)
    assert "从Excel导入" in page and 'href="/experts/import"' in page
    data = _xlsx([HEADER,
                  ["新专家", "教授", "教育、统计", ORG, "13800000000", None, None, None, None],
                  [None] * 9,  # a blank row is skipped
                  ["郑高工", None, None, None, "13900000000", None, None, "熟悉校舍建设", "停用"],
                  ["陈专家", None, None, None, None, "demo-expert@example.com", None, None, "在库"]])  # fmt: skip
    response = _upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "新增 1 行，更新 1 行，不变 1 行" in page
    assert "更新：联系电话、备注、状态" in page
    assert ">示例师范大学教育学院基础教育研…<" in page  # a long cell cut short on one line
    assert ">demo-expert@example.com<" in page  # what matches a row is shown whole
    assert "<th>电子邮箱</th>" in page and "<th>关联登录账号</th>" not in page  # blank throughout
    assert _pool(db, agency) == before  # the preview undid its writes
    assert _actions(db) == logged

    done = client.post("/experts/import/confirm", data={"token": _token(page)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/experts")
    assert "已导入专家库：新增 1 行，更新 1 行，不变 1 行" in client.get("/experts").get_data(
        as_text=True
    )
    after = _pool(db, agency)
    assert after["新专家"][:5] == ("教授", "13800000000", "", "", True)
    assert _organisation(db, "新专家") == ORG
    title, phone, _email, note, active, version = after["郑高工"]
    assert (title, phone, note, active) == ("高级工程师", "13900000000", "熟悉校舍建设", False)
    assert version == before["郑高工"][5] + 1
    assert after["陈专家"] == before["陈专家"]
    assert _actions(db) == logged + ["expert.create", "expert.update"]


def test_every_bad_row_is_named_and_nothing_is_written(login, db, demo):
    agency = demo.users["demo-admin"].org_id
    before = _pool(db, agency)
    data = _xlsx([HEADER,
                  ["好专家", None, None, None, None, None, None, None, None],
                  [None, "教授", None, None, None, None, None, None, None],
                  ["坏邮箱", None, None, None, None, "not-an-email", None, None, None],
                  ["无账号", None, None, None, None, None, "nobody", None, None],
                  ["x" * 61, None, None, None, None, None, None, None, "休假"]])  # fmt: skip
    response = _upload(login("demo-admin"), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行“姓名”列：必填，不能为空",
        "第4行“电子邮箱”列：邮箱格式不正确",
        "第5行“关联登录账号”列：本机构没有用户名为“nobody”的账号",
        "第6行“姓名”列：不能超过 60 个字（现有 61 个）",
        "第6行“状态”列：应为“在库”、“停用”之一，现为“休假”",
    ):
        assert expected in page, expected
    assert 'id="table-confirm"' not in page
    assert _pool(db, agency) == before


def test_a_file_that_is_not_the_table_is_refused_with_the_reason(login, db, demo):
    agency = demo.users["demo-admin"].org_id
    client = login("demo-admin")
    before = _pool(db, agency)
    cases = {
        "缺少必填列“姓名”": _xlsx([["职称", "工作单位"], ["教授", "示例大学"]]),
        "列名之下没有数据": _xlsx([HEADER]),
        "“姓名”列出现了两次": _xlsx([["姓名", "职称", "姓名"], ["甲", None, "乙"]]),
        "表格是空的": _xlsx([]),
        "公式": _xlsx([HEADER[:2], ['=HYPERLINK("http://x")', "教授"]]),
    }
    for reason, data in cases.items():
        response = _upload(client, data)
        assert response.status_code == 422, reason
        assert reason in response.get_data(as_text=True), reason
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = _upload(client, png, "专家.xlsx")
    assert response.status_code == 422 and "文件有误" in response.get_data(as_text=True)
    missing = client.post("/experts/import", data={})
    assert missing.status_code == 302
    assert "请选择要导入的文件" in unquote(missing.headers["X-Domain-Error"])
    assert _pool(db, agency) == before


def test_the_exported_list_imports_back_unchanged_and_csv_in_any_order(login, db, demo):
    agency = demo.users["demo-admin"].org_id
    client = login("demo-admin")
    exported = client.get("/experts.xlsx").data
    page = _upload(client, exported, "专家名单.xlsx").get_data(as_text=True)
    assert "以下列不属于模板，未读取：参与项目" in page
    assert f"预览：不变 {len(_pool(db, agency))} 行<" in page
    assert re.search(r'id="table-confirm"\s+disabled', page)  # nothing to write

    text = "备注,电子邮箱,姓名\n来自OA,csv@example.cn,导入专家\n".encode("gb18030")
    response = _upload(client, text, "专家.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    done = client.post("/experts/import/confirm", data={"token": _token(page)})
    assert done.status_code == 302
    assert _pool(db, agency)["导入专家"][2:4] == ("csv@example.cn", "来自OA")


def test_a_token_is_only_good_for_its_user_agency_and_contents(app, login, db, demo, make_user):
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    make_user("agency", role="admin", org=agency, username="second-admin")
    make_user("agency", role="admin", username="other-admin")  # of another agency
    client = login("demo-admin")
    page = _upload(client, _xlsx([HEADER[:1], ["令牌专家"]])).get_data(as_text=True)
    token = _token(page)
    with app.test_request_context():  # the same rows, staged for another agency or kind
        rows = [TableRow(2, {f.key: None for f in FIELDS} | {"name": "令牌专家"})]
        elsewhere = stage(KIND, scope=agency.id + 1000, user_id=demo.users["demo-admin"].id,
                          rows=rows, fields=FIELDS)  # fmt: skip
        other_kind = stage("team", scope=agency.id, user_id=demo.users["demo-admin"].id,
                           rows=rows, fields=FIELDS)  # fmt: skip
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for who, bad in (
        ("demo-admin", tampered), ("demo-admin", ""), ("demo-admin", elsewhere),
        ("demo-admin", other_kind), ("second-admin", token), ("other-admin", token),
    ):  # fmt: skip
        refused = login(who).post("/experts/import/confirm", data={"token": bad})
        assert refused.status_code == 302, who
        assert "预览已失效" in unquote(refused.headers["X-Domain-Error"]), who
    assert "令牌专家" not in _pool(db, agency.id)
    done = client.post("/experts/import/confirm", data={"token": token})
    assert done.status_code == 302 and "令牌专家" in _pool(db, agency.id)


def test_what_changed_since_the_preview_is_checked_again(login, db, demo):
    admin = demo.users["demo-admin"]
    client = login("demo-admin")
    page = _upload(client, _xlsx([HEADER[:2], ["郑高工", "正高级工程师"]])).get_data(as_text=True)
    assert "更新：职称" in page
    services.create_expert(db, actor=admin, data=services.ExpertInput(name="郑高工"))
    db.flush()  # a second 郑高工: the row no longer says which
    before = _pool(db, admin.org_id)
    refused = client.post("/experts/import/confirm", data={"token": _token(page)})
    assert refused.status_code == 302
    assert "422" in refused.headers["X-Domain-Error"]
    assert _pool(db, admin.org_id) == before


def test_only_an_admin_may_import(login, demo):
    client = login("demo-lead")
    assert "从Excel导入" not in client.get("/experts").get_data(as_text=True)
    assert _upload(client, _xlsx([HEADER[:1], ["某专家"]])).status_code == 403
    assert client.get("/experts/import").status_code == 403
    assert client.get("/experts/import/template.xlsx").status_code == 403
    assert client.post("/experts/import/confirm", data={"token": "x"}).status_code == 403


def test_an_update_names_up_to_three_columns_it_changes():
    from workbench.experts.pool_import import RowDone
    from workbench.experts.views_pool_import import _action

    assert _action(RowDone(2, {}, "add")) == ("新增", "success")
    assert _action(RowDone(2, {}, "update", ("职称", "备注"))) == ("更新：职称、备注", "primary")
    four = ("职称", "工作单位", "联系电话", "备注")
    assert _action(RowDone(2, {}, "update", four))[0] == "更新：职称、工作单位、联系电话等 4 列"
