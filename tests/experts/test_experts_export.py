"""The expert pool as Excel (issue 21): the list's rows with its filters, every page, the page's
columns plus the contact details the profile shows the same people, stored text kept as text."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from workbench.accounts import services as accounts
from workbench.accounts.models import OrgKind, SystemRole
from workbench.experts import services
from workbench.experts.pool_export import HEADERS


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["专家名单"]
    sheet = book["专家名单"]
    return sheet, [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _add(db, admin, name: str, **fields):
    return services.create_expert(db, actor=admin, data=services.ExpertInput(name=name, **fields))


def test_every_expert_of_the_pool_with_the_pages_columns(db, demo, login, pool):
    admin = demo.users["demo-admin"]
    for n in range(22):  # more than one page of the list (20)
        _add(db, admin, f"专家{n:02d}", title="副教授", field_tags="财政")
    _add(
        db, admin, "周研究员", title="研究员", field_tags="教育、统计", organisation="示例大学",
        phone="010-12345678", email="zhou@example.cn", note="擅长抽样", active=False,
    )  # fmt: skip
    db.flush()
    client = login("demo-lead")
    page = client.get("/experts").get_data(as_text=True)
    assert "导出专家名单（Excel）" in page and 'href="/experts.xlsx"' in page

    sheet, rows = _sheet(client.get("/experts.xlsx"))
    assert [c.value for c in sheet[1]] == HEADERS
    for name in ("姓名", "职称", "专业领域", "工作单位", "参与项目", "状态"):
        assert f">{name}<" in page  # the page's own column names, first and in its order
    assert HEADERS[:6] == ["姓名", "职称", "专业领域", "工作单位", "参与项目", "状态"]
    names = [row[0] for row in rows]
    assert len(names) == len(set(names)) >= 25  # one row per expert, every page of the list
    second = client.get("/experts?page=2").get_data(as_text=True)
    for listed, html in ((names[:20], page), (names[20:40], second)):  # in the list's order
        positions = [html.index(f">{name}</a>") for name in listed]
        assert positions == sorted(positions)

    by_name = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows}
    assert by_name["周研究员"] == {
        "姓名": "周研究员", "职称": "研究员", "专业领域": "教育、统计", "工作单位": "示例大学",
        "参与项目": 0, "状态": "停用", "联系电话": "010-12345678",
        "电子邮箱": "zhou@example.cn", "备注": "擅长抽样",
    }  # fmt: skip
    demo_expert = services.expert_for_user(db, demo.users["demo-expert"])
    assert by_name[demo_expert.name]["参与项目"] == 1  # the page's count: the demo engagement
    assert by_name[demo_expert.name]["状态"] == "在库"
    assert by_name["专家00"]["专业领域"] == "财政" and by_name["专家00"]["备注"] is None


def test_the_filters_of_the_page_apply(db, demo, login, pool):
    client = login("demo-lead")
    _sheet_, rows = _sheet(client.get("/experts.xlsx?q=钱专家"))
    assert [row[0] for row in rows] == ["钱专家"]
    _sheet_, rows = _sheet(client.get("/experts.xlsx?tag=统计"))
    assert [row[0] for row in rows] == ["钱专家"]
    _sheet_, rows = _sheet(client.get("/experts.xlsx?tag=统"))  # whole tags only, as the page
    assert rows == []
    page = client.get("/experts?q=钱专家&tag=统计").get_data(as_text=True)
    assert f'href="/experts.xlsx?q={quote("钱专家")}&amp;tag={quote("统计")}"' in page


def test_text_that_looks_like_a_formula_stays_text(db, demo, login):
    hostile = '=HYPERLINK("http://x","点我")'
    _add(db, demo.users["demo-admin"], "甲专家", organisation=hostile, note="+1+2")
    sheet, rows = _sheet(login("demo-lead").get("/experts.xlsx?q=甲专家"))
    assert [(row[3], row[8]) for row in rows] == [(hostile, "+1+2")]
    for column in ("D", "I"):
        assert sheet[f"{column}2"].data_type == "s"


def test_another_agency_sees_only_its_own_pool(db, demo, login, pool):
    org = accounts.create_org(db, actor=None, name="另一评价机构有限公司", kind=OrgKind.agency)
    admin2 = accounts.create_user(
        db, actor=None, username="admin-other", display_name="其他机构管理员",
        password="demo12345", org_id=org.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    _add(db, admin2, "外机构专家", phone="13900000000")
    db.flush()
    _sheet_, theirs = _sheet(login("admin-other").get("/experts.xlsx"))
    assert [row[0] for row in theirs] == ["外机构专家"]
    _sheet_, ours = _sheet(login("demo-admin").get("/experts.xlsx"))
    assert "外机构专家" not in {row[0] for row in ours} and "钱专家" in {row[0] for row in ours}
    assert login("demo-expert").get("/experts.xlsx").status_code == 403
    assert login("demo-bureau").get("/experts.xlsx").status_code == 403
