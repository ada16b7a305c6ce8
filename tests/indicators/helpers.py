"""Shared helpers of the indicator and scoring tests: engagements, the sample sheet, sheet files."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlmodel import select

import workbench
from workbench.core.audit import AuditEntry
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind, Engagement
from workbench.indicators import services, transfer
from workbench.indicators.models import Indicator

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
SAMPLE = SAMPLES / "indicator_sheet_example.xlsx"
HEADER = ["一级指标", "二级指标", "三级指标", "分值", "规则", "参数", "目标值", "实际值", "得分"]

# The expected leaf scores of samples/README.md (None: not applicable).
EXPECTED = {
    "立项依据充分性": "2.63",
    "立项程序规范性": "2.00",
    "绩效目标合理性": "2.10",
    "绩效指标明确性": "2.63",
    "预算编制科学性": "3.00",
    "资金分配合理性": "4.00",
    "资金到位率": "3.84",
    "预算执行率": "3.36",
    "资金使用合规性": "3.00",
    "管理制度健全性": "2.00",
    "制度执行有效性": "2.10",
    "受益学生人数": "5.88",
    "供餐天数": "4.80",
    "食品安全抽检合格率": "5.91",
    "营养餐标准达标率": "4.00",
    "资金拨付及时性": "4.00",
    "生均每日补助标准": "3.85",
    "成本节约率": "2.50",
    "学生营养健康状况改善": "4.50",
    "学生出勤率": "3.96",
    "带动本地农产品采购": None,
    "长效管理机制建立情况": "3.20",
    "学生满意度": "4.35",
    "家长满意度": "4.00",
}


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def new_engagement(
    db, demo, *, title: str = "测试项目", roles=("evaluator", "expert")
) -> Engagement:
    """A fresh engagement led by demo-lead with signed members (demo-evaluator, demo-expert…)."""
    lead = demo.users["demo-lead"]
    engagement = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title=title, type="project", bureau_id=demo.engagement.bureau_id, budget_year=2025
        ),
    )
    people = {"evaluator": "demo-evaluator", "expert": "demo-expert", "reviewer": "demo-reviewer"}
    for role in roles:
        engagements.add_member(
            db,
            actor=lead,
            engagement=engagement,
            user_id=demo.users[people[role]].id,
            role=role,
        )
    for username in ["demo-lead", *(people[r] for r in roles)]:
        for kind in DeclarationKind:
            engagements.sign_declaration(
                db, actor=demo.users[username], engagement=engagement, kind=kind
            )
    db.flush()
    return engagement


def import_sample(db, engagement, actor) -> transfer.ImportOutcome:
    outcome = transfer.import_sheet(
        db, actor=actor, engagement=engagement, filename=SAMPLE.name, data=sample_bytes()
    )
    db.flush()
    return outcome


def indicators_of(db, engagement) -> list[Indicator]:
    db.expire_all()
    return services.list_indicators(db, engagement)


def by_name(db, engagement) -> dict[str, Indicator]:
    return {item.name: item for item in indicators_of(db, engagement)}


def audits(db, action: str, engagement=None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if engagement is not None:
        stmt = stmt.where(AuditEntry.engagement_id == engagement.id)
    return list(db.exec(stmt.order_by(AuditEntry.id)).all())


def xlsx(rows: list[list], *, header=HEADER, grades: list[list] | None = None) -> bytes:
    """An indicator sheet with the given header and rows (and an optional 等级 sheet)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "指标体系"
    ws.append(header)
    for row in rows:
        ws.append(row)
    if grades is not None:
        sheet = workbook.create_sheet("等级")
        for row in grades:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def small_tree(weights=(40, 30, 30)) -> list[list]:
    """Three ratio leaves (产出 70, 效益 30 by default) as sheet rows with actual values."""
    names = [
        ("产出", "产出数量", "完成率"),
        ("产出", "产出质量", "合格率"),
        ("效益", "满意度", "满意度"),
    ]
    return [
        [*path, weight, "ratio", "", "100%", "90%", None]
        for path, weight in zip(names, weights, strict=True)
    ]


def dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
