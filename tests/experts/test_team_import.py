"""导入工作组成员 (issue 21, Excel in): template, preview that writes nothing, confirmation that
writes what was previewed, every bad row named by row and column, hostile files and tokens."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from tests.table_import_helpers import preview_token, sheet_bytes
from workbench.core.audit import AuditEntry
from workbench.engagements.models import Member
from workbench.experts.team_import import FIELDS, SHEET


def _xlsx(rows: list[list], *, sheet: str = SHEET) -> bytes:
    return sheet_bytes(rows, sheet=sheet)


HEADER = ["用户名", "姓名", "角色", "分工"]


def _upload(client, engagement, data: bytes, name: str = "团队.xlsx"):
    return client.post(
        f"/engagements/{engagement.id}/team/import",
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _members(db, engagement) -> dict[int, tuple[str, str]]:
    db.expire_all()  # the requests wrote through their own session
    rows = db.exec(select(Member).where(Member.engagement_id == engagement.id)).all()
    return {m.user_id: (m.role, m.duty) for m in rows}


def _actions(db) -> list[str]:
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [a.action for a in entries if a.action.startswith("member.")]


_token = preview_token


def _staff(make_user, demo, username: str):
    return make_user("agency", org=demo.orgs["示例绩效评价咨询有限公司"], username=username)


def test_the_template_has_the_columns_a_dropdown_for_roles_and_notes(login, demo):
    response = login("demo-lead").get(
        f"/engagements/{demo.engagement.id}/team/import/template.xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [SHEET, "填写说明"]
    assert [c.value for c in book[SHEET][1]] == HEADER == [f.header for f in FIELDS]
    (rule,) = book[SHEET].data_validations.dataValidation
    assert rule.formula1 == '"项目负责人,评价人员,复核人,专家,委托方联系人,被评价单位联系人"'
    notes = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["用户名"][1] == "必填" and notes["角色"][1] == "必填"
    assert "保留原分工" in notes["分工"][2]


def test_preview_writes_nothing_and_the_confirmation_writes_what_was_previewed(
    login, db, demo, make_user
):
    e = demo.engagement
    newcomer = _staff(make_user, demo, "new-evaluator")
    before, logged = _members(db, e), _actions(db)
    client = login("demo-lead")
    assert "从Excel导入" in client.get(f"/engagements/{e.id}/team").get_data(as_text=True)
    data = _xlsx([HEADER,
                  ["NEW-EVALUATOR", newcomer.display_name, "评价人员", "满意度调查"],
                  [None, None, None, None],  # a blank row is skipped
                  ["demo-evaluator", "张评价", "评价人员", "现场核查"],
                  ["demo-reviewer", None, "复核人", None]])  # fmt: skip
    response = _upload(client, e, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "新增成员 1 行，更新分工 1 行，已在工作组，不变 1 行" in page
    assert _members(db, e) == before  # the preview undid its writes
    assert _actions(db) == logged

    done = client.post(f"/engagements/{e.id}/team/import/confirm", data={"token": _token(page)})
    assert done.status_code == 302
    after = _members(db, e)
    assert after[newcomer.id] == ("evaluator", "满意度调查")
    assert after[demo.users["demo-evaluator"].id] == ("evaluator", "现场核查")
    assert after[demo.users["demo-reviewer"].id] == before[demo.users["demo-reviewer"].id]
    assert _actions(db) == logged + ["member.add", "member.duty"]


def test_every_bad_row_is_named_and_nothing_is_written(login, db, demo, make_user):
    e = demo.engagement
    before = _members(db, e)
    _staff(make_user, demo, "ok-staff")
    data = _xlsx([HEADER,
                  ["ok-staff", None, "评价人员", ""],  # fine alone, but the file has errors
                  ["nobody", None, "评价人员", ""],
                  ["demo-admin", "李四", "评价人员", ""],
                  ["demo-bureau", None, "评价人员", ""],  # a bureau contact cannot evaluate
                  ["demo-reviewer", None, "评价人员", ""],  # already on the team as 复核人
                  ["ok-staff", None, "复核人", ""],
                  ["demo-admin", None, "组长", ""],
                  ["", None, "评价人员", "x" * 201]])  # fmt: skip
    response = _upload(login("demo-lead"), e, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行“用户名”列：系统中没有用户名为“nobody”的账号",
        "第4行“姓名”列：“李四”与账号“demo-admin”的姓名“王管理”不一致",
        "第5行：该用户不能担任此角色",
        "第6行：赵复核 已是项目成员（复核人），如需改为评价人员",
        "第7行“用户名”列：与第2行是同一账号“ok-staff”",
        "第8行“角色”列：应为“项目负责人”、“评价人员”",
        "第9行“用户名”列：必填，不能为空",
        "第9行“分工”列：不能超过 200 个字（现有 201 个）",
    ):
        assert expected in page, expected
    assert 'id="table-confirm"' not in page
    assert _members(db, e) == before


def test_a_file_that_is_not_the_table_is_refused_with_the_reason(login, db, demo):
    e = demo.engagement
    client = login("demo-lead")
    before = _members(db, e)
    cases = {
        "缺少必填列“角色”": _xlsx([["用户名", "姓名"], ["demo-admin", None]]),
        "列名之下没有数据": _xlsx([HEADER]),
        "“用户名”列出现了两次": _xlsx([HEADER + ["用户名"], ["a", None, "评价人员", "", "b"]]),
        "表格是空的": _xlsx([]),
        "公式": _xlsx([HEADER, ["=1+1", None, "评价人员", ""]]),
    }
    for reason, data in cases.items():
        response = _upload(client, e, data)
        assert response.status_code == 422, reason
        assert reason in response.get_data(as_text=True), reason
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = _upload(client, e, png, "团队.xlsx")
    assert response.status_code == 422 and "文件有误" in response.get_data(as_text=True)
    missing = client.post(f"/engagements/{e.id}/team/import", data={})
    assert missing.status_code == 302  # flashed 请选择要导入的文件
    assert _members(db, e) == before


def test_csv_and_columns_in_any_order_with_extra_columns_ignored(login, db, demo, make_user):
    e = demo.engagement
    newcomer = _staff(make_user, demo, "csv-staff")
    text = "备注,角色,用户名\n来自OA,复核人,csv-staff\n".encode("gb18030")
    response = _upload(login("demo-lead"), e, text, "团队.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "以下列不属于模板，未读取：备注" in page
    done = login("demo-lead").post(
        f"/engagements/{e.id}/team/import/confirm", data={"token": _token(page)}
    )
    assert done.status_code == 302
    assert _members(db, e)[newcomer.id] == ("reviewer", "")


def test_a_token_is_only_good_for_its_user_engagement_and_contents(login, db, demo, make_user):
    e = demo.engagement
    newcomer = _staff(make_user, demo, "token-staff")
    client = login("demo-lead")
    page = _upload(client, e, _xlsx([HEADER, ["token-staff", None, "评价人员", ""]]))
    token = _token(page.get_data(as_text=True))
    before = _members(db, e)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (tampered, "", "not-a-token"):
        refused = client.post(f"/engagements/{e.id}/team/import/confirm", data={"token": bad})
        assert refused.status_code == 302
        assert "预览已失效" in unquote(refused.headers["X-Domain-Error"])
    assert _members(db, e) == before
    # The same lead on another engagement cannot replay it there.
    other = fresh_engagement(db, demo, "另一项目")
    replayed = client.post(f"/engagements/{other.id}/team/import/confirm", data={"token": token})
    assert "预览已失效" in unquote(replayed.headers["X-Domain-Error"])
    assert newcomer.id not in _members(db, other)
    assert _members(db, e) == before
    done = client.post(f"/engagements/{e.id}/team/import/confirm", data={"token": token})
    assert done.status_code == 302 and newcomer.id in _members(db, e)


def test_what_changed_since_the_preview_is_checked_again(login, db, demo, make_user):
    from workbench.engagements import services as engagements

    e = demo.engagement
    newcomer = _staff(make_user, demo, "race-staff")
    client = login("demo-lead")
    page = _upload(client, e, _xlsx([HEADER, ["race-staff", None, "评价人员", ""]]))
    token = _token(page.get_data(as_text=True))
    engagements.add_member(db, actor=demo.users["demo-lead"], engagement=e,
                           user_id=newcomer.id, role="reviewer")  # fmt: skip
    db.flush()
    refused = client.post(f"/engagements/{e.id}/team/import/confirm", data={"token": token})
    assert refused.status_code == 302
    assert "422" in refused.headers["X-Domain-Error"]
    assert _members(db, e)[newcomer.id] == ("reviewer", "")


def test_only_the_lead_may_import(login, demo):
    e = demo.engagement
    data = _xlsx([HEADER, ["demo-admin", None, "评价人员", ""]])
    assert _upload(login("demo-evaluator"), e, data).status_code == 403
    page = login("demo-evaluator").get(f"/engagements/{e.id}/team").get_data(as_text=True)
    assert "从Excel导入" not in page
