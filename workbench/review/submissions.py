"""The agency's side of the review loop and its queries: submit, answer comments, resubmit.

The bureau's side (comments and decisions) is decisions.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, Locked, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports.models import DeliverableVersion
from workbench.reports.services import EX_ANTE_OUTLINE, PLAN_OUTLINE, REPORT_OUTLINE
from workbench.review import notifications, reading
from workbench.review.models import ReviewComment, Submission
from workbench.review.saving import flush
from workbench.review.states import (
    REVIEW_KIND_NAMES,
    VERSION_KINDS,
    ReviewKind,
    SubmissionStatus,
    parse_review_kind,
)

MAX_TEXT = 4000


def link_to(submission: Submission) -> str:
    return f"/engagements/{submission.engagement_id}/review/submissions/{submission.id}"


def section_titles() -> dict[str, str]:
    """Headings of the outlines' section keys (plan, report, ex-ante report), first one wins."""
    titles: dict[str, str] = {}
    for entries in (PLAN_OUTLINE, REPORT_OUTLINE, EX_ANTE_OUTLINE):
        for entry in entries:
            titles.setdefault(entry.key, entry.heading)
    return titles


def sections_of(version: DeliverableVersion) -> list[reading.Section]:
    return reading.sections(version.sections, section_titles())


# --- queries --------------------------------------------------------------------------------


def get(db: Session, engagement: Engagement, submission_id: int) -> Submission:
    """A submission of this engagement (404 for another engagement's)."""
    row = db.get(Submission, submission_id)
    if row is None or row.engagement_id != engagement.id:
        raise NotFound("提交记录不存在")
    return row


def of_engagement(db: Session, engagement: Engagement) -> list[Submission]:
    return list(
        db.exec(
            select(Submission)
            .where(Submission.engagement_id == engagement.id)
            .order_by(col(Submission.kind), col(Submission.round))
        ).all()
    )


def latest(db: Session, engagement: Engagement, kind: ReviewKind) -> Submission | None:
    return db.exec(
        select(Submission)
        .where(Submission.engagement_id == engagement.id, Submission.kind == kind)
        .order_by(col(Submission.round).desc())
    ).first()


def comments_of(db: Session, submission_ids: Sequence[int]) -> dict[int, list[ReviewComment]]:
    if not submission_ids:
        return {}
    rows = db.exec(
        select(ReviewComment)
        .where(col(ReviewComment.submission_id).in_(list(submission_ids)))
        .order_by(col(ReviewComment.id))
    ).all()
    found: dict[int, list[ReviewComment]] = {i: [] for i in submission_ids}
    for row in rows:
        found[row.submission_id].append(row)
    return found


def candidate_versions(db: Session, engagement: Engagement) -> list[DeliverableVersion]:
    """The versions the agency could submit (plan and report kinds), newest first."""
    kinds = sorted({k for kinds in VERSION_KINDS.values() for k in kinds})
    return list(
        db.exec(
            select(DeliverableVersion)
            .where(
                DeliverableVersion.engagement_id == engagement.id,
                col(DeliverableVersion.kind).in_(kinds),
            )
            .order_by(col(DeliverableVersion.kind), col(DeliverableVersion.number).desc())
        ).all()
    )


