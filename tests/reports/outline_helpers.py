"""Engagements of any type and bureau holding the sample indicator sheet (outline-profile tests)."""

from __future__ import annotations

from decimal import Decimal

from tests.reports.report_helpers import SAMPLES
from workbench.engagements import services as engagements
from workbench.indicators import transfer


def engagement_of(db, demo, kind: str, *, bureau_id: int | None = None, title: str = ""):
    """A fresh engagement of type ``kind`` for the bureau, the sample sheet imported (85.01, 良)."""
    lead = demo.users["demo-lead"]
    engagement = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title=title or f"2024年度营养改善计划补助资金（{kind}）",
            type=kind,
            bureau_id=bureau_id or demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=2024,
            budget_amount=Decimal("38600000"),
        ),
    )
    for declaration in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=engagement, kind=declaration)
    sheet = SAMPLES / "indicator_sheet_example.xlsx"
    transfer.import_sheet(
        db, actor=lead, engagement=engagement, filename=sheet.name, data=sheet.read_bytes()
    )
    db.flush()
    return engagement


def bureau2_id(demo) -> int:
    """The second demo bureau, which commissions nothing of the demo engagement."""
    return demo.users["demo-bureau2"].org_id


def project_context(inputs) -> dict:
    """evaluation_report.docx's context of pure inputs along the shipped project profile."""
    from workbench.reports import context_outline, outlines

    return context_outline.report_context(inputs, [], outlines.shipped("project"))


def paragraphs_of(context: dict, key: str) -> list[str]:
    """The paragraphs of the outline section ``key`` in a report context."""
    return next(
        item["paragraphs"]
        for chapter in context["outline"]
        for item in chapter["contents"]
        if item.get("key") == key
    )
