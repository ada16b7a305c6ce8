"""Review endpoints: submit a deliverable version, the bureau's decision, the quality rating."""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.review_schemas import (
    CommentOut,
    DecisionIn,
    DeductionOut,
    RatingIn,
    RatingItemOut,
    RatingOut,
    SubmissionIn,
    SubmissionList,
    SubmissionOut,
)
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.review.models import QualityRating, ReviewComment, Submission
from workbench.review.services import Scope, decisions, submissions
from workbench.review.services import rating as ratings


def load(id: int, **_) -> Engagement:  # noqa: A002 - DESIGN.md names the path parameter id
    return engagements.get(db.session(), id)


def load_submission(sid: int, **_) -> Scope:
    """The submission inside its engagement: whoever cannot see the engagement gets 404."""
    session = db.session()
    row = session.get(Submission, sid)
    if row is None:
        raise NotFound("提交记录不存在")
    return Scope(engagements.get(session, row.engagement_id), row)


def _comment(c: ReviewComment) -> CommentOut:
    return CommentOut(
        id=c.id,
        section=c.section_key,
        section_title=c.section_title,
        paragraph=c.paragraph,
        body=c.body,
        answer=c.answer,
        created_at=c.created_at,
    )


def _out(row: Submission, comments: list[ReviewComment]) -> SubmissionOut:
    return SubmissionOut(
        id=row.id,
        engagement_id=row.engagement_id,
        kind=row.kind,
        kind_name=row.kind_name,
        version_id=row.version_id,
        version_number=row.version_number,
        round=row.round,
        status=row.status,
        status_name=row.status_name,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        comments=[_comment(c) for c in comments],
    )


@operation(
    "/engagements/{id}/submissions",
    "GET",
    summary="提交委托方审核的记录（含审核意见；新的在前；分页：limit, cursor）",
    response=SubmissionList,
    tag="review",
)
@requires("review.view", load=load)
def list_submissions(id: int):  # noqa: A002
    session = db.session()
    rows, next_cursor = cursor.page_of(
        submissions.of_engagement(session, guarded_object()), lambda r: r.id
    )
    comments = submissions.comments_of(session, [r.id for r in rows])
    return respond(
        SubmissionList(items=[_out(r, comments[r.id]) for r in rows], next_cursor=next_cursor)
    )


@operation(
    "/engagements/{id}/submissions",
    "POST",
    summary="提交文档版本给委托方审核 {kind, version_id?}（省略版本则为该类最新版本）",
    body=SubmissionIn,
    response=SubmissionOut,
    status=201,
    tag="review",
)
@requires("review.manage", load=load)
def create_submission(id: int):  # noqa: A002
    body = parse_body(SubmissionIn)
    row = submissions.submit(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        kind=body.kind,
        version_id=body.version_id,
        note=body.note,
    )
    return respond(_out(row, []), 201)


@operation(
    "/submissions/{sid}/decision",
    "POST",
    summary="委托方审核结论 {decision: approve|return, comments: [...]}；退回须至少一条意见",
    body=DecisionIn,
    response=SubmissionOut,
    tag="review",
)
@requires("review.bureau", load=load_submission)
def decide_submission(sid: int):
    scope = guarded_object()
    body = parse_body(DecisionIn)
    session = db.session()
    row = decisions.decide(
        session,
        actor=current_user,
        engagement=scope.engagement,
        submission=scope.obj,
        decision=body.decision,
        comments=[
            decisions.CommentInput(body=c.body, section=c.section, paragraph=c.paragraph)
            for c in body.comments
        ],
        note=body.note,
    )
    return respond(_out(row, submissions.comments_of(session, [row.id])[row.id]))


def _rating_out(row: QualityRating) -> RatingOut:
    rubric = ratings.rubric_of(row)
    return RatingOut(
        engagement_id=row.engagement_id,
        rubric=row.rubric_ref,
        rubric_name=row.rubric_name,
        items=[
            RatingItemOut(key=i.key, name=i.name, max=i.max, score=row.scores.get(i.key))
            for i in rubric.items
        ],
        deductions=[
            DeductionOut(key=d.key, name=d.name, points=d.points, count=row.counts.get(d.key, 0))
            for d in rubric.deductions
        ],
        deducted=row.deducted,
        total=row.total,
        comment=row.comment,
        rated_at=row.rated_at,
        deposit_computed=bool((row.deposit or {}).get("computed")),
    )


@operation(
    "/engagements/{id}/quality-rating",
    "PUT",
    summary="委托方质量考核：按考核表打分 → 总分，并计算质量保证金释放",
    body=RatingIn,
    response=RatingOut,
    tag="review",
)
@requires("review.bureau", load=load)
def put_quality_rating(id: int):  # noqa: A002
    body = parse_body(RatingIn)
    row = ratings.record(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        rubric_ref=body.rubric,
        scores={k: str(v) for k, v in body.scores.items()},
        counts={k: str(v) for k, v in body.deductions.items()},
        comment=body.comment,
    )
    return respond(_rating_out(row))
