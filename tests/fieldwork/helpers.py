"""Test data for fieldwork: the sample indicator tree on an engagement, papers, small files."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from sqlmodel import select

import workbench
from workbench.fieldwork import findings, papers, review
from workbench.indicators.models import Indicator

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def indicators(db, engagement) -> dict[str, Indicator]:
    """The engagement's indicators by name; the sample sheet's tree when it has none yet."""
    rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    if not rows:
        from workbench.indicators.sheet import read_sheet

        parsed = read_sheet(SAMPLES / "indicator_sheet_example.xlsx")
        for position, leaf in enumerate(parsed.leaves):
            db.add(
                Indicator(
                    engagement_id=engagement.id,
                    position=position,
                    level1=leaf.path[0],
                    level2=leaf.path[1],
                    name=leaf.path[2],
                    weight=leaf.weight,
                    rule=leaf.rule or "manual",
                    params=leaf.params or "",
                    target=leaf.target or "",
                    actual=leaf.actual or "",
                    score=leaf.score,
                    not_applicable=leaf.not_applicable,
                    na_reason=leaf.na_reason,
                )
            )
        db.flush()
        rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    return {i.name: i for i in rows}


def paper(db, demo, template: str = "site_visit", *, user: str = "demo-evaluator", **kwargs):
    """A new paper of the demo engagement created by `user`."""
    created = papers.create_paper(
        db,
        actor=demo.users[user],
        engagement=demo.engagement,
        template_key=template,
        **kwargs,
    )
    db.flush()
    return created


SITE_VALUES = {"site": "第一中心小学", "visit_date": "2025-03-08", "summary": "运行规范"}


def signed_paper(db, demo, levels=("prepare", "review", "approve"), **kwargs):
    """A site-visit paper signed up to the given levels by evaluator, reviewer, lead."""
    created = paper(db, demo, values=dict(SITE_VALUES), **kwargs)
    who = {"prepare": "demo-evaluator", "review": "demo-reviewer", "approve": "demo-lead"}
    for level in levels:
        review.sign(
            db, actor=demo.users[who[level]], engagement=demo.engagement, paper=created, level=level
        )
    db.flush()
    return created


def jpeg(taken: str | None = "2025:03:08 10:24:05", color=(10, 120, 200)) -> bytes:
    """A small JPEG, with an EXIF capture time when `taken` is given."""
    from PIL import Image

    image = Image.new("RGB", (16, 16), color)
    buffer = BytesIO()
    if taken:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = taken
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "明细"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def judge(db, engagement, user, paper, indicator_ids) -> None:
    """The paper judges each indicator: a finding recorded for it (the fieldwork gate's rule)."""
    for indicator_id in indicator_ids:
        findings.add_finding(
            db, actor=user, engagement=engagement, paper=paper,
            data=findings.FindingInput(text="已核查佐证材料，情况属实", indicator_id=indicator_id),
        )  # fmt: skip


def complete_fieldwork(db, engagement, users) -> None:
    """Satisfy the fieldwork gate: every paper approved, notes resolved, every item received,
    and one approved scoring paper supporting every applicable leaf (for tests of later stages)."""
    from workbench.fieldwork.gates import fieldwork_gate
    from workbench.fieldwork.models import WorkingPaper
    from workbench.fieldwork.request_models import DocumentRequest, RequestItem

    who = {"prepare": "demo-evaluator", "review": "demo-reviewer", "approve": "demo-lead"}
    rows = db.exec(select(WorkingPaper).where(WorkingPaper.engagement_id == engagement.id)).all()
    for p in rows:
        for thread in review.threads(db, p.id):
            if thread.note.status == "open":
                review.set_note_status(
                    db, actor=users["demo-reviewer"], engagement=engagement, paper=p,
                    note_id=thread.note.id, resolved=True,
                )  # fmt: skip
        if p.status in ("draft", "returned"):
            filled = dict(p.values)
            for spec in papers.paper_fields(p):
                if spec.required and not filled.get(spec.key):
                    filled[spec.key] = "2025-03-08" if spec.type == "date" else (
                        "1" if spec.type in ("number", "money") else spec.choices[0] if spec.choices else "已完成"
                    )  # fmt: skip
            p.values = filled
            db.add(p)
        order = {"draft": 0, "returned": 0, "prepared": 1, "reviewed": 2, "approved": 3}[p.status]
        for level in ("prepare", "review", "approve")[order:]:
            review.sign(db, actor=users[who[level]], engagement=engagement, paper=p, level=level)
    items = db.exec(
        select(RequestItem)
        .join(DocumentRequest, DocumentRequest.id == RequestItem.request_id)
        .where(DocumentRequest.engagement_id == engagement.id, RequestItem.status == "requested")
    ).all()
    for item in items:
        item.status = "received"
        db.add(item)
    db.flush()
    leaves = [
        i.id
        for i in db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
        if not i.not_applicable
    ]
    if any("作出判断" in b.text or "尚未编制" in b.text for b in fieldwork_gate(db, engagement)):
        support = papers.create_paper(
            db, actor=users["demo-evaluator"], engagement=engagement, template_key="indicator_scoring",
            title="综合评分底稿", indicator_ids=leaves, values={"judgement": "已核", "score": "1"},
        )  # fmt: skip
        judge(db, engagement, users["demo-evaluator"], support, leaves)
        for level in ("prepare", "review", "approve"):
            review.sign(
                db, actor=users[who[level]], engagement=engagement, paper=support, level=level
            )
    db.flush()
