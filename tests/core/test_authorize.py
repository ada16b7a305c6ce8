"""One rule for "a team member or an admin of its agency", read by pages, API and services."""

from __future__ import annotations

import pytest

from workbench.accounts import services as accounts
from workbench.accounts.models import OrgKind, SystemRole
from workbench.core.errors import NotAllowed
from workbench.core.permissions import PREDICATES, authorize


def test_works_on_is_the_team_or_its_agencys_admin(db, demo):
    engagement, users = demo.engagement, demo.users
    other = accounts.create_org(db, actor=None, name="乙评价公司", kind=OrgKind.agency)
    rival_admin = accounts.create_user(
        db, actor=None, username="rival-admin", display_name="乙管理", password="x",
        org_id=other.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    expected = {
        "demo-lead": True,
        "demo-evaluator": True,
        "demo-reviewer": True,
        "demo-admin": True,  # not a member, but the agency's admin
        "demo-expert": False,
        "demo-bureau": False,
        "demo-unit": False,
    }
    for username, allowed in expected.items():
        assert engagement.works_on(users[username]) is allowed, username
        assert PREDICATES["engagement.team"](users[username], engagement) is allowed
    assert not engagement.works_on(rival_admin) and not engagement.is_agency_admin(rival_admin)


def test_authorize_raises_the_services_refusal(db, demo):
    engagement = demo.engagement
    authorize(demo.users["demo-lead"], "engagement.team", engagement)  # no refusal
    with pytest.raises(NotAllowed, match="只有工作组"):
        authorize(demo.users["demo-unit"], "engagement.team", engagement, message="只有工作组")
    with pytest.raises(NotAllowed, match="您没有执行此操作的权限"):
        authorize(demo.users["demo-bureau"], "engagement.manage", engagement)


def test_review_is_the_reviewers_the_lead_or_its_agencys_admin(demo):
    engagement, users = demo.engagement, demo.users
    reviewing = {name for name in users if engagement.reviews(users[name])}
    assert reviewing == {"demo-lead", "demo-reviewer", "demo-admin"}
    for name in users:
        assert PREDICATES["engagement.review"](users[name], engagement) is (name in reviewing)


def test_a_services_refusal_is_marked_like_the_decorators(db, demo, login):
    """The route × role matrix sees a service's NotAllowed behind a flash-and-redirect too."""
    from workbench.fieldwork import papers, review

    engagement, users = demo.engagement, demo.users
    paper = papers.create_paper(
        db, actor=users["demo-evaluator"], engagement=engagement, template_key="site_visit",
        title="拒绝标记底稿",
    )  # fmt: skip
    note = review.add_note(
        db, actor=users["demo-reviewer"], engagement=engagement, paper=paper, text="意见"
    )
    db.flush()
    url = f"/engagements/{engagement.id}/papers/{paper.id}/notes/{note.id}/resolve"
    # The page lets the evaluator in (fieldwork.write); the service refuses: not the note's author.
    response = login("demo-evaluator").post(url, data={})
    assert response.status_code == 302
    assert response.headers["X-Permission-Denied"] == "403"
    assert response.headers["X-Domain-Error"].startswith("403 ")
