"""Demo review loop: the plan submitted, returned with an anchored comment, answered, revised,
resubmitted and approved by the bureau (the plan stage's gate reads that approval).

Stored files need an application (its storage folder); without one (bare sessions in tests)
nothing is added here, as in the fieldwork demo.
"""

from __future__ import annotations

from io import BytesIO

from flask import has_app_context
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import storage
from workbench.core.errors import DomainError
from workbench.engagements.models import Engagement
from workbench.reports.models import DeliverableVersion
from workbench.review import decisions, submissions
from workbench.review.states import ReviewKind

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A short plan in the reports' snapshot shape ({key: {title, html, text}}), used when the
# reports domain cannot generate the plan itself.
PLAN_SECTIONS = {
    "object": ("（一）评价对象", [
        "本次评价对象为2025年度农村义务教育学生营养改善计划补助资金，预算1,250万元，"
        "用于全市126所农村义务教育学校约5.2万名学生的营养膳食补助。",
    ]),
    "scope": ("（二）评价范围", [
        "评价范围覆盖资金分配、拨付、使用和管理全过程，抽查20所学校的食堂账目和供餐记录。",
    ]),
    "methods": ("（一）评价方法", [
        "采用比较法、因素分析法和公众评判法，结合资料审核、现场核查、座谈访谈和满意度调查。",
        "满意度调查面向受益学生和家长，通过问卷星在线收集并辅以纸质问卷。",
    ]),
    "standards": ("（二）评价标准", [
        "以计划标准为主，辅以行业标准和历史标准；各项指标的评分标准见指标体系。",
    ]),
}  # fmt: skip


def _snapshot() -> dict:
    return {
        key: {
            "title": title,
            "html": "".join(f"<p>{p}</p>" for p in paragraphs),
            "text": "\n".join(paragraphs),
        }
        for key, (title, paragraphs) in PLAN_SECTIONS.items()
    }


def _docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("评价工作方案（演示）", level=1)
    for title, paragraphs in PLAN_SECTIONS.values():
        document.add_heading(title, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _stored_plan(session: Session, engagement: Engagement, lead: User) -> DeliverableVersion:
    data = _docx()
    blob = storage.store(session, data, mime=DOCX)
    number = (
        session.exec(
            select(func.max(DeliverableVersion.number)).where(
                DeliverableVersion.engagement_id == engagement.id,
                DeliverableVersion.kind == "plan",
            )
        ).one()
        or 0
    ) + 1
    version = DeliverableVersion(
        engagement_id=engagement.id,
        kind="plan",
        number=number,
        label="送审稿",
        sha256=blob.sha256,
        filename=f"评价工作方案-第{number}版.docx",
        mime=DOCX,
        size=len(data),
        stage=engagement.stage,
        generated_by_id=lead.id,
        sections=_snapshot(),
    )
    session.add(version)
    session.flush()
    return version


def _plan(
    session: Session, engagement: Engagement, lead: User, *, label: str = "送审稿", fresh=False
) -> DeliverableVersion:
    """The newest plan version (a new one when `fresh`): the reports domain's, else one made here."""
    found = session.exec(
        select(DeliverableVersion)
        .where(DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == "plan")
        .order_by(col(DeliverableVersion.number).desc())
    ).first()
    if found is not None and not fresh:
        return found
    try:
        from workbench.reports.services import generate
    except ImportError:
        return _stored_plan(session, engagement, lead)
    try:
        with session.begin_nested():
            return generate(session, actor=lead, engagement=engagement, kind="plan", label=label)
    except DomainError:
        return _stored_plan(session, engagement, lead)


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Submit the plan; the bureau returns it with a comment on the methods; the lead answers,
    submits the revised version, and the bureau approves it."""
    if not has_app_context():
        return
    lead, bureau = users["demo-lead"], users["demo-bureau"]
    version = _plan(session, engagement, lead)
    submission = submissions.submit(
        session,
        actor=lead,
        engagement=engagement,
        kind=ReviewKind.plan,
        version_id=version.id,
        note="评价工作方案送审稿，请审核。",
    )
    sections = submissions.sections_of(version)
    target = next((s for s in sections if s.key == "methods" and s.paragraphs), None)
    target = target or next((s for s in sections if s.paragraphs), None)
    comment = decisions.add_comment(
        session,
        actor=bureau,
        engagement=engagement,
        submission=submission,
        item=decisions.CommentInput(
            body="请补充满意度调查的抽样方法和样本量测算依据，并说明问卷发放对象的分布。",
            section=target.key if target else "",
            paragraph=1 if target else None,
        ),
    )
    decisions.decide(
        session,
        actor=bureau,
        engagement=engagement,
        submission=submission,
        decision="return",
        note="请按审核意见修改后重新提交。",
    )
    submissions.answer(
        session,
        actor=lead,
        engagement=engagement,
        comment_id=comment.id,
        text="已在“评价方法”中补充满意度调查的抽样设计：以受益学生家长为总体（约12,000人），"
        "按城区学校、乡镇学校分层抽样，置信水平95%、允许误差5%，计划回收有效问卷400份，"
        "按各层人数比例分配。",
        version=comment.version,
    )
    revised = _plan(session, engagement, lead, fresh=True)  # the revised 送审稿
    resubmitted = submissions.submit(
        session,
        actor=lead,
        engagement=engagement,
        kind=ReviewKind.plan,
        version_id=revised.id,
        note="已按审核意见修改评价工作方案，请再次审核。",
    )
    decisions.decide(
        session,
        actor=bureau,
        engagement=engagement,
        submission=resubmitted,
        decision="approve",
        note="同意按修改后的评价工作方案开展评价。",
    )
