"""Every edit names the version it edits: without one nothing is written and the page says why.

Each case opens the page, takes the form as the browser would send it, leaves out `version`
(and, separately, sends nothing but the CSRF token), and checks that no audit entry appears and
that the answer is the missing-version message, not a silent save or a wiped field.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from tests.security.fuzz import forms_of
from tests.test_permission_matrix import _params
from workbench.core.audit import AuditEntry
from workbench.core.locking import MISSING_VERSION

E = "/engagements/<engagement_id>"
# (user, page showing the form, the form's target)
EDITS = [
    ("demo-lead", f"{E}/edit", f"{E}/edit"),
    ("demo-lead", f"{E}/indicators/<indicator_id>/edit", f"{E}/indicators/<indicator_id>/edit"),
    ("demo-lead", f"{E}/scoring/<indicator_id>", f"{E}/scoring/<indicator_id>"),
    ("demo-evaluator", f"{E}/surveys/<survey_id>/responses", f"{E}/surveys/<survey_id>/rules"),
    ("demo-evaluator", f"{E}/surveys/<survey_id>", f"{E}/surveys/<survey_id>/settings"),
    ("demo-evaluator", f"{E}/surveys/<survey_id>", f"{E}/surveys/<survey_id>/plan"),
    ("demo-lead", f"{E}/papers/<paper_id>/edit", f"{E}/papers/<paper_id>/edit"),
    ("demo-admin", "/experts/<expert_id>/edit", "/experts/<expert_id>/edit"),
    ("demo-admin", "/library/<library_id>/edit", "/library/<library_id>/edit"),
    ("demo-admin", "/admin/rubrics/<rubric_id>/edit", "/admin/rubrics/<rubric_id>/edit"),
    ("demo-admin", "/fieldwork/templates/<paper_template_id>/edit",
     "/fieldwork/templates/<paper_template_id>/edit"),
    ("demo-lead", f"{E}/plan", f"{E}/plan/settings"),
    ("demo-lead", f"{E}/finance/contract", f"{E}/finance/contract"),
    ("demo-lead", f"{E}/review/rectification", f"{E}/review/rectification/<item_id>/edit"),
    ("demo-lead", f"{E}/review/rectification", f"{E}/review/rectification/<item_id>/progress"),
]  # fmt: skip


# Pages that create the object on the first save: the second save edits it and needs the version.
CREATE_THEN_EDIT = [
    ("demo-admin", "/finance/settings"),
]


def _fill(path: str, values: dict) -> str:
    return re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), path)


def _audit_count(db) -> int:
    return db.exec(select(func.count()).select_from(AuditEntry)).one()


def _form(client, page: str, target: str) -> dict[str, str]:
    html = client.get(page).get_data(as_text=True)
    found = [fields for action, fields in forms_of(html, page) if action == target]
    assert found, f"no form posting to {target} on {page}"
    fields = next((f for f in found if "version" in f), None)
    assert fields is not None, f"the form posting to {target} sends no version"
    return fields


@pytest.fixture()
def values(app, db, demo, make_user):
    with app.app_context():  # the matrix's fixtures store real files
        return _params(db, demo, make_user("unit"))


@pytest.mark.parametrize(("user", "page", "target"), EDITS, ids=[t for _u, _p, t in EDITS])
def test_an_edit_without_its_version_writes_nothing(login, db, values, user, page, target):
    client = login(user)
    page, target = _fill(page, values), _fill(target, values)
    fields = _form(client, page, target)
    fields.pop("version")
    before = _audit_count(db)
    response = client.post(target, data=fields, follow_redirects=True)
    assert MISSING_VERSION in response.get_data(as_text=True)
    assert _audit_count(db) == before


@pytest.mark.parametrize(("user", "page", "target"), EDITS, ids=[t for _u, _p, t in EDITS])
def test_a_bare_post_writes_nothing(login, db, values, user, page, target):
    client = login(user)
    target = _fill(target, values)
    before = _audit_count(db)
    client.post(target, data={"csrf_token": "x"}, follow_redirects=True)
    assert _audit_count(db) == before


@pytest.mark.parametrize(("user", "page"), CREATE_THEN_EDIT, ids=[p for _u, p in CREATE_THEN_EDIT])
def test_the_edit_after_the_first_save_needs_the_version(login, db, values, user, page):
    client = login(user)
    page = _fill(page, values)
    first = _form(client, page, page)
    assert first["version"] == ""  # nothing to edit yet: the first save creates
    assert client.post(page, data=first).status_code == 302
    fields = _form(client, page, page)
    assert fields.pop("version")
    before = _audit_count(db)
    response = client.post(page, data=fields, follow_redirects=True)
    assert MISSING_VERSION in response.get_data(as_text=True)
    assert _audit_count(db) == before
