"""Generated documents of the demo: process statements, signatures and the closing block."""

from __future__ import annotations

import re
from collections import Counter

from sqlmodel import select

from tests.reports.report_helpers import open_version, sign_three, write_all
from workbench.core.timeutil import today_local
from workbench.fieldwork.models import WorkingPaper
from workbench.reports import services

BLANK = "__________"


def _texts(db, demo, kind: str, engagement=None) -> list[str]:
    version = services.generate(
        db, actor=demo.users["demo-lead"], engagement=engagement or demo.engagement, kind=kind
    )
    return [p.text for p in open_version(version).paragraphs]


def test_report_process_counts_papers_by_review_state(ctx, db, demo):
    papers = db.exec(
        select(WorkingPaper).where(WorkingPaper.engagement_id == demo.engagement.id)
    ).all()
    states = Counter(p.status for p in papers if p.status != "draft")
    assert states["approved"] < sum(states.values())  # the demo is mid-review
    process = next(t for t in _texts(db, demo, "report") if "共形成工作底稿" in t)
    assert "底稿均经三级复核" not in process
    assert f"共形成工作底稿{sum(states.values())}份" in process
    assert f"（三级复核完成）{states['approved']}份" in process
    assert f"已复核、待项目负责人批准{states['reviewed']}份" in process
    assert f"已编制、待复核{states['prepared']}份" in process


def test_report_closing_block_blank_until_signed_in_the_app(ctx, db, demo):
    today = today_local()
    texts = _texts(db, demo, "report")
    agency = next(t for t in texts if t.startswith("评价机构（盖章）："))
    assert agency != "评价机构（盖章）："
    at = texts.index(agency)
    assert texts[at - 2 : at + 2] == [
        f"项目负责人（签字）：{BLANK}",
        f"主评人（签字）：{BLANK}",
        agency,
        f"{today.year}年{today.month}月{today.day}日",
    ]
    write_all(db, demo.engagement, demo.users["demo-lead"])
    sign_three(db, demo)
    texts = _texts(db, demo, "report")
    assert "项目负责人（签字）：李项目" in texts
    assert "主评人（签字）：张评价" in texts


def test_ex_ante_plan_speaks_of_assessment(ctx, db, demo):
    from workbench.engagements import services as engagements

    lead = demo.users["demo-lead"]
    e = engagements.create(db, actor=lead, data=engagements.EngagementInput(
        title="2026年度食堂改造项目事前绩效评估", type="ex_ante",
        bureau_id=demo.engagement.bureau_id, budget_year=2026))  # fmt: skip
    for kind in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=e, kind=kind)
    texts = _texts(db, demo, "plan", e)
    headings = [t for t in texts if re.match(r"^[一二三四五六七八九十]+、|^（[一二]）", t)]
    assert "一、评估对象和范围" in headings and "三、评估方法和评估标准" in headings
    assert "七、评估工作组及分工" in headings
    assert not [h for h in headings if "评价" in h]
    assert any(t.startswith("本次评估对象为") for t in texts)
