"""One working paper as .docx (report_templates/working_paper.docx) and its template context."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from workbench.accounts.models import Organisation
from workbench.core.money import fmt2, yuan
from workbench.core.timeutil import local
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.engagements.stages import STAGE_NAMES, Stage
from workbench.fieldwork.findings import findings_of
from workbench.fieldwork.models import Evidence, WorkingPaper
from workbench.fieldwork.papers import indicators_by_paper, paper_fields
from workbench.fieldwork.request_models import DocumentRequest, RequestItem
from workbench.fieldwork.review import active_signoffs
from workbench.fieldwork.review_rules import Level
from workbench.fieldwork.values import as_text
from workbench.reports.render import render_docx

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def cn_date(value: datetime | None) -> str:
    shown = local(value)
    return f"{shown.year}年{shown.month}月{shown.day}日" if shown else ""


def file_name(paper: WorkingPaper, extension: str = "docx") -> str:
    """'D-03-02 内业审核记录.docx', safe on Windows and in zips."""
    title = _UNSAFE.sub("_", paper.title).strip() or paper.template_name
    return f"{paper.index_no} {title}"[:150] + f".{extension}"


def _project(db: Session, engagement: Engagement) -> dict[str, str]:
    ids = [i for i in (engagement.unit_id, engagement.bureau_id, engagement.agency_id) if i]
    orgs = {
        o.id: o.name
        for o in db.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    }
    return {
        "name": engagement.title,
        "unit": orgs.get(engagement.unit_id or 0, ""),
        "bureau": orgs.get(engagement.bureau_id, ""),
        "agency": orgs.get(engagement.agency_id, ""),
        "report_no": engagement.code,
        "date": "",
        "budget_year": str(engagement.budget_year),
        "budget_amount": f"{yuan(engagement.budget_amount)}元" if engagement.budget_amount else "",
    }


def _request_lines(db: Session, paper: WorkingPaper) -> list[dict[str, str]]:
    """Document requests documented on this paper, as one field per request."""
    requests = db.exec(
        select(DocumentRequest)
        .where(DocumentRequest.paper_id == paper.id)
        .order_by(col(DocumentRequest.id))
    ).all()
    fields = []
    for request in requests:
        items = db.exec(
            select(RequestItem)
            .where(RequestItem.request_id == request.id)
            .order_by(col(RequestItem.position))
        ).all()
        names = {"requested": "待提供", "received": "已收到", "waived": "免于提供"}
        lines = [
            f"{n}. {item.name}（{names[item.status]}"
            + (f"：{item.waive_reason}" if item.waive_reason else "")
            + (f"，截止 {item.due_date.isoformat()}" if item.due_date else "")
            + "）"
            for n, item in enumerate(items, start=1)
        ]
        fields.append({"label": f"资料清单：{request.title}", "value": "\n".join(lines)})
    return fields


def paper_context(db: Session, *, engagement: Engagement, paper: WorkingPaper) -> dict[str, Any]:
    """The working_paper.docx context (keys documented in report_templates/README.md)."""
    indicators = indicators_by_paper(db, [paper.id])[paper.id]
    names = {i.id: i.name for i in indicators}
    fields = [
        {"label": spec.label, "value": as_text(spec, paper.values.get(spec.key))}
        for spec in paper_fields(paper)
    ] + _request_lines(db, paper)
    findings = []
    for finding, _evidence in findings_of(db, paper.id):
        text = finding.text
        if finding.kind == "element":
            text += f"（评价要点{finding.element_index}，达成度 {finding.met.normalize():f}）"
        if finding.money is not None:
            text += f"（涉及金额 {yuan(finding.money)} 元）"
        findings.append(
            {
                "text": text,
                "indicator": names.get(finding.indicator_id, ""),
                "deduction": fmt2(finding.points) if finding.points is not None else "",
            }
        )
    evidence = db.exec(
        select(Evidence).where(Evidence.paper_id == paper.id).order_by(col(Evidence.id))
    ).all()
    signed = active_signoffs(db, [paper.id])[paper.id]
    people = users_by_id(db, {s.user_id for s in signed.values()})

    def who(level: Level) -> str:
        s = signed.get(level)
        return people[s.user_id].display_name if s and s.user_id in people else ""

    def when(level: Level) -> str:
        return cn_date(signed[level].signed_at) if level in signed else ""

    def comment(level: Level) -> str:
        return signed[level].comment if level in signed else ""

    return {
        "project": _project(db, engagement),
        "paper": {
            "index": paper.index_no,
            "title": paper.title,
            "stage": STAGE_NAMES[Stage(paper.stage)],
        },
        "indicators": [f"{i.level1}/{i.level2}/{i.name}" for i in indicators],
        "fields": fields,
        "findings": findings,
        "evidence": [
            {
                "name": e.name,
                "source": e.source,
                "note": "；".join(
                    part
                    for part in (
                        e.note,
                        f"拍摄于 {local(e.captured_at):%Y-%m-%d %H:%M}" if e.captured_at else "",
                    )
                    if part
                ),
            }
            for e in evidence
        ],
        "signoffs": {
            "prepared_by": who(Level.prepare),
            "prepared_on": when(Level.prepare),
            "reviewed_by": who(Level.review),
            "reviewed_on": when(Level.review),
            "review_comment": comment(Level.review),
            "approved_by": who(Level.approve),
            "approved_on": when(Level.approve),
            "approval_comment": comment(Level.approve),
        },
    }


def paper_docx(db: Session, *, engagement: Engagement, paper: WorkingPaper) -> bytes:
    """The paper rendered with report_templates/working_paper.docx."""
    return render_docx("working_paper", paper_context(db, engagement=engagement, paper=paper))
