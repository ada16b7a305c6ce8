"""The consultation (征求意见) through the API: the agency's side and the evaluated unit's side.

The same services as the 征求意见 page and the unit's 反馈意见 page (`reports.consultation`): the
lead sends a 征求意见稿 of the approved report to the unit's contact, the contact enters opinions
point by point and marks the feedback complete, the team answers each opinion (采纳 / 部分采纳 /
不采纳 with the reason, the opinion's version as If-Match); the lead may record that the unit had
no opinions. The unit sees only its own round's opinions and the agency's answers to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_login import current_user
from sqlmodel import select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.consultation_schemas import (
    ConsultationNoOpinionsIn,
    ConsultationRoundOut,
    ConsultationSendIn,
    ConsultationStateOut,
    OpinionAnswerIn,
    OpinionIn,
    OpinionOut,
    OpinionPage,
)
from workbench.api.engagements import load
from workbench.api.review_record import names_of
from workbench.api.versions import require_current, tagged
from workbench.core import itemised
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.models import Engagement
from workbench.reports.models import Consultation, Opinion
from workbench.reports.services import consultation, get_version


def _round(engagement: Engagement, row: Consultation) -> ConsultationRoundOut:
    session = db.session()
    items = consultation.opinions(session, row)
    version = get_version(session, engagement, row.deliverable_version_id)
    return ConsultationRoundOut(
        id=row.id,
        engagement_id=row.engagement_id,
        version_id=version.id,
        version_number=version.number,
        recipient_id=row.recipient_id,
        recipient_name=names_of({row.recipient_id}).get(row.recipient_id, ""),
        message=row.message,
        due_date=row.due_date,
        sent_by_id=row.sent_by_id,
        sent_at=row.sent_at,
        closed=row.closed,
        completed_at=row.completed_at,
        no_opinions_note=row.no_opinions_note,
        no_opinions_at=row.no_opinions_at,
        opinions=len(items),
        unanswered=len(itemised.progress(items, answered=lambda o: o.answered).open),
        version=row.version,
    )


def _opinions(rows: Sequence[Opinion]) -> list[OpinionOut]:
    names = names_of({o.created_by_id for o in rows} | {o.answered_by_id or 0 for o in rows})
    return [
        OpinionOut(
            id=o.id,
            consultation_id=o.consultation_id,
            number=o.number,
            reference=o.reference,
            content=o.content,
            created_by_id=o.created_by_id,
            created_by_name=names.get(o.created_by_id, ""),
            created_at=o.created_at,
            answered=o.answered,
            adoption=o.adoption,
            reason=o.reason,
            answered_by_id=o.answered_by_id,
            answered_by_name=names.get(o.answered_by_id or 0, ""),
            answered_at=o.answered_at,
            version=o.version,
        )
        for o in rows
    ]


def _one(opinion: Opinion):
    [out] = _opinions([opinion])
    return tagged(respond(out), opinion.version)


def _page(engagement: Engagement):
    """The current round's opinions, newest first, a page at a time."""
    session = db.session()
    row = consultation.current(session, engagement)
    if row is None:
        return respond(OpinionPage(items=[], next_cursor=None))
    stmt = select(Opinion).where(Opinion.consultation_id == row.id)
    rows, next_cursor = cursor.page(session, stmt, Opinion.id)
    return respond(OpinionPage(items=_opinions(rows), next_cursor=next_cursor))


def _opinion_of(engagement: Engagement, opinion_id: int) -> Opinion:
    return consultation.get_opinion(db.session(), engagement, opinion_id)


# --- the agency's side -------------------------------------------------------------------------


@operation(
    "/engagements/{id}/consultation",
    "GET",
    summary="最近一轮征求意见：发送的版本、被评价单位联系人、是否结束、意见数和未答复数，及本阶段尚未完成的原因",
    response=ConsultationStateOut,
    tag="reports",
)
@requires("engagement.team", load=load)
def get_consultation(id: int):  # noqa: A002 - the path parameter is called id in DESIGN.md
    engagement = guarded_object()
    session = db.session()
    row = consultation.current(session, engagement)
    return respond(
        ConsultationStateOut(
            current=_round(engagement, row) if row is not None else None,
            blockers=[b.text for b in consultation.blockers(session, engagement)],
        )
    )


