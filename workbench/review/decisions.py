"""The bureau's side of the loop: comments anchored to sections, and the decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable
from workbench.reports.models import DeliverableVersion
from workbench.review import notifications, reading
from workbench.review.models import ReviewComment, Submission
from workbench.review.saving import flush
from workbench.review.states import Decision, SubmissionStatus
from workbench.review.submissions import MAX_TEXT, comments_of, link_to, sections_of


@dataclass
class CommentInput:
    """A comment as typed: its text and, optionally, the section key and paragraph number."""

    body: str
    section: str = ""
    paragraph: int | None = None


# --- the bureau comments and decides --------------------------------------------------------


def _check_comment(
    sections: list[reading.Section], item: CommentInput, prefix: str
) -> tuple[list[dict], str, str]:
    """Problems with one comment, plus the section title and quoted words it anchors to."""
    errors = []
    body = (item.body or "").strip()
    if not body:
        errors.append({"field": f"{prefix}body", "message": "审核意见内容不能为空"})
    elif len(body) > MAX_TEXT:
        errors.append({"field": f"{prefix}body", "message": f"审核意见不能超过 {MAX_TEXT} 字"})
    if not item.section:
        if item.paragraph:
            errors.append({"field": f"{prefix}paragraph", "message": "指定段落时须同时选择章节"})
        return errors, "", ""
    section = next((s for s in sections if s.key == item.section), None)
    if section is None:
        errors.append({"field": f"{prefix}section", "message": f"章节“{item.section}”不存在"})
        return errors, "", ""
    quote = ""
    if item.paragraph is not None:
        if not 1 <= item.paragraph <= len(section.paragraphs):
            errors.append(
                {
                    "field": f"{prefix}paragraph",
                    "message": f"“{section.title}”共 {len(section.paragraphs)} 段，段落序号须在 1–{len(section.paragraphs)} 之间",
                }
            )
        else:
            words = reading.plain(section.paragraphs[item.paragraph - 1])
            quote = words if len(words) <= 80 else words[:79] + "…"
    return errors, section.title, quote


def _require_reviewer(actor: User, engagement: Engagement, submission: Submission) -> None:
    ensure_writable(engagement)
    authorize(actor, "review.bureau", engagement, message="只有委托方审核人可以审核")
    if submission.status != SubmissionStatus.submitted:
        raise Conflict(f"该版本已审核（{submission.status_name}），不能再修改审核意见")


def _new_comment(
    submission: Submission, actor: User, item: CommentInput, title: str, quote: str
) -> ReviewComment:
    return ReviewComment(
        submission_id=submission.id,
        engagement_id=submission.engagement_id,
        section_key=item.section or "",
        section_title=title[:200],
        paragraph=item.paragraph if item.section else None,
        quote=quote,
        body=item.body.strip(),
        author_id=actor.id,
    )


def add_comment(
    db: Session, *, actor: User, engagement: Engagement, submission: Submission, item: CommentInput
) -> ReviewComment:
    """The bureau reviewer notes a comment on a pending submission (anchored where possible)."""
    _require_reviewer(actor, engagement, submission)
    version = db.get(DeliverableVersion, submission.version_id)
    errors, title, quote = _check_comment(sections_of(version), item, "")
    if errors:
        raise ValidationFailed("审核意见有误", details=errors)
    comment = _new_comment(submission, actor, item, title, quote)
    db.add(comment)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review.comment",
        obj=comment,
        engagement_id=engagement.id,
        after={"anchor": comment.anchor, "body": comment.body},
        summary=f"{submission.kind_name}第 {submission.version_number} 版：{comment.anchor}",
    )
    return comment


def delete_comment(
    db: Session, *, actor: User, engagement: Engagement, submission: Submission, comment_id: int
) -> None:
    """Withdraw one's own comment while the submission is still pending."""
    _require_reviewer(actor, engagement, submission)
    comment = db.get(ReviewComment, comment_id)
    if comment is None or comment.submission_id != submission.id:
        raise NotFound("审核意见不存在")
    if comment.author_id != actor.id:
        raise NotAllowed("只能删除自己填写的审核意见")
    audit.record(
        db,
        actor=actor,
        action="review.comment_delete",
        obj=comment,
        engagement_id=engagement.id,
        before={"anchor": comment.anchor, "body": comment.body},
    )
    db.delete(comment)
    db.flush()


def decide(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    submission: Submission,
    decision: str,
    comments: Sequence[CommentInput] = (),
    note: str = "",
) -> Submission:
    """Approve (closes the version) or return with at least one comment; notifies the lead."""
    _require_reviewer(actor, engagement, submission)
    if decision not in {d.value for d in Decision}:
        raise ValidationFailed(
            "审核结论无效",
            details=[{"field": "decision", "message": "审核结论须为“审核通过”或“退回修改”"}],
        )
    if len(note) > MAX_TEXT:
        raise ValidationFailed(
            "审核说明过长",
            details=[{"field": "note", "message": f"审核说明不能超过 {MAX_TEXT} 字"}],
        )
    sections = sections_of(db.get(DeliverableVersion, submission.version_id))
    errors, anchored = [], []
    for n, item in enumerate(comments):
        problems, title, quote = _check_comment(sections, item, f"comments.{n}.")
        errors.extend(problems)
        anchored.append((item, title, quote))
    existing = comments_of(db, [submission.id])[submission.id]
    if decision == Decision.return_ and not existing and not comments:
        errors.append({"field": "comments", "message": "退回修改须至少填写一条审核意见"})
    if errors:
        raise ValidationFailed("审核意见有误", details=errors)
    for item, title, quote in anchored:
        db.add(_new_comment(submission, actor, item, title, quote))
    before = {"status": submission.status}
    submission.status = (
        SubmissionStatus.approved if decision == Decision.approve else SubmissionStatus.returned
    )
    submission.decided_by_id = actor.id
    submission.decided_at = utcnow()
    submission.decision_note = note.strip()
    db.add(submission)
    flush(db, "该版本已被他人审核，请刷新后查看")
    count = len(existing) + len(anchored)
    name = f"{submission.kind_name}第 {submission.version_number} 版"
    outcome = "审核通过" if decision == Decision.approve else f"退回修改（{count} 条意见）"
    audit.record(
        db,
        actor=actor,
        action="review.approve" if decision == Decision.approve else "review.return",
        obj=submission,
        engagement_id=engagement.id,
        before=before,
        after={"status": submission.status, "comments": count, "note": submission.decision_note},
        summary=f"{name}：{outcome}",
    )
    notifications.notify(
        db,
        users=notifications.lead_users(db, engagement),
        engagement=engagement,
        kind=f"review.{submission.status}",
        title=f"{engagement.title}：{name}{outcome}",
        body=(f"委托方审核意见：{submission.decision_note}" if submission.decision_note else ""),
        link=link_to(submission),
    )
    return submission
