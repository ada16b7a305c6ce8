"""The review domain's routes in the route × role matrix, and the objects their URLs name."""

from __future__ import annotations

from datetime import date

from tests.permissions_roles import (
    ADMIN,
    ANY_ADMIN,
    AUTH,
    MANAGE,
    TEAM,
    each_role,
    fresh_engagement,
)

REVIEW = TEAM | {"bureau"}  # the agency team and the commissioning bureau's reviewers
BUREAU = {"bureau"}
FOLLOW_UP = MANAGE | {"bureau"}

EXPECTED: dict[str, set[str]] = {
    "review.inbox": {"bureau", "bureau2"},
    "review.notifications": AUTH,
    "review.read_notification": {"lead"},  # its recipient only
    "review.read_all": AUTH,
    "review.overview": REVIEW,
    "review.submit": MANAGE,
    "review.submission": REVIEW,
    "review.download": REVIEW,
    "review.add_comment": BUREAU,
    "review.delete_comment": BUREAU,
    "review.decide": BUREAU,
    "review.answer": TEAM,
    "review.rating": REVIEW,
    "review.rate": BUREAU,
    "review.rectification": REVIEW,
    "review.rectification_export": REVIEW,
    "review.create_items": MANAGE,
    "review.rectification_import": MANAGE,
    "review.rectification_import_confirm": MANAGE,
    "review.rectification_import_template": MANAGE,
    "review.edit_item": MANAGE,
    "review.progress": FOLLOW_UP,
    "review.delete_item": MANAGE,
    "review.unit_rectification": {"unit"},
    "review.unit_rectification_export": {"unit"},
    "review.unit_report": {"unit"},
    "review.rectification_file": REVIEW | {"unit"},
    "review.archive": TEAM,
    "review.archive_export": TEAM,
    "review.rubrics_list": ANY_ADMIN,
    "review.new_rubric": ANY_ADMIN,
    "review.edit_rubric": ADMIN,
    "review.delete_rubric": ADMIN,
    "api.list_submissions_get": REVIEW,
    "api.create_submission_post": MANAGE,
    "api.decide_submission_post": BUREAU,
    "api.put_quality_rating_put": BUREAU,
    # workbench/api/review_record.py: the pages' predicates
    "api.list_review_comments_get": REVIEW,  # as review.submission
    "api.add_review_comment_post": BUREAU,  # as review.add_comment
    "api.delete_review_comment_delete": BUREAU,  # as review.delete_comment
    "api.get_comment_reply_get": REVIEW,  # as review.submission
    "api.put_comment_reply_put": TEAM,  # as review.answer
    "api.list_rectification_get": REVIEW,  # as review.rectification
    "api.list_unit_rectification_get": {"unit"},  # as review.unit_rectification
    "api.create_rectification_item_post": MANAGE,  # as review.create_items
    "api.get_rectification_item_get": REVIEW,  # as review.rectification
    "api.patch_rectification_item_patch": MANAGE,  # as review.edit_item
    "api.delete_rectification_item_delete": MANAGE,  # as review.delete_item
    "api.record_rectification_progress_post": FOLLOW_UP,  # as review.progress
    "api.report_rectification_post": {"unit"},  # as review.unit_report
    "api.get_rectification_file_get": REVIEW | {"unit"},  # as review.rectification_file
}


