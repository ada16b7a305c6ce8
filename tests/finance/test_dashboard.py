"""The firm-wide deposit dashboard, its Excel export and the home-page panel."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.finance.conftest import contract_data
from workbench.accounts.models import OrgKind
from workbench.accounts.services import get_or_create_org
from workbench.core.timeutil import today_local
from workbench.finance import services
from workbench.finance.export import workbook

D = Decimal


@pytest.fixture()
def portfolio(db, demo, fresh):
    """Four engagements besides the demo: overdue, due in 10 days, due in 60 days, closed."""
    lead, bureau = demo.users["demo-lead"], demo.users["demo-bureau"]
    today = today_local()
    county = get_or_create_org(db, actor=None, name="示例县财政局", kind=OrgKind.bureau)

    def book(title, fee, score, accepted, bureau_id=None, signed=date(2026, 3, 1)):
        e = fresh(title=title, bureau_id=bureau_id)
        services.create_contract(
            db,
            actor=lead,
            engagement=e,
            data=contract_data(number=f"HT-{title}", fee=D(fee), signed_on=signed),
        )
        if score is not None:
            services.apply_quality_rating(
                db, actor=bureau, engagement=e, score=D(score), rated_at=accepted
            )
        db.flush()
        return e

    overdue = book("逾期项目", "200000.00", "85", today - timedelta(days=40))
    soon = book("即将到期", "100000.00", "95", today - timedelta(days=20))
    later = book(
        "县局项目", "300000.00", "70", today + timedelta(days=30), county.id, date(2025, 6, 1)
    )
    closed = book("不予释放", "50000.00", "40", today - timedelta(days=5))
    services.record_release(
        db, actor=lead, engagement=overdue, amount=D("6000.00"), paid_on=today - timedelta(days=1)
    )
    db.flush()
    return type(
        "Portfolio",
        (),
        {"overdue": overdue, "soon": soon, "later": later, "closed": closed, "today": today},
    )


def test_dashboard_figures(db, demo, portfolio):
    board = services.dashboard(db, user=demo.users["demo-admin"], today=portfolio.today)
    by_id = {r.engagement.id: r for r in board.rows}
    assert {r.engagement.id for r in board.overdue} == {portfolio.overdue.id}
    assert {r.engagement.id for r in board.due_soon} == {portfolio.soon.id}
    assert {r.engagement.id for r in board.outstanding} == {
        portfolio.overdue.id,
        portfolio.soon.id,
        portfolio.later.id,
        demo.engagement.id,
    }
    # 200,000 × 10% = 20,000; score 85 → 16,000 to release, 6,000 paid → 10,000 overdue.
    overdue = by_id[portfolio.overdue.id]
    assert (overdue.release, overdue.release_outstanding) == (D("16000.00"), D("10000.00"))
    assert overdue.status.value == "overdue"
    assert by_id[portfolio.closed.id].status.value == "closed"
    total = board.total
    assert total.count == 5
    assert total.fee == D("1130000.00")  # 480,000 + 200,000 + 100,000 + 300,000 + 50,000
    assert total.deposit == D("113000.00")
    assert total.withheld == D("65000.00")  # 20,000 + 10,000 + 30,000 + 5,000 (demo: none yet)
    assert total.released == D("6000.00")
    assert total.forfeited == D("9000.00")  # 4,000 of the overdue one + 5,000 closed
    assert total.outstanding == D("50000.00")
    assert total.overdue == D("10000.00")
    bureaus = {g.label: g for g in board.by_bureau}
    assert set(bureaus) == {"示例市财政局", "示例县财政局"}
    assert (bureaus["示例县财政局"].count, bureaus["示例县财政局"].deposit) == (1, D("30000.00"))
    assert bureaus["示例市财政局"].outstanding == D("20000.00")
    years = {g.label: g.count for g in board.by_year}
    demo_year = services.contract_for(db, demo.engagement).signed_on.year
    expected = {"2026年": 3, "2025年": 1}
    expected[f"{demo_year}年"] = expected.get(f"{demo_year}年", 0) + 1
    assert years == expected


def test_leads_see_their_engagements_only(db, demo, portfolio, make_user):
    lead_board = services.dashboard(db, user=demo.users["demo-lead"], today=portfolio.today)
    assert lead_board.total.count == 5
    evaluator_board = services.dashboard(
        db, user=demo.users["demo-evaluator"], today=portfolio.today
    )
    assert evaluator_board.rows == [] and evaluator_board.total.count == 0
    assert services.dashboard(db, user=demo.users["demo-bureau"], today=portfolio.today).rows == []
    stranger = make_user("agency", role="admin")  # an admin of another agency
    assert services.dashboard(db, user=stranger, today=portfolio.today).rows == []
    overdue = services.overdue_for(db, user=demo.users["demo-lead"], today=portfolio.today)
    assert [r.engagement.id for r in overdue] == [portfolio.overdue.id]
    assert services.overdue_for(db, user=demo.users["demo-evaluator"], today=portfolio.today) == []


def test_excel_export_holds_the_figures(db, demo, portfolio):
    board = services.dashboard(db, user=demo.users["demo-admin"], today=portfolio.today)
    book = load_workbook(BytesIO(workbook(board)))
    assert book.sheetnames == ["保证金明细", "按委托方汇总", "按年度汇总"]
    detail = book["保证金明细"]
    header = [c.value for c in detail[1]]
    assert header[:6] == ["项目编号", "项目名称", "委托方", "签约年度", "合同编号", "合同金额"]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in detail.iter_rows(2, values_only=True)}
    row = rows["逾期项目"]
    assert D(str(row["合同金额"])) == D("200000")
    assert D(str(row["质量保证金"])) == D("20000")
    assert D(str(row["应释放"])) == D("16000")
    assert D(str(row["已释放"])) == D("6000")
    assert D(str(row["不予释放"])) == D("4000")
    assert row["释放比例"] == "0.80" and row["状态"] == "逾期未释放"
    assert row["保证金比例"] == "10.00%" and D(str(row["质量考核得分"])) == D("85")
    assert detail.cell(row=2, column=6).number_format == "#,##0.00"
    by_bureau = book["按委托方汇总"]
    last = [c.value for c in by_bureau[by_bureau.max_row]]
    assert last[0] == "合计" and last[1] == 5 and D(str(last[3])) == D("113000")
    assert D(str(last[8])) == D("10000")
    years = {r[0]: r[1] for r in book["按年度汇总"].iter_rows(2, values_only=True)}
    assert years["2025年"] == 1 and years["合计"] == 5


def test_dashboard_page_and_export_over_http(login, db, demo, portfolio):
    c = login("demo-admin")
    html = c.get("/finance/deposits").get_data(as_text=True)
    assert "逾期项目" in html and "即将到期" in html and "县局项目" in html
    assert "10,000.00" in html and "113,000.00" in html
    response = c.get("/finance/deposits.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    assert load_workbook(BytesIO(response.data))["保证金明细"].max_row == 6
    assert login("demo-evaluator").get("/finance/deposits").status_code == 200
    assert "逾期项目" not in login("demo-evaluator").get("/finance/deposits").get_data(as_text=True)
    assert login("demo-bureau").get("/finance/deposits").status_code == 403


def test_home_panel_shows_overdue_to_admin_and_lead(login, db, demo, portfolio):
    for username in ("demo-admin", "demo-lead"):
        html = login(username).get("/").get_data(as_text=True)
        assert 'id="overdue-deposits"' in html and "逾期项目" in html and "10,000.00" in html
    for username in ("demo-evaluator", "demo-bureau", "demo-unit"):
        assert 'id="overdue-deposits"' not in login(username).get("/").get_data(as_text=True)


def test_dashboard_query_count_is_bounded(login, db, demo, portfolio, fresh, count_queries):
    for i in range(8):
        e = fresh(title=f"批量{i}")
        services.create_contract(
            db, actor=demo.users["demo-lead"], engagement=e, data=contract_data(number=f"B{i}")
        )
    db.flush()
    c = login("demo-admin")
    with count_queries() as counter:
        assert c.get("/finance/deposits").status_code == 200
    assert counter.count <= 4, counter.statements
