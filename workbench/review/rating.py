"""The bureau's quality rating (质量考核) of the agency; recording it drives the deposit release."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable
from workbench.finance import services as finance
from workbench.review import notifications, rubrics
from workbench.review.models import QualityRating
from workbench.review.rubric_store import Choice, choices_for
from workbench.review.saving import flush
from workbench.review.states import ReviewKind, SubmissionStatus
from workbench.review.submissions import latest


def get(db: Session, engagement: Engagement) -> QualityRating | None:
    return db.exec(
        select(QualityRating).where(QualityRating.engagement_id == engagement.id)
    ).first()


def final_approved(db: Session, engagement: Engagement) -> bool:
    final = latest(db, engagement, ReviewKind.final_report)
    return final is not None and final.status == SubmissionStatus.approved


def rubric_of(rating: QualityRating) -> rubrics.Rubric:
    """The rubric exactly as it was when the rating was made."""
    return rubrics.rubric_from_data(rating.rubric, name=rating.rubric_name)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def _deposit(
    db: Session, *, actor: User, engagement: Engagement, score: Decimal, rated_at: datetime
) -> dict:
    """Ask finance to compute the deposit release from the score; say why when it cannot."""
    if finance.contract_for(db, engagement) is None:
        return {"computed": False, "reason": "本项目尚未登记委托合同，未计算质量保证金释放"}
    release = finance.apply_quality_rating(
        db, actor=actor, engagement=engagement, score=score, rated_at=rated_at
    )
    fields = ("score", "deposit", "amount", "forfeited", "due_date", "status")
    found = {"computed": True} | {f: _plain(getattr(release, f)) for f in fields}
    percent = (Decimal(release.fraction) * 100).quantize(Decimal("0.01")).normalize()
    return found | {"fraction": f"{percent:f}%"}


# --- recording ------------------------------------------------------------------------------


def _choice(choices: list[Choice], ref: str) -> Choice:
    found = next((c for c in choices if c.ref == ref), None) if ref else choices[0]
    if found is None:
        raise ValidationFailed(
            "考核表无效", details=[{"field": "rubric", "message": "请选择适用于本项目的考核表"}]
        )
    return found


def record(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    rubric_ref: str = "",
    scores: Mapping[str, Any],
    counts: Mapping[str, Any] | None = None,
    comment: str = "",
) -> QualityRating:
    """The bureau fills the rubric; the total is stored (who, when) and the deposit computed."""
    ensure_writable(engagement)
    authorize(actor, "review.bureau", engagement, message="只有委托方审核人可以进行质量考核")
    if not final_approved(db, engagement):
        raise Conflict("正式评价报告经委托方审核通过后，方可进行质量考核")
    choice = _choice(choices_for(db, engagement), rubric_ref)
    if len(comment) > 4000:
        raise ValidationFailed(
            "考核意见过长", details=[{"field": "comment", "message": "考核意见不能超过 4000 字"}]
        )
    try:
        result = rubrics.score(choice.rubric, scores, counts or {})
    except rubrics.RubricError as error:
        raise ValidationFailed("质量考核表填写有误", details=error.details) from None
    rating = get(db, engagement)
    before = None
    if rating is None:
        rating = QualityRating(
            engagement_id=engagement.id, rated_by_id=actor.id, total=result.total
        )
    else:
        before = {"total": rating.total, "rubric": rating.rubric_name, "scores": rating.scores}
    rating.rubric_ref = choice.ref
    rating.rubric_name = choice.rubric.name
    rating.rubric = rubrics.rubric_to_data(choice.rubric)
    rating.scores = {k: f"{v:.2f}" for k, v in result.scores.items()}
    rating.counts = dict(result.counts)
    rating.deducted = result.deducted
    rating.total = result.total
    rating.comment = comment.strip()
    rating.rated_by_id = actor.id
    rating.rated_at = utcnow()
    db.add(rating)
    flush(db, "质量考核已被他人修改，请刷新后重试")
    rating.deposit = _deposit(
        db, actor=actor, engagement=engagement, score=result.total, rated_at=rating.rated_at
    )
    db.add(rating)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review.rate",
        obj=rating,
        engagement_id=engagement.id,
        before=before,
        after={"total": rating.total, "rubric": rating.rubric_name, "scores": rating.scores,
               "counts": rating.counts, "deducted": rating.deducted},
        summary=f"质量考核 {rating.total} 分（{rating.rubric_name}）",
    )  # fmt: skip
    deposit = rating.deposit or {}
    body = f"考核表：{rating.rubric_name}；总分 {rating.total} 分。"
    if deposit.get("computed"):
        body += f"质量保证金应释放 {deposit.get('amount', '')} 元，到期日 {deposit.get('due_date', '')}。"
    elif deposit.get("reason"):
        body += deposit["reason"] + "。"
    notifications.notify(
        db,
        users=notifications.lead_users(db, engagement),
        engagement=engagement,
        kind="review.rated",
        title=f"{engagement.title}：委托方质量考核 {rating.total} 分",
        body=body,
        link=f"/engagements/{engagement.id}/review/rating",
    )
    return rating