def params(db, demo) -> dict:
    """A pending submission with a comment, a follow-up item, a notification, a rubric."""
    from sqlmodel import select

    from workbench.core import storage
    from workbench.reports.models import DeliverableVersion
    from workbench.review.models import (
        Notification,
        QualityRubric,
        RectificationEvidence,
        RectificationItem,
        RectificationReport,
        ReviewComment,
        Submission,
    )
    from workbench.review.rubrics import BUILTINS, STANDARD_KEY, rubric_to_data

    engagement, users = demo.engagement, demo.users
    sha = storage.store(db, b"matrix review file").sha256
    number = 1 + max(
        [v.number for v in db.exec(select(DeliverableVersion).where(
            DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == "report"
        )).all()] or [0]
    )  # fmt: skip
    version = DeliverableVersion(
        engagement_id=engagement.id, kind="report", number=number, sha256=sha, filename="r.docx",
        mime="application/octet-stream", size=4, stage=engagement.stage,
        sections={"overview": {"title": "概况", "html": "<p>甲</p>"}},
    )  # fmt: skip
    db.add(version)
    db.flush()
    submission = Submission(
        engagement_id=engagement.id, kind="final_report", version_id=version.id,
        version_number=number, round=_next_round(db, engagement),
        submitted_by_id=users["demo-lead"].id,
    )  # fmt: skip
    db.add(submission)
    db.flush()
    comment = ReviewComment(
        submission_id=submission.id, engagement_id=engagement.id, body="意见",
        author_id=users["demo-bureau"].id,
    )  # fmt: skip
    item = RectificationItem(
        engagement_id=engagement.id, problem="问题", feedback_due=date(2026, 1, 1),
        rectify_due=date(2026, 2, 1), created_by_id=users["demo-lead"].id,
    )  # fmt: skip
    note = Notification(user_id=users["demo-lead"].id, kind="test", title="通知")
    rubric = QualityRubric(
        agency_id=engagement.agency_id, name="考核表",
        definition=rubric_to_data(BUILTINS[STANDARD_KEY]),
    )  # fmt: skip
    db.add_all([comment, item, note, rubric])
    db.flush()
    report = RectificationReport(
        engagement_id=engagement.id, item_id=item.id, kind="progress", text="已整改",
        author_id=users["demo-unit"].id,
    )  # fmt: skip
    db.add(report)
    db.flush()
    evidence = RectificationEvidence(
        engagement_id=engagement.id, report_id=report.id, sha256=sha, name="整改.pdf",
        mime="application/pdf", size=4, uploaded_by_id=users["demo-unit"].id,
    )  # fmt: skip
    db.add(evidence)
    db.flush()
    return {
        "file_id": evidence.id,
        "submission_id": submission.id,
        "sid": submission.id,
        "comment_id": comment.id,
        "cid": comment.id,
        "item_id": item.id,
        "notification_id": note.id,
        "rubric_id": rubric.id,
    }


def _next_round(db, engagement) -> int:
    from sqlmodel import func, select

    from workbench.review.models import Submission

    found = db.exec(
        select(func.max(Submission.round)).where(
            Submission.engagement_id == engagement.id, Submission.kind == "final_report"
        )
    ).one()
    return (found or 0) + 1


def endpoint_params(db, demo) -> dict:
    """A follow-up item per call of delete_item, with nothing reported on it yet."""
    from workbench.review.models import RectificationItem

    def item(role: str) -> int:
        row = RectificationItem(
            engagement_id=demo.engagement.id, problem=f"{role}的问题",
            feedback_due=date(2026, 1, 1), rectify_due=date(2026, 2, 1),
            created_by_id=demo.users["demo-lead"].id,
        )  # fmt: skip
        db.add(row)
        db.flush()
        return row.id

    def comment(role: str) -> int:
        """A comment of the demo bureau's on the pending submission `params` made."""
        from sqlmodel import col, select

        from workbench.review.models import ReviewComment, Submission

        pending = db.exec(
            select(Submission)
            .where(Submission.engagement_id == demo.engagement.id, Submission.status == "submitted")
            .order_by(col(Submission.id).desc())
        ).first()
        row = ReviewComment(
            submission_id=pending.id, engagement_id=demo.engagement.id, body=f"{role}撤回的意见",
            author_id=demo.users["demo-bureau"].id,
        )  # fmt: skip
        db.add(row)
        db.flush()
        return row.id

    return {
        "review.delete_item": {"item_id": each_role(item)},
        "api.delete_rectification_item_delete": {"item_id": each_role(item)},
        "api.delete_review_comment_delete": {"cid": each_role(comment)},
        "review.rate": {"engagement_id": _approved_final(db, demo)},
    }


def _approved_final(db, demo) -> int:
    """An engagement whose final report the bureau approved (the bureau rates only then; the
    demo's final report is still pending, for the decision's own calls)."""
    from workbench.core import storage
    from workbench.reports.models import DeliverableVersion
    from workbench.review import decisions, submissions

    engagement = fresh_engagement(db, demo, "质量考核")
    blob = storage.store(db, b"matrix approved final report")
    version = DeliverableVersion(
        engagement_id=engagement.id, kind="report", number=1, sha256=blob.sha256,
        filename="r.docx", mime="application/octet-stream", size=blob.size,
        stage=engagement.stage, sections={"overview": {"title": "概况", "html": "<p>甲</p>"}},
    )  # fmt: skip
    db.add(version)
    db.flush()
    final = submissions.submit(
        db, actor=demo.users["demo-lead"], engagement=engagement, kind="final_report",
        version_id=version.id,
    )  # fmt: skip
    decisions.decide(
        db, actor=demo.users["demo-bureau"], engagement=engagement, submission=final,
        decision="approve",
    )  # fmt: skip
    return engagement.id
