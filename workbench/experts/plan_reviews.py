"""The expert review of the plan: an expert with an account signs in the app; otherwise the lead
records the expert's paper opinion with its scan. The plan stage's gate reads these records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, storage, uploads
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.engagements.stages import DerivedItem, Stage, registry
from workbench.experts.assignments import active_assignment
from workbench.experts.models import Expert, ExpertAssignment
from workbench.experts.plan_review_models import CONCLUSION_NAMES, Conclusion, PlanReview
from workbench.experts.pool import expert_for_user
from workbench.reports.models import DeliverableVersion

MAX_OPINION = 4000
SCAN_TYPES = frozenset({"pdf", "jpg", "jpeg", "png", "ofd"})
TEXT = "评价工作方案已经专家评审"


@dataclass(frozen=True)
class ReviewInput:
    """What the form or the API sends: the conclusion key and the opinion."""

    conclusion: str
    opinion: str


def newest_plan(db: Session, engagement: Engagement) -> DeliverableVersion | None:
    return db.exec(
        select(DeliverableVersion)
        .where(DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == "plan")
        .order_by(col(DeliverableVersion.number).desc())
    ).first()


def _validate(data: ReviewInput) -> tuple[Conclusion, str]:
    errors = []
    if data.conclusion not in Conclusion.__members__:
        errors.append(
            {"field": "conclusion", "message": "请选择评审结论：通过、修改后通过或不通过"}
        )
    opinion = (data.opinion or "").strip()
    if not opinion:
        errors.append({"field": "opinion", "message": "请填写专家评审意见"})
    elif len(opinion) > MAX_OPINION:
        errors.append({"field": "opinion", "message": f"评审意见不能超过 {MAX_OPINION} 个字符"})
    if errors:
        raise ValidationFailed("专家评审意见未保存", details=errors)
    return Conclusion(data.conclusion), opinion


def _hash(*, expert_id: int, version_id: int | None, conclusion: str, opinion: str) -> str:
    payload = {
        "expert": expert_id,
        "plan": version_id,
        "conclusion": conclusion,
        "opinion": opinion,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _create(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    expert: Expert,
    data: ReviewInput,
    scan: uploads.CheckedUpload | None,
) -> PlanReview:
    conclusion, opinion = _validate(data)
    plan = newest_plan(db, engagement)
    if plan is None:
        raise Conflict("尚未生成评价工作方案，无法评审")
    blob = storage.store(db, scan.data, mime=scan.mime) if scan else None
    row = PlanReview(
        engagement_id=engagement.id,
        expert_id=expert.id,
        plan_version_id=plan.id,
        plan_version_number=plan.number,
        conclusion=conclusion,
        opinion=opinion,
        signed_by_id=None if scan else actor.id,
        recorded_by_id=actor.id if scan else None,
        scan_sha256=blob.sha256 if blob else None,
        scan_name=scan.name if scan else "",
        scan_mime=scan.mime if scan else "",
        content_hash=_hash(
            expert_id=expert.id, version_id=plan.id, conclusion=conclusion, opinion=opinion
        ),
    )
    db.add(row)
    db.flush()
    how = "纸质意见（附扫描件）" if scan else "在线签署"
    audit.record(
        db,
        actor=actor,
        action="plan_review.record" if scan else "plan_review.sign",
        obj=row,
        engagement_id=engagement.id,
        after={
            "expert": expert.name,
            "plan_version": plan.number,
            "conclusion": conclusion.value,
            "opinion": opinion,
            "scan": row.scan_sha256,
        },
        summary=f"方案专家评审：{expert.name}，第 {plan.number} 版，"
        f"{CONCLUSION_NAMES[conclusion]}（{how}）",
    )
    return row


def sign(db: Session, *, actor: User, engagement: Engagement, data: ReviewInput) -> PlanReview:
    """An assigned expert signs their opinion on the newest plan version in the app."""
    engagements.ensure_writable(engagement)
    authorize(
        actor, "plan_review.sign", engagement, message="只有本项目的评审专家可以签署方案评审意见"
    )
    engagements.require_cleared(db, engagement, actor)
    expert = expert_for_user(db, actor)
    if expert is None or active_assignment(db, expert=expert, engagement=engagement) is None:
        raise NotAllowed("您在专家库中的档案未指派到本项目，请联系项目负责人")
    return _create(db, actor=actor, engagement=engagement, expert=expert, data=data, scan=None)


def record_paper(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    expert_id: int | None,
    data: ReviewInput,
    filename: str,
    content: bytes,
) -> PlanReview:
    """The lead records an expert's signed paper opinion; its scan is required."""
    engagements.ensure_writable(engagement)
    authorize(
        actor, "engagement.manage", engagement, message="只有项目负责人可以登记专家的纸质评审意见"
    )
    engagements.require_cleared(db, engagement, actor)
    expert = db.get(Expert, expert_id) if expert_id else None
    if expert is None or active_assignment(db, expert=expert, engagement=engagement) is None:
        raise ValidationFailed(
            "专家评审意见未保存",
            details=[{"field": "expert_id", "message": "请选择已指派到本项目的专家"}],
        )
    if not content:
        raise ValidationFailed(
            "专家评审意见未保存",
            details=[{"field": "scan", "message": "请上传专家签字的评审意见扫描件"}],
        )
    _validate(data)  # the opinion's errors first, before the file is checked and stored
    scan = uploads.check(filename, content, allowed=SCAN_TYPES, max_mb=20)
    return _create(db, actor=actor, engagement=engagement, expert=expert, data=data, scan=scan)


