"""An engagement's experts through the API: assignments, their fees and the plan's expert review.

The same services as the engagement's 专家 tab (`experts.services`: assign with the conflict check,
end an assignment, record or delete a fee) and the 方案专家评审 page (`plan_reviews`). The tab is
the team's (the assignment list shows fees, the experts' contacts are the pool's), so experts,
bureau reviewers and unit contacts do not list it; the plan review's state is the flow page's.
"""

from __future__ import annotations

from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.experts_schemas import (
    AssignmentEndIn,
    AssignmentIn,
    AssignmentOut,
    AssignmentPage,
    ExpertFeeIn,
    ExpertFeeOut,
    PlanReviewOut,
    PlanReviewState,
)
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.experts import services
from workbench.experts.models import Expert, ExpertFee
from workbench.experts.services import plan_reviews


def _fee(fee: ExpertFee) -> ExpertFeeOut:
    return ExpertFeeOut(**fee.model_dump(include=set(ExpertFeeOut.model_fields)))


def _assignment(row: services.AssignmentRow) -> AssignmentOut:
    a, expert = row.assignment, row.expert
    return AssignmentOut(
        **a.model_dump(
            include={
                "id", "engagement_id", "expert_id", "duty", "assigned_at", "assigned_by_id",
                "conflicts", "override_reason", "ended_at", "end_reason",
            }
        ),
        expert_name=expert.name,
        expert_title=expert.title,
        expert_organisation=expert.organisation,
        active=a.active,
        fees=[_fee(f) for f in row.fees],
        fee_total=row.fee_total,
    )  # fmt: skip


def _row(assignment_id: int) -> services.AssignmentRow:
    """The engagement's assignment with its expert and fees (404 for another engagement's)."""
    rows = services.for_engagement(db.session(), guarded_object())
    found = next((r for r in rows if r.assignment.id == assignment_id), None)
    if found is None:
        raise NotFound("专家指派记录不存在")
    return found


@operation(
    "/engagements/{id}/experts",
    "GET",
    summary=(
        "项目的专家指派（新的在前；分页：limit, cursor）：专家、分工、是否仍在指派中、"
        "豁免的利益冲突及理由、结束原因、专家费用及合计"
    ),
    response=AssignmentPage,
    tag="experts",
)
@requires("engagement.team", load=load)
def list_expert_assignments(id: int):  # noqa: A002
    rows = services.for_engagement(db.session(), guarded_object())
    chosen, next_cursor = cursor.page_of(rows, lambda r: r.assignment.id)
    return respond(AssignmentPage(items=[_assignment(r) for r in chosen], next_cursor=next_cursor))


@operation(
    "/engagements/{id}/experts",
    "POST",
    summary=(
        "从本机构专家库指派专家 {expert_id, duty, override_reason}：专家成为项目工作组的专家成员；"
        "与委托方或被评价单位存在利益冲突时 409（blockers 列出冲突），确需指派的由机构管理员填写"
        " override_reason 豁免；专家已停用、未关联账号或不属于本机构时 422，已指派时 409"
    ),
    body=AssignmentIn,
    response=AssignmentOut,
    status=201,
    tag="experts",
)
@requires("engagement.manage", load=load)
def assign_expert(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(AssignmentIn)
    session = db.session()
    assignment = services.assign(
        session,
        actor=current_user,
        engagement=engagement,
        expert_id=body.expert_id,
        duty=body.duty,
        override_reason=body.override_reason,
    )
    expert = session.get(Expert, assignment.expert_id)
    row = services.AssignmentRow(assignment, expert, engagement, [])
    return respond(_assignment(row), 201)


@operation(
    "/engagements/{id}/experts/{assignment_id}/end",
    "POST",
    summary="结束专家指派 {reason}：专家退出工作组，指派记录和费用保留；已结束时 409",
    body=AssignmentEndIn,
    response=AssignmentOut,
    tag="experts",
)
@requires("engagement.manage", load=load)
def end_expert_assignment(id: int, assignment_id: int):  # noqa: A002
    body = parse_body(AssignmentEndIn)
    services.end_assignment(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        assignment_id=_row(assignment_id).assignment.id,
        reason=body.reason,
    )
    return respond(_assignment(_row(assignment_id)))


@operation(
    "/engagements/{id}/experts/{assignment_id}/fees",
    "POST",
    summary="登记专家费用 {item, amount（元，字符串，两位小数）, fee_date, note}；金额不大于 0 时 422",
    body=ExpertFeeIn,
    response=ExpertFeeOut,
    status=201,
    tag="experts",
)
@requires("engagement.manage", load=load)
def add_expert_fee(id: int, assignment_id: int):  # noqa: A002
    body = parse_body(ExpertFeeIn)
    fee = services.add_fee(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        assignment_id=_row(assignment_id).assignment.id,
        item=body.item,
        amount=body.amount,
        fee_date=body.fee_date,
        note=body.note,
    )
    return respond(_fee(fee), 201)


@operation(
    "/engagements/{id}/expert-fees/{fee_id}",
    "DELETE",
    summary="删除误登的专家费用（操作日志保留其内容）",
    status=204,
    tag="experts",
)
@requires("engagement.manage", load=load)
def delete_expert_fee(id: int, fee_id: int):  # noqa: A002
    services.delete_fee(
        db.session(), actor=current_user, engagement=guarded_object(), fee_id=fee_id
    )
    return "", 204


@operation(
    "/engagements/{id}/plan-reviews",
    "GET",
    summary=(
        "方案专家评审：各专家的评审意见（新的在前，current 为该专家最新的一份）、结论，"
        "以及方案阶段“专家评审”条件是否满足（reviewed, detail）"
    ),
    response=PlanReviewState,
    tag="experts",
)
@requires("engagement.internal", load=load)
def get_plan_reviews(id: int):  # noqa: A002
    session = db.session()
    engagement = guarded_object()
    reviews = plan_reviews.of_engagement(session, engagement)
    latest = {r.id for r in plan_reviews.current(reviews).values()}
    names = dict(
        session.exec(
            select(Expert.id, Expert.name).where(
                col(Expert.id).in_({r.expert_id for r in reviews} or {0})
            )
        ).all()
    )
    [gate] = plan_reviews.plan_reviewed(session, engagement)
    items = [
        PlanReviewOut(
            **r.model_dump(
                include={
                    "id", "expert_id", "plan_version_number", "conclusion", "opinion",
                    "content_hash", "created_at",
                }
            ),
            expert_name=names.get(r.expert_id, ""),
            conclusion_name=r.conclusion_name,
            on_paper=r.on_paper,
            current=r.id in latest,
        )
        for r in reviews
    ]  # fmt: skip
    return respond(PlanReviewState(reviewed=gate.ok, detail=gate.detail, items=items))
