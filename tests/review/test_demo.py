"""The demo shows the loop: the plan submitted, returned with a bureau comment, answered,
revised, resubmitted and approved."""

from sqlmodel import select

from workbench.engagements import services
from workbench.reports.locks import locked_reason
from workbench.review import demo as review_demo
from workbench.review.models import Notification, ReviewComment, Submission


def _check_returned_plan(db, engagement, people, *, anchored: bool) -> None:
    rows = db.exec(select(Submission).where(Submission.engagement_id == engagement.id)).all()
    row, again = sorted(rows, key=lambda r: r.round)
    assert (row.kind, row.status, row.round) == ("plan", "returned", 1)
    assert (again.kind, again.status, again.round) == ("plan", "approved", 2)
    assert again.version_number > row.version_number  # the revised plan is a new version
    [comment] = db.exec(select(ReviewComment).where(ReviewComment.submission_id == row.id)).all()
    assert comment.author_id == people.bureau.id and "抽样方法" in comment.body
    assert "分层抽样" in (comment.answer or "")  # the lead answered before resubmitting
    if anchored:  # the demo plan has text: the comment points at a paragraph
        assert comment.section_key and comment.paragraph == 1 and comment.quote
    elif comment.section_key:  # the fallback plan may still carry text to point at
        assert comment.paragraph == 1 and comment.quote
    else:  # a plan generated from an empty engagement has no text: a general comment
        assert comment.paragraph is None
    assert locked_reason(db, engagement, "plan") is None  # approved: the agency may revise again
    kinds = {
        n.kind
        for n in db.exec(select(Notification).where(Notification.engagement_id == engagement.id))
        if n.kind.startswith("review.")  # other domains' demo steps notify too (papers, requests)
    }
    assert kinds == {"review.submitted", "review.returned", "review.approved"}


def test_demo_engagement_shows_the_plan_returned_then_approved(files, db, demo, people):
    _check_returned_plan(db, demo.engagement, people, anchored=True)


def test_fill_works_on_any_engagement(engagement, db, demo, people):
    review_demo.fill(db, engagement, demo.users)
    _check_returned_plan(db, engagement, people, anchored=False)


def test_demo_without_an_application_adds_nothing(db, make_user):
    lead, bureau = make_user("agency"), make_user("bureau")
    engagement = services.create(
        db,
        actor=lead,
        data=services.EngagementInput(
            title="无应用上下文", type="project", bureau_id=bureau.org_id, budget_year=2025
        ),
    )
    review_demo.fill(db, engagement, {"demo-lead": lead, "demo-bureau": bureau})
    assert db.exec(select(Submission).where(Submission.engagement_id == engagement.id)).all() == []