def assigned_experts(db: Session, engagement: Engagement) -> list[Expert]:
    """The experts currently assigned to the engagement (whose opinion the lead may record)."""
    return list(
        db.exec(
            select(Expert)
            .join(ExpertAssignment, col(ExpertAssignment.expert_id) == Expert.id)
            .where(
                ExpertAssignment.engagement_id == engagement.id,
                col(ExpertAssignment.ended_at).is_(None),
            )
            .order_by(col(Expert.name))
        ).all()
    )


def of_engagement(db: Session, engagement: Engagement) -> list[PlanReview]:
    """Every recorded review, newest first."""
    return list(
        db.exec(
            select(PlanReview)
            .where(PlanReview.engagement_id == engagement.id)
            .order_by(col(PlanReview.id).desc())
        ).all()
    )


def get(db: Session, engagement: Engagement, review_id: int) -> PlanReview:
    row = db.get(PlanReview, review_id)
    if row is None or row.engagement_id != engagement.id:
        raise NotFound("评审意见不存在")
    return row


def current(reviews: list[PlanReview]) -> dict[int, PlanReview]:
    """Each expert's latest review (reviews newest first)."""
    found: dict[int, PlanReview] = {}
    for row in reviews:
        found.setdefault(row.expert_id, row)
    return found


@registry.derived(Stage.plan)
def plan_reviewed(db: Session, engagement: Engagement) -> list[DerivedItem]:
    """Met when at least one expert reviewed the plan and no expert's latest conclusion is 不通过."""
    link = f"/engagements/{engagement.id}/plan-reviews"
    latest = current(of_engagement(db, engagement))
    if not latest:
        return [DerivedItem(TEXT, False, "尚无专家评审意见（专家在线签署或登记纸质意见）", link)]
    names = {
        e.id: e.name for e in db.exec(select(Expert).where(col(Expert.id).in_(list(latest)))).all()
    }
    failed = [names.get(i, f"#{i}") for i, row in latest.items() if row.conclusion == "failed"]
    if failed:
        detail = f"{'、'.join(failed)} 的评审结论为不通过，须修改方案后重新评审"
        return [DerivedItem(TEXT, False, detail, link)]
    shown = "；".join(
        f"{names.get(i, f'#{i}')}：{row.conclusion_name}（第 {row.plan_version_number} 版）"
        for i, row in latest.items()
    )
    return [DerivedItem(TEXT, True, shown, link)]