def inbox(
    db: Session, *, user: User, page: int = 1, per_page: int = 30
) -> tuple[list[tuple[Submission, Engagement]], int]:
    """Submissions to a bureau reviewer's bureau, awaiting review first, then newest."""
    mine = [Engagement.bureau_id == user.org_id]
    if user.managed_by_id is not None:  # an account an agency made reviews that agency's work
        mine.append(Engagement.agency_id == user.managed_by_id)
    stmt = (
        select(Submission, Engagement)
        .join(Engagement, col(Engagement.id) == Submission.engagement_id)
        .where(*mine)
    )
    total = db.exec(
        select(func.count())
        .select_from(Submission)
        .join(Engagement, col(Engagement.id) == Submission.engagement_id)
        .where(*mine)
    ).one()
    rows = db.exec(
        stmt.order_by(
            col(Submission.status) != SubmissionStatus.submitted,
            col(Submission.submitted_at).desc(),
            col(Submission.id).desc(),
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(sub, engagement) for sub, engagement in rows], total


def _version(
    db: Session, engagement: Engagement, kind: ReviewKind, version_id: int | None
) -> DeliverableVersion:
    kinds = VERSION_KINDS[kind]
    if version_id:
        version = db.get(DeliverableVersion, version_id)
        if version is None or version.engagement_id != engagement.id:
            raise ValidationFailed.of_field("version_id", "文档版本不存在")
        if version.kind not in kinds:
            raise ValidationFailed(
                "文档版本与提交类型不符",
                details=[
                    {
                        "field": "version_id",
                        "message": f"所选版本是“{version.kind_name}”，不能作为“{REVIEW_KIND_NAMES[kind]}”提交",
                    }
                ],
            )
        return version
    version = db.exec(
        select(DeliverableVersion)
        .where(
            DeliverableVersion.engagement_id == engagement.id,
            col(DeliverableVersion.kind).in_(kinds),
        )
        .order_by(col(DeliverableVersion.generated_at).desc(), col(DeliverableVersion.id).desc())
    ).first()
    if version is None:
        raise ValidationFailed(
            f"尚未生成{REVIEW_KIND_NAMES[kind]}文档",
            details=[
                {
                    "field": "version_id",
                    "message": f"尚未生成{REVIEW_KIND_NAMES[kind]}文档，请先在报告页面生成文档版本",
                }
            ],
        )
    return version


def submit(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    kind: str,
    version_id: int | None = None,
    note: str = "",
) -> Submission:
    """Send a deliverable version to the bureau (a resubmission needs a newer version and answers)."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以向委托方提交成果")
    require_cleared(db, engagement, actor)
    review_kind = parse_review_kind(kind, stage=engagement.stage)
    if review_kind is None:
        raise ValidationFailed(
            "提交类型无效",
            details=[{"field": "kind", "message": "提交类型须为评价工作方案、报告初稿或正式报告"}],
        )
    if len(note) > 2000:
        raise ValidationFailed(
            "说明过长", details=[{"field": "note", "message": "提交说明不能超过 2000 字"}]
        )
    version = _version(db, engagement, review_kind, version_id)
    name = REVIEW_KIND_NAMES[review_kind]
    previous = latest(db, engagement, review_kind)
    if previous is not None:
        if previous.status == SubmissionStatus.submitted:
            raise Conflict(f"{name}已提交，正在等待委托方审核，不能重复提交")
        if previous.status == SubmissionStatus.approved:
            raise Conflict(f"{name}已经委托方审核通过，无需再次提交")
        if version.number <= previous.version_number:
            raise Conflict(
                f"退回的是第 {previous.version_number} 版，请按审核意见修改并生成新版本后再提交"
            )
        open_comments = [c for c in comments_of(db, [previous.id])[previous.id] if not c.answered]
        if open_comments:
            raise Conflict(
                f"还有 {len(open_comments)} 条审核意见未回复，请逐条回复后再重新提交",
                details=[f"{c.anchor}：{c.body[:60]}" for c in open_comments],
            )
    submission = Submission(
        engagement_id=engagement.id,
        kind=review_kind,
        version_id=version.id,
        version_number=version.number,
        round=(previous.round + 1) if previous else 1,
        note=note.strip(),
        submitted_by_id=actor.id,
    )
    db.add(submission)
    try:
        db.flush()
    except IntegrityError:  # someone else submitted this round a moment ago
        raise Conflict(f"{name}刚刚已被他人提交，请刷新后查看") from None
    audit.record(
        db,
        actor=actor,
        action="review.resubmit" if previous else "review.submit",
        obj=submission,
        engagement_id=engagement.id,
        after={"kind": review_kind.value, "version": version.number, "round": submission.round},
        summary=f"{name}第 {version.number} 版提交委托方审核（第 {submission.round} 轮）",
    )
    notifications.notify(
        db,
        users=notifications.bureau_users(db, engagement),
        engagement=engagement,
        kind="review.submitted",
        title=f"{engagement.title}：{name}（第 {version.number} 版）待审核",
        body=(
            f"评价机构{'修改后重新' if previous else ''}提交了{name}第 {version.number} 版，请审核。"
            + (f"\n提交说明：{submission.note}" if submission.note else "")
        ),
        link=link_to(submission),
    )
    return submission


# --- the agency answers ---------------------------------------------------------------------


def answer(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    comment_id: int,
    text: str,
    version: int | None,
) -> ReviewComment:
    """The agency answers a comment of a returned version (until it resubmits)."""
    ensure_writable(engagement)
    authorize(actor, "review.team", engagement, message="只有项目组成员可以回复审核意见")
    require_cleared(db, engagement, actor)
    comment = db.get(ReviewComment, comment_id)
    if comment is None or comment.engagement_id != engagement.id:
        raise NotFound("审核意见不存在")
    submission = db.get(Submission, comment.submission_id)
    if submission.status == SubmissionStatus.submitted:
        raise Locked("该版本正在委托方审核中，审核结束前不能回复")
    newer = latest(db, engagement, ReviewKind(submission.kind))
    if submission.status == SubmissionStatus.approved or (newer and newer.id != submission.id):
        raise Locked("已重新提交或已审核通过，该审核意见的回复不能再修改")
    require_version(version, comment.version, stale="该回复已被他人修改，请刷新后重试")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(
            "回复不能为空", details=[{"field": "answer", "message": "请填写对该审核意见的回复"}]
        )
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            "回复过长", details=[{"field": "answer", "message": f"回复不能超过 {MAX_TEXT} 字"}]
        )
    before = {"answer": comment.answer}
    comment.answer = text
    comment.answered_by_id = actor.id
    comment.answered_at = utcnow()
    db.add(comment)
    flush(db, "该回复已被他人修改，请刷新后重试")
    audit.record(
        db,
        actor=actor,
        action="review.answer",
        obj=comment,
        engagement_id=engagement.id,
        before=before,
        after={"answer": text},
        summary=f"回复审核意见：{comment.anchor}",
    )
    return comment
