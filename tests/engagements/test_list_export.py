"""我的项目 as Excel (issue 21): every engagement of the dashboard with its search and stage, the
page's columns, and the scores only as the lead signed them, to the people with a scoring page."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from tests.indicators.permissions import with_sheet
from workbench.accounts import services as accounts
from workbench.accounts.models import Organisation, OrgKind, SystemRole
from workbench.core.timeutil import local, today_local
from workbench.engagements import services
from workbench.engagements.list_export import HEADERS, SCORE_HEADERS
from workbench.indicators.system import get_system
from workbench.scoring import services as scoring


def _today() -> datetime:
    return datetime.combine(today_local(), time())  # a date cell reads back as midnight


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["项目清单"]
    sheet = book["项目清单"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    return sheet, header, rows


def _create(db, actor, title: str, bureau_id: int):
    return services.create(
        db,
        actor=actor,
        data=services.EngagementInput(
            title=title, type="project", bureau_id=bureau_id, budget_year=2025
        ),
    )


def _signed(db, demo, title: str):
    """A fresh engagement with the sample sheet scored, confirmed and signed by the lead."""
    engagement = with_sheet(db, demo, title, confirmed=True)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    db.flush()
    return engagement


def test_every_engagement_of_the_list_with_signed_and_unsigned_scores(db, demo, login):
    signed = _signed(db, demo, "已签字项目")
    unsigned = with_sheet(db, demo, "未签字项目", confirmed=True)  # scorable, nobody signed it
    for n in range(20):  # more than one page of the list (20)
        _create(db, demo.users["demo-lead"], f"批量项目{n:02d}", demo.engagement.bureau_id)
    db.flush()
    client = login("demo-lead")
    page = client.get("/").get_data(as_text=True)
    assert "导出项目清单（Excel）" in page and 'href="/engagements.xlsx"' in page

    _sheet_, header, rows = _sheet(client.get("/engagements.xlsx"))
    assert header == HEADERS + SCORE_HEADERS
    for name in ("委托方", "当前阶段", "项目负责人", "计划完成"):
        assert f">{name}<" in page and name in HEADERS  # the page's own column names
    _page, total = services.list_for(db, user=demo.users["demo-lead"])
    codes = [row["项目编号"] for row in rows]
    assert len(codes) == len(set(codes)) == total > 20  # one row per engagement, every page

    by_title = {row["项目名称"]: row for row in rows}
    result, _leaves = scoring.compute(db, signed)
    assert (result.total, result.grade) == (Decimal("85.01"), "良")
    assert by_title[signed.title] == {
        "项目编号": signed.code,
        "项目名称": signed.title,
        "评价类型": signed.type_name,
        "预算年度": signed.budget_year,
        "委托方": db.get(Organisation, signed.bureau_id).name,
        "被评价单位": db.get(Organisation, signed.unit_id).name,
        "预算金额（元）": 1000000,
        "当前阶段": signed.stage_name,
        "项目负责人": demo.users["demo-lead"].display_name,
        "计划开始": None,
        "计划完成": None,
        "评分签字": "已签字",
        "签字日期": datetime.combine(local(get_system(db, signed).scores_signed_at).date(), time()),
        "签字时得分": 85.01,
        "签字时等级": "良",
    }
    # The unsigned one scores the same, and still shows no figure.
    assert scoring.compute(db, unsigned)[0].total == result.total
    assert [by_title[unsigned.title][h] for h in SCORE_HEADERS] == ["未签字", None, None, None]
    assert [by_title["批量项目00"][h] for h in SCORE_HEADERS] == ["未签字", None, None, None]
    assert by_title["批量项目00"]["被评价单位"] is None  # none named yet


def test_a_cleared_sign_off_shows_no_score(db, demo, login):
    engagement = _signed(db, demo, "撤销签字项目")
    client = login("demo-lead")
    _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?q=撤销签字"))
    assert [[row[h] for h in SCORE_HEADERS] for row in rows] == [["已签字", _today(), 85.01, "良"]]
    scoring.unsign(db, actor=demo.users["demo-lead"], engagement=engagement)
    db.flush()
    _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?q=撤销签字"))
    assert [[row[h] for h in SCORE_HEADERS] for row in rows] == [["未签字", None, None, None]]


def test_the_search_and_stage_of_the_page_apply(db, demo, login):
    _create(db, demo.users["demo-lead"], "筛选项目甲", demo.engagement.bureau_id)
    client = login("demo-lead")
    _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?q=筛选项目"))
    assert [row["项目名称"] for row in rows] == ["筛选项目甲"]
    _sheet_, _header, rows = _sheet(client.get(f"/engagements.xlsx?stage={demo.engagement.stage}"))
    assert demo.engagement.title in {row["项目名称"] for row in rows}
    assert {row["当前阶段"] for row in rows} == {demo.engagement.stage_name}
    _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?stage=archive"))
    assert rows == []
    page = client.get("/?q=筛选&stage=commission").get_data(as_text=True)
    assert f'href="/engagements.xlsx?q={quote("筛选")}&amp;stage=commission"' in page


def test_a_title_that_looks_like_a_formula_stays_text(db, demo, login):
    hostile = '=HYPERLINK("http://x","点我")'
    _create(db, demo.users["demo-lead"], hostile, demo.engagement.bureau_id)
    sheet, header, rows = _sheet(login("demo-lead").get("/engagements.xlsx?q=HYPERLINK"))
    assert [row["项目名称"] for row in rows] == [hostile]
    assert sheet.cell(row=2, column=header.index("项目名称") + 1).data_type == "s"


def test_each_person_gets_only_what_their_page_lists(db, demo, login):
    signed = _signed(db, demo, "可见性项目")
    _create(db, demo.users["demo-admin"], "管理员的项目", demo.engagement.bureau_id)
    other = accounts.create_org(db, actor=None, name="另一评价机构有限公司", kind=OrgKind.agency)
    admin2 = accounts.create_user(
        db, actor=None, username="admin-other", display_name="其他机构管理员",
        password="demo12345", org_id=other.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    _create(db, admin2, "外机构的项目", demo.engagement.bureau_id)
    db.flush()
    titles = {}
    for username in ("demo-lead", "demo-admin", "admin-other", "demo-bureau", "demo-bureau2",
                     "demo-expert", "demo-unit"):  # fmt: skip
        client = login(username)
        _sheet_, header, rows = _sheet(client.get("/engagements.xlsx"))
        page = client.get("/").get_data(as_text=True)
        titles[username] = {row["项目名称"] for row in rows}
        assert all(f">{title}</a>" in page for title in titles[username]), username
        agency = username in ("demo-lead", "demo-admin", "admin-other")  # a scoring page
        assert header == (HEADERS + SCORE_HEADERS if agency else HEADERS), username
    assert "管理员的项目" in titles["demo-admin"] and "管理员的项目" not in titles["demo-lead"]
    assert titles["admin-other"] == {"外机构的项目"}
    assert "外机构的项目" not in titles["demo-admin"] | titles["demo-lead"]
    assert signed.title in titles["demo-bureau"] and signed.title not in titles["demo-bureau2"]
    assert signed.title in titles["demo-expert"] & titles["demo-unit"]


def test_an_agency_member_without_the_scoring_page_gets_no_score(db, demo, login, make_user):
    """An agency account on the team only as an expert may not open the scoring page."""
    signed = _signed(db, demo, "专家身份项目")
    staff = make_user("agency", org=demo.orgs["示例绩效评价咨询有限公司"], username="staff-expert")
    member = services.add_member(
        db, actor=demo.users["demo-lead"], engagement=signed, user_id=staff.id, role="expert"
    )
    db.flush()
    assert member.role == "expert"
    _sheet_, header, rows = _sheet(login("staff-expert").get("/engagements.xlsx"))
    assert header == HEADERS + SCORE_HEADERS
    assert [[row[h] for h in SCORE_HEADERS] for row in rows] == [[None, None, None, None]]


def test_query_count_is_the_same_for_2_and_6_engagements(db, demo, login, count_queries):
    """Names and signed scores are read per list, not per row (half of them signed each time)."""
    client = login("demo-lead")
    for n in range(2):
        (_signed if n % 2 else with_sheet)(db, demo, f"计数项目{n}")
    with count_queries() as few:
        _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?q=计数项目"))
    assert len(rows) == 2
    for n in range(2, 6):
        (_signed if n % 2 else with_sheet)(db, demo, f"计数项目{n}")
    with count_queries() as many:
        _sheet_, _header, rows = _sheet(client.get("/engagements.xlsx?q=计数项目"))
    assert len(rows) == 6
    assert sum(row["评分签字"] == "已签字" for row in rows) == 3
    assert many.count == few.count, many.statements
    # The user, engagements, members, leads, organisations, sign-offs, the download.
    assert many.count <= 7, many.statements
