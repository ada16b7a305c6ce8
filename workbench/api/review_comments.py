"""The bureau's comments on a submission and the firm's reply to each, through the API.

The same services as the submission page: a comment is added and withdrawn by the bureau
(`decisions.add_comment` / `delete_comment`) and answered by the team (`submissions.answer`: one
reply per comment, editable until the version is resubmitted, with the comment's version as
If-Match). Replies close with the archive (the services say so).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_login import current_user

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.review import load_submission
from workbench.api.review_record import names_of
from workbench.api.review_record_schemas import (
    CommentReplyIn,
    CommentReplyOut,
    ReviewCommentList,
    ReviewCommentOut,
)
from workbench.api.review_schemas import CommentIn
from workbench.api.versions import require_current, tagged
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.review.models import ReviewComment
from workbench.review.services import Scope, decisions, submissions


def _comment_of(scope: Scope, cid: int) -> ReviewComment:
    """A comment of this submission (404 for another submission's or engagement's)."""
    comment = db.session().get(ReviewComment, cid)
    if comment is None or comment.submission_id != scope.obj.id:
        raise NotFound("审核意见不存在")
    return comment


def _reply(c: ReviewComment, names: dict[int, str]) -> CommentReplyOut:
    return CommentReplyOut(
        comment_id=c.id,
        answer=c.answer,
        answered_by_id=c.answered_by_id,
        answered_by_name=names.get(c.answered_by_id or 0, ""),
        answered_at=c.answered_at,
    )


def _comments(rows: Sequence[ReviewComment]) -> list[ReviewCommentOut]:
    names = names_of({c.author_id for c in rows} | {c.answered_by_id or 0 for c in rows})
    return [
        ReviewCommentOut(
            id=c.id,
            submission_id=c.submission_id,
            section=c.section_key,
            section_title=c.section_title,
            paragraph=c.paragraph,
            anchor=c.anchor,
            quote=c.quote,
            body=c.body,
            author_id=c.author_id,
            author_name=names.get(c.author_id, ""),
            created_at=c.created_at,
            reply=_reply(c, names) if c.answered else None,
            version=c.version,
        )
        for c in rows
    ]


# --- comments and replies --------------------------------------------------------------------


@operation(
    "/submissions/{sid}/comments",
    "GET",
    summary=(
        "该提交版本的审核意见，每条附评价机构的回复（reply，未回复为 null）和 version"
        "（新的在前；分页：limit, cursor）"
    ),
    response=ReviewCommentList,
    tag="review",
)
@requires("review.view", load=load_submission)
def list_review_comments(sid: int):
    scope = guarded_object()
    rows = submissions.comments_of(db.session(), [scope.obj.id])[scope.obj.id]
    chosen, next_cursor = cursor.page_of(rows, lambda c: c.id)
    return respond(ReviewCommentList(items=_comments(chosen), next_cursor=next_cursor))


@operation(
    "/submissions/{sid}/comments",
    "POST",
    summary=(
        "委托方对待审核版本添加一条审核意见 {body, section?, paragraph?}；"
        "章节或段落不存在时 422，版本已审核或项目已归档时 409"
    ),
    body=CommentIn,
    response=ReviewCommentOut,
    status=201,
    tag="review",
)
@requires("review.bureau", load=load_submission)
def add_review_comment(sid: int):
    scope = guarded_object()
    body = parse_body(CommentIn)
    comment = decisions.add_comment(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        submission=scope.obj,
        item=decisions.CommentInput(body=body.body, section=body.section, paragraph=body.paragraph),
    )
    [out] = _comments([comment])
    return respond(out, 201)


@operation(
    "/submissions/{sid}/comments/{cid}",
    "DELETE",
    summary="委托方撤回自己填写的审核意见（仅在版本待审核时）；他人的意见 403，已审核 409",
    status=204,
    tag="review",
)
@requires("review.bureau", load=load_submission)
def delete_review_comment(sid: int, cid: int):
    scope = guarded_object()
    decisions.delete_comment(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        submission=scope.obj,
        comment_id=_comment_of(scope, cid).id,
    )
    return "", 204


@operation(
    "/submissions/{sid}/comments/{cid}/reply",
    "GET",
    summary="评价机构对该审核意见的回复（未回复时 answer 为空）；响应头 ETag 为修改回复所需的 If-Match",
    response=CommentReplyOut,
    tag="review",
)
@requires("review.view", load=load_submission)
def get_comment_reply(sid: int, cid: int):
    comment = _comment_of(guarded_object(), cid)
    names = names_of({comment.answered_by_id or 0})
    return tagged(respond(_reply(comment, names)), comment.version)


@operation(
    "/submissions/{sid}/comments/{cid}/reply",
    "PUT",
    summary=(
        "评价机构逐条回复审核意见 {answer}（与提交页相同：版本被退回后、重新提交前可回复和修改；"
        "审核中、已重新提交、已通过或已归档时 409）；须带 If-Match（该意见的 ETag），过期 412"
    ),
    body=CommentReplyIn,
    response=CommentReplyOut,
    tag="review",
    versioned=True,
)
@requires("review.team", load=load_submission)
def put_comment_reply(sid: int, cid: int):
    scope = guarded_object()
    comment = _comment_of(scope, cid)
    body = parse_body(CommentReplyIn)
    version = require_current(comment.version)
    comment = submissions.answer(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        comment_id=comment.id,
        text=body.answer,
        version=version,
    )
    return tagged(respond(_reply(comment, names_of({current_user.id}))), comment.version)
