"""职称 and 资格证书 through HTTP: the own profile page, the admin's page, bad input, CSRF, audit."""

from __future__ import annotations

from sqlmodel import select

from tests.conftest import PASSWORD
from workbench.core.audit import AuditEntry


def _entries(db, user):
    return db.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "user.qualifications", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id)
    ).all()


def test_profile_page_shows_the_form_and_saves_with_an_audit_entry(login, demo, db):
    client = login("demo-expert")  # the demo gives the agency's staff theirs; not the expert
    page = client.get("/profile").get_data(as_text=True)
    assert "职称和资格证书" in page and 'name="qualifications"' in page
    response = client.post(
        "/profile/qualifications",
        data={"title": " 中级  会计师 ", "qualifications": "注册会计师\n\n 资产评估师 "},
    )
    assert response.status_code == 302 and response.location.endswith("/profile#qualifications")
    user = demo.users["demo-expert"]
    db.refresh(user)
    assert user.title == "中级 会计师" and user.qualifications == "注册会计师\n资产评估师"
    [entry] = _entries(db, user)
    assert entry.actor_id == user.id
    assert entry.before == {"title": "", "qualifications": ""}
    assert entry.after["qualifications"] == "注册会计师\n资产评估师"
    assert "中级 会计师" in client.get("/profile").get_data(as_text=True)
    client.post("/profile/qualifications", data={"title": "中级 会计师",
                                                 "qualifications": "注册会计师\n资产评估师"})  # fmt: skip
    assert len(_entries(db, user)) == 1  # nothing changed: no second entry


def test_profile_refuses_too_long_text_with_chinese_messages(login, demo, db):
    client = login("demo-expert")
    response = client.post(
        "/profile/qualifications", data={"title": "职" * 61, "qualifications": "证" * 501}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "职称不能超过60个字" in page and "资格证书不能超过500个字" in page
    user = demo.users["demo-expert"]
    db.refresh(user)
    assert user.title == "" and not _entries(db, user)


def test_profile_form_needs_the_csrf_token(app_with, demo, db):
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"username": "demo-lead", "password": PASSWORD, "csrf_token": token})
    response = client.post("/profile/qualifications", data={"title": "高级会计师"})
    assert response.status_code in (400, 422)
    lead = demo.users["demo-lead"]
    db.refresh(lead)
    assert lead.title == "高级会计师" and lead.qualifications  # the demo's, unchanged
    assert not [e for e in _entries(db, lead) if e.after.get("title") != "高级会计师"]


def test_admin_edits_a_users_qualifications(login, demo, db):
    admin = login("demo-admin")
    lead = demo.users["demo-lead"]
    users_page = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{lead.id}/qualifications" in users_page
    form = admin.get(f"/admin/users/{lead.id}/qualifications")
    assert form.status_code == 200 and "李项目" in form.get_data(as_text=True)
    response = admin.post(
        f"/admin/users/{lead.id}/qualifications",
        data={"title": "正高级会计师", "qualifications": "注册会计师"},
    )
    assert response.status_code == 302
    db.refresh(lead)
    assert (lead.title, lead.qualifications) == ("正高级会计师", "注册会计师")
    entry = _entries(db, lead)[-1]  # after the demo's own entry
    assert entry.actor_id == demo.users["demo-admin"].id
    assert entry.before["title"] == "高级会计师" and entry.after["title"] == "正高级会计师"
    bad = admin.post(f"/admin/users/{lead.id}/qualifications", data={"title": "x" * 61})
    assert bad.status_code == 200 and "职称不能超过60个字" in bad.get_data(as_text=True)


def test_staff_cannot_edit_someone_elses_qualifications(login, demo):
    lead = demo.users["demo-lead"]
    response = login("demo-evaluator").post(
        f"/admin/users/{lead.id}/qualifications", data={"title": "教授"}
    )
    assert response.status_code in (403, 404)
