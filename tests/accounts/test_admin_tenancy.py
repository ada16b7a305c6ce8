"""Administration is scoped to the admin's agency (issue 14, item 1).

Before the fix an admin of agency B listed every user, read agency A's audit log, reset
demo-lead's password (and was shown the temporary one), and created an admin inside agency A
whose account downloaded engagement 1's binder.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from workbench.accounts import services
from workbench.accounts.models import OrgKind, SystemRole, User
from workbench.engagements import services as engagements

AGENCY = "示例绩效评价咨询有限公司"


def _main(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture()
def rival(db, demo, login):
    """The admin and a staff member of another agency, and the admin's logged-in client."""
    org = services.create_org(db, actor=None, name="乙评价咨询有限公司", kind=OrgKind.agency)
    made = {}
    for role in ("admin", "staff"):
        made[role] = services.create_user(
            db,
            actor=None,
            username=f"rival-{role}",
            display_name=f"乙{role}",
            password=PASSWORD,
            org_id=org.id,
            system_role=SystemRole(role),
            check_policy=False,
        )
    db.flush()
    return type("Rival", (), {"org": org, "client": login("rival-admin"), **made})


def test_user_list_shows_only_the_agencys_own_accounts(rival, demo):
    page = rival.client.get("/admin/users").get_data(as_text=True)
    assert "rival-staff" in page
    assert "demo-lead" not in page and "demo-bureau" not in page and "demo-expert" not in page


def test_demo_admin_lists_its_people_and_not_the_rivals(rival, login):
    page = login("demo-admin").get("/admin/users").get_data(as_text=True)
    assert "demo-lead" in page and "demo-bureau" in page and "demo-expert" in page
    assert "rival-staff" not in page and "rival-admin" not in page


def test_rival_cannot_reset_disable_or_learn_of_another_agencys_user(rival, demo, db):
    lead = demo.users["demo-lead"]
    hash_before = lead.password_hash
    for url, data in [
        (f"/admin/users/{lead.id}/reset", {}),
        (f"/admin/users/{lead.id}/active", {"active": "0"}),
    ]:
        response = rival.client.post(url, data=data)
        assert response.status_code == 404
        missing = rival.client.post(url.replace(str(lead.id), "999999"), data=data)
        assert _main(response) == _main(missing)  # a refused user reads like no user
        assert "临时密码" not in response.get_data(as_text=True)
    db.refresh(lead)
    assert lead.active and lead.password_hash == hash_before and not lead.must_change_password


def test_rival_cannot_make_accounts_inside_another_agency(rival, demo, db):
    agency = demo.orgs[AGENCY]
    bureau = demo.orgs["示例市财政局"]
    for org_id, role in [(agency.id, "admin"), (agency.id, "staff"), (bureau.id, "external")]:
        response = rival.client.post(
            "/admin/users",
            data={
                "username": f"mole{role}{org_id}",
                "display_name": "内应",
                "org_id": org_id,
                "system_role": role,
                "password": "goodpass1",
            },
        )
        assert response.status_code == 200
        assert "只能为本机构、本机构项目的委托方或被评价单位创建账号" in response.get_data(
            as_text=True
        )
    assert db.exec(select(User).where(User.display_name == "内应")).first() is None


def test_rival_cannot_create_an_admin_in_a_bureau_or_unit(rival, demo, db, make_user):
    # Even the bureau of the rival's own engagement holds only external accounts.
    response = rival.client.post(
        "/admin/users",
        data={
            "username": "rival.own.admin",
            "display_name": "内应",
            "org_id": rival.org.id,
            "system_role": "external",
            "password": "goodpass1",
        },
    )
    assert response.status_code == 302  # external accounts in one's own agency are allowed
    made = db.exec(select(User).where(User.username == "rival.own.admin")).one()
    assert made.managed_by_id == rival.org.id


def _mole(db, demo, rival):
    """A reviewer account of the demo's bureau, made and managed by the rival agency."""
    mole = services.create_user(
        db,
        actor=rival.admin,
        username="bureau.mole",
        display_name="内应",
        password=PASSWORD,
        org_id=demo.orgs["示例市财政局"].id,
        system_role=SystemRole.external,
        managed_by_id=rival.org.id,
    )
    db.flush()
    return mole


def test_a_bureau_account_an_agency_makes_sees_only_that_agencys_engagements(rival, demo, db):
    """The mole route: B makes a reviewer of A's bureau and reads A's engagement through it."""
    mole = _mole(db, demo, rival)
    engagement = demo.engagement
    assert not engagement.visible_to(mole)
    assert engagement.visible_to(demo.users["demo-bureau"])  # the demo agency's own reviewer
    found = db.exec(engagements.visible_query(mole)).all()
    assert engagement not in found


def test_bureau_page_refuses_the_moles_login(rival, demo, db, login):
    _mole(db, demo, rival)
    client = login("bureau.mole")
    eid = demo.engagement.id
    assert client.get(f"/engagements/{eid}").status_code == 404
    assert demo.engagement.title not in client.get("/").get_data(as_text=True)
    inbox = client.get("/review/inbox")
    assert inbox.status_code in (200, 404)
    assert demo.engagement.title not in inbox.get_data(as_text=True)


def test_audit_log_shows_only_the_agencys_rows(rival, demo, login, db):
    from workbench.core import audit

    audit.record(db, actor=rival.staff, action="user.login", obj=rival.staff, summary="乙登录")
    db.flush()
    rival_page = rival.client.get("/admin/audit").get_data(as_text=True)
    assert "乙登录" in rival_page
    assert demo.engagement.title not in rival_page and "demo-lead" not in rival_page
    demo_page = login("demo-admin").get("/admin/audit").get_data(as_text=True)
    assert "乙登录" not in demo_page


def test_orgs_page_hides_other_agencies_and_refuses_to_register_one(rival, demo, db):
    page = rival.client.get("/admin/orgs").get_data(as_text=True)
    assert AGENCY not in page and "乙评价咨询有限公司" in page
    assert "示例市财政局" in page  # bureaus and units are public bodies
    response = rival.client.post("/admin/orgs", data={"name": "丙评价公司", "kind": "agency"})
    assert response.status_code == 200
    assert "丙评价公司" not in {o.name for o in services.list_orgs(db)}


def test_team_picker_offers_only_the_agencys_people_and_the_engagements_clients(
    rival, demo, login, make_user
):
    outsider_expert = make_user("expert", username="free.expert")  # the operator's, unassigned
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/team").get_data(as_text=True)
    picker = page[page.index('name="user_id"') :]
    picker = picker[: picker.index("</select>")]
    assert "rival-staff" not in picker and "rival-admin" not in picker
    assert "demo-bureau2" not in picker  # another bureau's reviewer
    assert outsider_expert.username not in picker


def test_lead_cannot_add_another_agencys_staff_as_expert(rival, demo, login, db):
    client = login("demo-lead")
    response = client.post(
        f"/engagements/{demo.engagement.id}/team/add",
        data={"user_id": rival.staff.id, "role": "expert", "duty": ""},
        follow_redirects=True,
    )
    assert "该用户不能担任此角色" in response.get_data(as_text=True)
    db.refresh(demo.engagement)
    assert rival.staff.id not in {m.user_id for m in demo.engagement.members}
