"""Demo: the shipped packs in the library, and one colleague's proposal waiting for review."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from workbench.library import services
from workbench.library.content import BenchmarkValue, LeafContent
from workbench.library.models import LibraryIndicator

DEMO_PROPOSAL = LeafContent(
    level1="产出",
    level2="产出质量",
    name="营养餐供餐食谱达标率",
    definition=(
        "按营养标准编制并执行的带量食谱餐次占供餐总餐次的比例，用以反映学生营养餐的营养质量。"
        "达标率＝符合营养标准的供餐餐次÷供餐总餐次×100%。"
    ),
    points=(
        "核实学校是否按《学生餐营养指南》编制带量食谱",
        "抽查供餐记录与食谱的一致性",
        "核实食谱营养分析结果",
    ),
    evidence=("带量食谱及营养分析表", "学校供餐台账", "现场抽查记录"),
    standard_type="行业标准",
    rule="ratio",
    weight=Decimal(4),
    target="≥95%",
    scoring="得分＝达标率÷目标值×分值，最高不超过分值。",
    tags=("学生营养", "食品安全"),
    benchmarks=(BenchmarkValue("92.3%", 2021, "示例市学生营养改善计划年度报告（演示数据）"),),
)


def fill(session: Session, engagement, users) -> None:
    """Load the packs when the library is empty; add a pending proposal by the evaluator."""
    if session.exec(select(LibraryIndicator.id)).first() is None:
        services.load_shipped(session)
    evaluator = users.get("demo-evaluator")
    if evaluator is None:
        return
    exists = session.exec(
        select(LibraryIndicator.id).where(LibraryIndicator.name == DEMO_PROPOSAL.name)
    ).first()
    if exists is None:
        created = services.create_personal(
            session,
            actor=evaluator,
            data=DEMO_PROPOSAL,
            sector="教育",
            engagement_types=["project"],
            change_note=f"来自项目“{engagement.title}”的实践",
        )
        services.propose(session, actor=evaluator, indicator=created, version=created.version)
