"""The engagement's findings list (问题清单) and its Excel (issue 21): every finding of every paper
in index order, the paper page's names, a bounded number of queries, stored text kept as text."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.fieldwork.helpers import PDF, indicators
from tests.permissions_roles import fresh_engagement
from workbench.core import storage
from workbench.core.timeutil import local
from workbench.fieldwork import findings, papers
from workbench.fieldwork.findings_export import HEADERS
from workbench.fieldwork.models import Evidence
from workbench.fieldwork.registers import list_findings


def _engagement(db, demo):
    """An engagement of the demo team with the sample indicator tree and nothing recorded yet."""
    engagement = fresh_engagement(db, demo, "问题清单")
    return engagement, indicators(db, engagement)


def _paper(db, demo, engagement, template, title, indicator_ids=()):
    created = papers.create_paper(
        db, actor=demo.users["demo-evaluator"], engagement=engagement, template_key=template,
        title=title, indicator_ids=list(indicator_ids),
    )  # fmt: skip
    db.flush()
    return created


def _find(db, demo, engagement, paper, who="demo-evaluator", **data):
    return findings.add_finding(
        db, actor=demo.users[who], engagement=engagement, paper=paper,
        data=findings.FindingInput(**data),
    )  # fmt: skip


def _evidence(db, engagement, paper, name):
    sha = storage.store(db, PDF + name.encode(), mime="application/pdf").sha256
    row = Evidence(
        engagement_id=engagement.id, paper_id=paper.id, sha256=sha, name=name, extension="pdf",
        mime="application/pdf", size=len(PDF), uploaded_by_id=paper.created_by_id,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["问题清单"]
    sheet = book["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]], sheet


@pytest.fixture()
def recorded(db, demo, ctx):
    """Two papers with findings recorded out of index order, one of each kind."""
    engagement, leaves = _engagement(db, demo)
    budget, basis = leaves["预算编制科学性"], leaves["立项依据充分性"]
    site = _paper(db, demo, engagement, "site_visit", "第一中心小学现场核查", [budget.id, basis.id])
    desk = _paper(db, demo, engagement, "desk_review", "预算资料审核")
    first, second = sorted([site, desk], key=lambda p: (p.index_no[:4], p.seq))
    proof = _evidence(db, engagement, site, "食堂账目.pdf")
    recorded = [
        _find(db, demo, engagement, desk, text="=SUM(A1:A3) 预算调整未报批"),
        _find(
            db,
            demo,
            engagement,
            site,
            who="demo-reviewer",
            text="3所学校食堂账目未单独核算",
            kind="deduction",
            indicator_id=budget.id,
            points=Decimal("1.5"),
            money=Decimal("12000.50"),
            evidence_ids=[proof.id],
        ),  # fmt: skip
        _find(
            db,
            demo,
            engagement,
            site,
            text="立项依据第二项部分满足",
            kind="element",
            indicator_id=basis.id,
            element_index=2,
            met=Decimal("0.5"),
        ),  # fmt: skip
    ]
    db.flush()
    order = [f for p in (first, second) for f in recorded if f.paper_id == p.id]
    return engagement, leaves, site, desk, order


def test_the_page_lists_every_finding_in_paper_order_with_its_paper_and_indicator(
    db, demo, login, recorded
):
    engagement, leaves, site, desk, order = recorded
    client = login("demo-lead")
    page = client.get(f"/engagements/{engagement.id}/findings").get_data(as_text=True)
    assert "导出问题清单（Excel）" in page
    for name in HEADERS:
        assert f">{name}<" in page  # the Excel's columns are the page's
    assert [int(part.split('"')[0]) for part in page.split('data-finding="')[1:]] == [
        f.id for f in order
    ]
    for paper in (site, desk):
        link = f'href="/engagements/{engagement.id}/papers/{paper.id}#findings">{paper.index_no}<'
        assert link in page
    budget = leaves["预算编制科学性"]
    assert f"{budget.level1}/{budget.level2}/{budget.name}" in page
    assert "3所学校食堂账目未单独核算" in page and "=SUM(A1:A3) 预算调整未报批" in page
    assert demo.users["demo-reviewer"].display_name in page
    here = f'aria-current="page" href="/engagements/{engagement.id}/findings">问题清单</a>'
    assert here in page  # its own tab, next to 工作底稿
    papers_page = client.get(f"/engagements/{engagement.id}/papers").get_data(as_text=True)
    assert f'class="dropdown-item" href="/engagements/{engagement.id}/findings">问题清单</a>' in (
        papers_page
    )
    assert f'id="findings-link" href="/engagements/{engagement.id}/findings"' in papers_page


def test_the_excel_has_the_page_columns_and_a_row_per_finding(db, demo, login, recorded):
    engagement, leaves, site, desk, order = recorded
    header, rows, sheet = _sheet(
        login("demo-lead").get(f"/engagements/{engagement.id}/findings.xlsx")
    )
    assert header == HEADERS
    assert [r["问题描述"] for r in rows] == [f.text for f in order]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    by_text = {r["问题描述"]: r for r in rows}
    deduction = by_text["3所学校食堂账目未单独核算"]
    budget = leaves["预算编制科学性"]
    assert deduction == {
        **deduction,
        "底稿索引号": site.index_no,
        "底稿名称": site.title,
        "类型": "扣分",
        "对应指标": f"{budget.level1}/{budget.level2}/{budget.name}",
        "扣分": 1.5,
        "评价要点序号": None,
        "达成度": None,
        "涉及金额（元）": 12000.5,
        "佐证材料": 1,
        "记录人": demo.users["demo-reviewer"].display_name,
    }
    recorded_at = next(f for f in order if f.text == deduction["问题描述"]).created_at
    wall = local(recorded_at).replace(tzinfo=None)
    assert abs((deduction["记录时间"] - wall).total_seconds()) < 1
    element = by_text["立项依据第二项部分满足"]
    assert (element["类型"], element["评价要点序号"], element["达成度"]) == ("评价要点判断", 2, 0.5)
    observation = by_text["=SUM(A1:A3) 预算调整未报批"]
    assert (observation["底稿索引号"], observation["对应指标"], observation["扣分"]) == (
        desk.index_no, None, None,
    )  # fmt: skip
    assert observation["类型"] == findings.KIND_NAMES[findings.FindingKind.observation]
    formula_like = next(c for c in sheet["F"] if c.value == observation["问题描述"])
    assert formula_like.data_type == "s"  # stays text, never a formula


def test_no_findings_yet(db, demo, login):
    engagement, _leaves = _engagement(db, demo)
    _paper(db, demo, engagement, "desk_review", "尚无问题的底稿")
    client = login("demo-evaluator")
    page = client.get(f"/engagements/{engagement.id}/findings").get_data(as_text=True)
    assert 'id="no-findings"' in page and "尚未记录发现的问题" in page
    assert 'id="findings"' not in page and "导出问题清单（Excel）" in page
    header, rows, _sheet_ = _sheet(client.get(f"/engagements/{engagement.id}/findings.xlsx"))
    assert header == HEADERS and rows == []


def test_another_engagements_findings_never_appear(db, demo, login, recorded):
    engagement, _leaves, _site, _desk, order = recorded
    ours = {f.text for f in order}
    client = login("demo-lead")
    page = client.get(f"/engagements/{demo.engagement.id}/findings").get_data(as_text=True)
    _header, rows, _sheet_ = _sheet(client.get(f"/engagements/{demo.engagement.id}/findings.xlsx"))
    demo_rows = list_findings(db, engagement=demo.engagement)
    assert demo_rows and [r["问题描述"] for r in rows] == [r.finding.text for r in demo_rows]
    assert not ours & {r["问题描述"] for r in rows}
    assert all(text not in page for text in ours)
    _header, fresh, _sheet_ = _sheet(client.get(f"/engagements/{engagement.id}/findings.xlsx"))
    assert {r["问题描述"] for r in fresh} == ours


def test_unit_and_bureau_get_the_papers_list_refusal_on_both(db, demo, login):
    base = f"/engagements/{demo.engagement.id}"
    for username in ("demo-unit", "demo-bureau"):
        client = login(username)
        refused = client.get(f"{base}/papers").status_code
        assert refused in (403, 404)
        assert client.get(f"{base}/findings").status_code == refused
        assert client.get(f"{base}/findings.xlsx").status_code == refused


def test_queries_stay_bounded_however_many_findings(db, demo, login, count_queries, recorded):
    engagement, leaves, _site, _desk, _order = recorded
    with count_queries() as service:
        rows = list_findings(db, engagement=engagement)
    assert len(rows) == 3 and service.count == 3, service.statements
    client = login("demo-lead")
    with count_queries() as few:
        client.get(f"/engagements/{engagement.id}/findings")
    budget = leaves["预算编制科学性"]
    for n in range(12):
        paper = _paper(db, demo, engagement, "site_visit", f"追加底稿{n}", [budget.id])
        _find(db, demo, engagement, paper, who=("demo-lead", "demo-evaluator")[n % 2],
              text=f"追加问题{n}", indicator_id=budget.id)  # fmt: skip
    with count_queries() as many:
        page = client.get(f"/engagements/{engagement.id}/findings").get_data(as_text=True)
    assert page.count("data-finding=") == 15
    # the user, the engagement, then findings (with papers), indicators, recorders
    assert many.count == few.count == 5, many.statements