@operation(
    "/engagements/{id}/consultation",
    "POST",
    summary=(
        "项目负责人向被评价单位联系人发送征求意见稿 {version_id, recipient_id, message?, due_date?}；"
        "版本不是“征求意见稿”或收件人不是本项目被评价单位联系人时 422；报告尚未批准或上一轮未结束时 409"
    ),
    body=ConsultationSendIn,
    response=ConsultationRoundOut,
    status=201,
    tag="reports",
)
@requires("engagement.manage", load=load)
def send_consultation(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(ConsultationSendIn)
    row = consultation.send(
        db.session(),
        actor=current_user,
        engagement=engagement,
        version_id=body.version_id,
        recipient_id=body.recipient_id,
        message=body.message,
        due_date=body.due_date,
    )
    return respond(_round(engagement, row), 201)


@operation(
    "/engagements/{id}/consultation/no-opinions",
    "POST",
    summary="项目负责人记录被评价单位对征求意见稿无意见 {note}；已有意见、尚未发送或本轮已结束时 409",
    body=ConsultationNoOpinionsIn,
    response=ConsultationRoundOut,
    tag="reports",
)
@requires("engagement.manage", load=load)
def record_no_opinions(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(ConsultationNoOpinionsIn)
    row = consultation.record_no_opinions(
        db.session(), actor=current_user, engagement=engagement, note=body.note
    )
    return respond(_round(engagement, row))


@operation(
    "/engagements/{id}/opinions",
    "GET",
    summary="最近一轮征求意见中被评价单位的意见及评价机构的答复（新的在前；分页：limit, cursor）",
    response=OpinionPage,
    tag="reports",
)
@requires("engagement.team", load=load)
def list_opinions(id: int):  # noqa: A002
    return _page(guarded_object())


@operation(
    "/engagements/{id}/opinions/{opinion_id}",
    "GET",
    summary="一条意见及其答复；响应头 ETag 为答复该意见所需的 If-Match",
    response=OpinionOut,
    tag="reports",
)
@requires("engagement.team", load=load)
def get_opinion(id: int, opinion_id: int):  # noqa: A002
    return _one(_opinion_of(guarded_object(), opinion_id))


@operation(
    "/engagements/{id}/opinions/{opinion_id}/answer",
    "PUT",
    summary=(
        "评价机构答复一条意见 {adoption: 采纳|部分采纳|不采纳, reason}（与征求意见页相同，可修改答复）；"
        "须带 If-Match（该意见的 ETag），过期 412"
    ),
    body=OpinionAnswerIn,
    response=OpinionOut,
    tag="reports",
    versioned=True,
)
@requires("engagement.team", load=load)
def answer_opinion(id: int, opinion_id: int):  # noqa: A002
    engagement = guarded_object()
    opinion = _opinion_of(engagement, opinion_id)
    body = parse_body(OpinionAnswerIn)
    version = require_current(opinion.version)
    opinion = consultation.answer(
        db.session(),
        actor=current_user,
        engagement=engagement,
        opinion=opinion,
        adoption=body.adoption,
        reason=body.reason,
        version=version,
    )
    return _one(opinion)


# --- the evaluated unit's side -----------------------------------------------------------------


@operation(
    "/engagements/{id}/feedback/opinions",
    "GET",
    summary="被评价单位联系人：本轮自己提出的意见及评价机构的答复（新的在前；分页：limit, cursor）",
    response=OpinionPage,
    tag="reports",
)
@requires("reports.unit", load=load)
def list_feedback_opinions(id: int):  # noqa: A002
    return _page(guarded_object())


@operation(
    "/engagements/{id}/feedback/opinions",
    "POST",
    summary=(
        "被评价单位联系人提出一条意见 {reference?, content}；尚未收到征求意见稿或本轮已结束时 409；"
        "可带 Idempotency-Key 安全重试"
    ),
    body=OpinionIn,
    response=OpinionOut,
    status=201,
    tag="reports",
)
@requires("reports.unit", load=load)
def add_feedback_opinion(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(OpinionIn)
    opinion = consultation.add_opinion(
        db.session(),
        actor=current_user,
        engagement=engagement,
        reference=body.reference,
        content=body.content,
    )
    [out] = _opinions([opinion])
    return tagged(respond(out, 201), opinion.version)


@operation(
    "/engagements/{id}/feedback/opinions/{opinion_id}",
    "PUT",
    summary=(
        "被评价单位联系人修改自己的意见 {reference?, content}（答复前、本轮结束前）；"
        "须带 If-Match（该意见的 ETag），过期 412；已答复或本轮已结束时 409"
    ),
    body=OpinionIn,
    response=OpinionOut,
    tag="reports",
    versioned=True,
)
@requires("reports.unit", load=load)
def put_feedback_opinion(id: int, opinion_id: int):  # noqa: A002
    engagement = guarded_object()
    opinion = _opinion_of(engagement, opinion_id)
    body = parse_body(OpinionIn)
    version = require_current(opinion.version)
    opinion = consultation.update_opinion(
        db.session(),
        actor=current_user,
        engagement=engagement,
        opinion=opinion,
        reference=body.reference,
        content=body.content,
        version=version,
    )
    return _one(opinion)


@operation(
    "/engagements/{id}/feedback/opinions/{opinion_id}",
    "DELETE",
    summary="被评价单位联系人删除自己的意见（答复前、本轮结束前；否则 409）",
    status=204,
    tag="reports",
)
@requires("reports.unit", load=load)
def delete_feedback_opinion(id: int, opinion_id: int):  # noqa: A002
    engagement = guarded_object()
    consultation.delete_opinion(
        db.session(),
        actor=current_user,
        engagement=engagement,
        opinion=_opinion_of(engagement, opinion_id),
    )
    return "", 204


@operation(
    "/engagements/{id}/feedback/complete",
    "POST",
    summary="被评价单位联系人确认反馈完毕（有无意见均可）；之后不能再增改意见，本轮已结束时 409",
    response=ConsultationRoundOut,
    tag="reports",
)
@requires("reports.unit", load=load)
def complete_feedback(id: int):  # noqa: A002
    engagement = guarded_object()
    row = consultation.complete(db.session(), actor=current_user, engagement=engagement)
    return respond(_round(engagement, row))
