"""The lead's confirmation of the indicator system and sign-off of the scores, through the API.

The same services as the 指标体系 and 综合评分 pages: `indicators.services.confirm` / `unconfirm`
and `scoring.services.sign` / `unsign`. A score sign-off holds only while the scores computed now
give the digest that was signed (scoring/signoffs.py): the answer says whether it holds, and the
figures as signed next to the figures now.
"""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.review_record import names_of
from workbench.api.scoring_record_schemas import (
    IndicatorConfirmationOut,
    IndicatorUnconfirmIn,
    ScoreSignoffOut,
)
from workbench.core.money import q2
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.models import Engagement
from workbench.indicators import services as indicators
from workbench.indicators.services import get_system
from workbench.scoring import services as scoring


def _s(value) -> str | None:
    return None if value is None else f"{q2(value):.2f}"


def _confirmation(engagement: Engagement) -> IndicatorConfirmationOut:
    session = db.session()
    system = get_system(session, engagement)
    result = indicators.check(session, engagement)
    by = system.confirmed_by_id if system is not None else None
    return IndicatorConfirmationOut(
        confirmed=system is not None and system.confirmed_at is not None,
        confirmed_by_id=by,
        confirmed_by_name=names_of({by or 0}).get(by or 0, ""),
        confirmed_at=system.confirmed_at if system is not None else None,
        blockers=list(result.blockers),
        warnings=list(result.warnings),
    )


@operation(
    "/engagements/{id}/indicators/confirmation",
    "GET",
    summary="指标体系是否已经项目负责人确认，及不能确认的原因（blockers）和提示（warnings）",
    response=IndicatorConfirmationOut,
    tag="indicators",
)
@requires("indicators.edit", load=load)
def get_indicator_confirmation(id: int):  # noqa: A002 - the path parameter is called id in DESIGN.md
    return respond(_confirmation(guarded_object()))


@operation(
    "/engagements/{id}/indicators/confirmation",
    "POST",
    summary="项目负责人确认指标体系（与指标体系页的“确认”相同）；已确认或尚有问题时 409 并列出问题",
    response=IndicatorConfirmationOut,
    tag="indicators",
)
@requires("engagement.manage", load=load)
def confirm_indicators(id: int):  # noqa: A002
    engagement = guarded_object()
    indicators.confirm(db.session(), actor=current_user, engagement=engagement)
    return respond(_confirmation(engagement))


@operation(
    "/engagements/{id}/indicators/confirmation/withdraw",
    "POST",
    summary=(
        "项目负责人撤销对指标体系的确认 {confirm_clear_signoffs?}；评分已签字时须传 "
        "confirm_clear_signoffs=true，否则 409；尚未确认时 409"
    ),
    body=IndicatorUnconfirmIn,
    response=IndicatorConfirmationOut,
    tag="indicators",
)
@requires("engagement.manage", load=load)
def withdraw_indicator_confirmation(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(IndicatorUnconfirmIn)
    indicators.unconfirm(
        db.session(),
        actor=current_user,
        engagement=engagement,
        confirm_clear=body.confirm_clear_signoffs,
    )
    return respond(_confirmation(engagement))


def _signoff(engagement: Engagement) -> ScoreSignoffOut:
    session = db.session()
    system = get_system(session, engagement)
    computed = scoring.compute(session, engagement, system=system)
    result, _rows = computed
    state = scoring.signoff_state(session, engagement, system=system, computed=computed)
    problems = scoring.blockers(
        session, engagement, computed=computed, include_signoff=False, system=system
    )
    by = system.scores_signed_by_id if system is not None else None
    return ScoreSignoffOut(
        signed=state.signed,
        holds=state.holds,
        stale=state.stale,
        stale_message=scoring.stale_message(state, result) if state.stale else "",
        signed_by_id=by,
        signed_by_name=names_of({by or 0}).get(by or 0, ""),
        signed_at=system.scores_signed_at if system is not None else None,
        signed_total=_s(state.total),
        signed_grade=state.grade,
        total=_s(result.total),
        grade=result.grade,
        blockers=[b.text for b in problems],
    )


@operation(
    "/engagements/{id}/scores/signoff",
    "GET",
    summary=(
        "项目负责人对评分结果的签字：签字时的总分和等级、现在的总分和等级，签字是否仍有效"
        "（holds：得分签字后未变化），以及评分尚未完成的原因"
    ),
    response=ScoreSignoffOut,
    tag="scoring",
)
@requires("indicators.edit", load=load)
def get_score_signoff(id: int):  # noqa: A002
    return respond(_signoff(guarded_object()))


@operation(
    "/engagements/{id}/scores/signoff",
    "POST",
    summary=(
        "项目负责人签字确认评分结果（与综合评分页相同）；签字仍有效时 409，有指标未能计分、"
        "手工评分缺理由或专家未打分时 409 并列出原因；得分变化后的签字以此次为准"
    ),
    response=ScoreSignoffOut,
    tag="scoring",
)
@requires("engagement.manage", load=load)
def sign_scores(id: int):  # noqa: A002
    engagement = guarded_object()
    scoring.sign(db.session(), actor=current_user, engagement=engagement)
    return respond(_signoff(engagement))


@operation(
    "/engagements/{id}/scores/signoff",
    "DELETE",
    summary="项目负责人撤销评分签字；尚未签字时 409",
    response=ScoreSignoffOut,
    tag="scoring",
)
@requires("engagement.manage", load=load)
def unsign_scores(id: int):  # noqa: A002
    engagement = guarded_object()
    scoring.unsign(db.session(), actor=current_user, engagement=engagement)
    return respond(_signoff(engagement))
