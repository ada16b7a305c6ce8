"""Helpers of the reports tests: opening stored versions, writing every section, signing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import docx
from sqlmodel import select

import workbench
from workbench.core import storage
from workbench.indicators.models import Indicator
from workbench.reports.services import sections as drafting
from workbench.reports.services import signoffs
from workbench.scoring import sources

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
# The expected leaf scores of the sample sheet (samples/README.md), in tree order.
EXPECTED_LEAVES = [
    ("立项依据充分性", "2.63"), ("立项程序规范性", "2.00"), ("绩效目标合理性", "2.10"),
    ("绩效指标明确性", "2.63"), ("预算编制科学性", "3.00"), ("资金分配合理性", "4.00"),
    ("资金到位率", "3.84"), ("预算执行率", "3.36"), ("资金使用合规性", "3.00"),
    ("管理制度健全性", "2.00"), ("制度执行有效性", "2.10"), ("受益学生人数", "5.88"),
    ("供餐天数", "4.80"), ("食品安全抽检合格率", "5.91"), ("营养餐标准达标率", "4.00"),
    ("资金拨付及时性", "4.00"), ("生均每日补助标准", "3.85"), ("成本节约率", "2.50"),
    ("学生营养健康状况改善", "4.50"), ("学生出勤率", "3.96"), ("带动本地农产品采购", "不适用"),
    ("长效管理机制建立情况", "3.20"), ("学生满意度", "4.35"), ("家长满意度", "4.00"),
]  # fmt: skip


def open_version(version) -> docx.document.Document:
    return docx.Document(io.BytesIO(storage.read(version.sha256)))


def write_all(db, engagement, actor, deliverable: str = "report", body: str = "<p>正文。</p>"):
    """Give every section of the deliverable some text (as `actor`)."""
    for view in drafting.ensure_sections(db, engagement, deliverable):
        if not view.row.has_content:
            drafting.save_section(
                db,
                actor=actor,
                engagement=engagement,
                section=view.row,
                content=body,
                version=view.row.version,
            )
    db.flush()


def section(db, engagement, key: str, deliverable: str = "report"):
    views = drafting.ensure_sections(db, engagement, deliverable)
    return next(v.row for v in views if v.row.key == key)


def sign_three(db, demo) -> None:
    """编制 by the evaluator, 复核 by the reviewer, 批准 by the lead."""
    e = demo.engagement
    for level, username in (("prepare", "demo-evaluator"), ("review", "demo-reviewer"),
                            ("approve", "demo-lead")):  # fmt: skip
        signoffs.sign(db, actor=demo.users[username], engagement=e, level=level)
    db.flush()


def finding_provider(monkeypatch, db, engagement) -> None:
    """A fieldwork-like provider: two findings with paper index numbers on 资金使用合规性."""
    target = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == engagement.id, Indicator.name == "资金使用合规性"
        )
    ).one()

    def provide(_db, found_engagement) -> dict:
        if found_engagement.id != engagement.id:
            return {}
        return {
            target.id: sources.LeafInputs(findings=(
                {"text": "2所学校以现金支付食材款。", "paper_index": "D-04-03",
                 "paper_id": 1, "amount": Decimal("0.50")},
                {"text": "食堂采购发票与入库单不符{{ x }}。", "paper_index": "D-04-05",
                 "paper_id": 2, "amount": Decimal("1.00")},
            ))
        }  # fmt: skip

    monkeypatch.setattr(sources, "PROVIDERS", [*sources.PROVIDERS, provide])


def sample_engagement(db, demo):
    """A fresh engagement holding exactly the sample indicator sheet (85.01, 良), lead signed."""
    from workbench.engagements import services as engagements
    from workbench.indicators import transfer

    lead = demo.users["demo-lead"]
    engagement = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="2024年度农村义务教育学生营养改善计划补助资金绩效评价",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=2024,
            budget_amount=Decimal("38600000"),
        ),
    )
    for kind in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=engagement, kind=kind)
    sheet = SAMPLES / "indicator_sheet_example.xlsx"
    transfer.import_sheet(
        db, actor=lead, engagement=engagement, filename=sheet.name, data=sheet.read_bytes()
    )
    db.flush()
    return engagement


EX_ANTE_DIMENSIONS = ["立项必要性", "投入经济性", "绩效目标合理性", "实施方案可行性", "筹资合规性"]


def ex_ante_engagement(db, demo, scores: list[int]):
    """An ex-ante engagement of the demo's bureau: five dimensions of 20 points, scored by hand."""
    from workbench.engagements import services as engagements

    lead = demo.users["demo-lead"]
    engagement = engagements.create(db, actor=lead, data=engagements.EngagementInput(
        title="2026年度食堂改造项目事前绩效评估", type="ex_ante",
        bureau_id=demo.engagement.bureau_id, budget_year=2026))  # fmt: skip
    for kind in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=engagement, kind=kind)
    for i, (dim, score) in enumerate(zip(EX_ANTE_DIMENSIONS, scores, strict=True)):
        db.add(Indicator(engagement_id=engagement.id, position=i, level1=dim, level2=dim,
                         name=f"{dim}要点", weight=20, rule="manual", score=score,
                         justification="专家论证"))  # fmt: skip
    db.flush()
    return engagement
