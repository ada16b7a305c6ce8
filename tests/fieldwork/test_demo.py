"""The demo's fieldwork: papers from templates, a request to demo-unit, findings, sign-offs."""

from decimal import Decimal

from flask import has_app_context
from sqlmodel import select

from workbench.engagements import services as engagements
from workbench.fieldwork import demo as fieldwork_demo
from workbench.fieldwork.models import DocumentRequest, Evidence, Finding, WorkingPaper
from workbench.fieldwork.requests import items_of
from workbench.fieldwork.sources import paper_findings
from workbench.indicators.models import Indicator
from workbench.indicators.services import to_leaf
from workbench.scoring.calculator import score_leaf


def _papers(db, engagement):
    rows = db.exec(select(WorkingPaper).where(WorkingPaper.engagement_id == engagement.id)).all()
    return {p.title: p for p in rows}


def test_demo_shows_a_realistic_fieldwork_stage(db, demo):
    papers = _papers(db, demo.engagement)
    assert (
        papers["评价资料需求清单"].index_no == "D-01-01"
        and papers["评价资料需求清单"].status == "approved"
    )
    assert papers["示例市第一中心小学食堂现场核查"].status == "approved"
    assert papers["学校后勤主任访谈"].status == "draft"
    request = db.exec(
        select(DocumentRequest).where(DocumentRequest.engagement_id == demo.engagement.id)
    ).one()
    assert (
        request.contact_user_id == demo.users["demo-unit"].id
        and request.paper_id == papers["评价资料需求清单"].id
    )
    statuses = [i.status for i in items_of(db, [request.id])[request.id]]
    assert (
        statuses.count("received") == 3
        and statuses.count("waived") == 1
        and statuses.count("requested") == 2
    )
    leaves = {
        i.name: i
        for i in db.exec(
            select(Indicator).where(Indicator.engagement_id == demo.engagement.id)
        ).all()
    }
    if "资金使用合规性" in leaves:  # the indicators demo ran first
        out = paper_findings(db, demo.engagement)
        target = leaves["资金使用合规性"]
        assert out[target.id].deductions == (Decimal("0.50"), Decimal("0.50"), Decimal("1.00"))
        assert all(f["paper_index"] == "D-08-01" for f in out[target.id].findings)
        for name, score in (
            ("资金使用合规性", "3.00"),
            ("预算编制科学性", "3.00"),
            ("立项程序规范性", "2.00"),
        ):
            leaf = leaves[name]
            assert score_leaf(to_leaf(leaf, out.get(leaf.id))).score == Decimal(score), name


def test_fill_without_indicators_or_storage_still_works(db, demo):
    lead = demo.users["demo-lead"]
    other = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="无指标的演示",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=2025,
        ),
    )
    for username, role in (
        ("demo-evaluator", "evaluator"),
        ("demo-reviewer", "reviewer"),
        ("demo-unit", "unit"),
    ):
        engagements.add_member(
            db, actor=lead, engagement=other, user_id=demo.users[username].id, role=role
        )
    for username in ("demo-lead", "demo-evaluator", "demo-reviewer"):
        for kind in ("independence", "confidentiality"):
            engagements.sign_declaration(
                db, actor=demo.users[username], engagement=other, kind=kind
            )
    stored = 5 if has_app_context() else 0  # evidence files need the application's storage
    fieldwork_demo.fill(db, other, demo.users)
    papers = _papers(db, other)
    assert not any(p.template_key == "indicator_scoring" for p in papers.values())
    assert {
        "评价资料需求清单",
        "资料接收登记",
        "示例市第一中心小学食堂现场核查",
        "营养改善计划资金财务核查",
    } <= set(papers)
    ids = [p.id for p in papers.values()]
    assert db.exec(select(Finding).where(Finding.paper_id.in_(ids))).all() == []
    assert len(db.exec(select(Evidence).where(Evidence.engagement_id == other.id)).all()) == stored
