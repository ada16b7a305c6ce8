"""The plan's expert review through the API: an assigned expert signs their opinion.

The same service as the 方案专家评审 page's 签署 button (`experts.plan_reviews.sign`): only an expert
assigned to the engagement who signed their declarations may sign, on the newest plan version;
the flow's plan condition reads what is signed here. The read side is `GET .../plan-reviews`
(api/expert_assignments.py).
"""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.experts_schemas import PlanReviewOut
from workbench.api.plan_reviews_schemas import PlanReviewSignIn
from workbench.core.permissions import guarded_object, requires
from workbench.experts.models import Expert
from workbench.experts.services import plan_reviews


@operation(
    "/engagements/{id}/plan-reviews",
    "POST",
    summary=(
        "指派到本项目的专家在线签署方案评审意见 {conclusion: passed|passed_after_changes|failed, opinion}，"
        "评审对象为最新一版评价工作方案；尚未生成方案时 409，未指派到本项目或未签署声明时 403，"
        "结论或意见缺失时 422"
    ),
    body=PlanReviewSignIn,
    response=PlanReviewOut,
    status=201,
    tag="experts",
)
@requires("plan_review.sign", load=load)
def sign_plan_review(id: int):  # noqa: A002
    body = parse_body(PlanReviewSignIn)
    session = db.session()
    row = plan_reviews.sign(
        session,
        actor=current_user,
        engagement=guarded_object(),
        data=plan_reviews.ReviewInput(conclusion=body.conclusion, opinion=body.opinion),
    )
    expert = session.get(Expert, row.expert_id)
    return respond(
        PlanReviewOut(
            **row.model_dump(
                include={
                    "id", "expert_id", "plan_version_number", "conclusion", "opinion",
                    "content_hash", "created_at",
                }
            ),
            expert_name=expert.name,
            conclusion_name=row.conclusion_name,
            on_paper=row.on_paper,
            current=True,
        ),
        201,
    )  # fmt: skip
