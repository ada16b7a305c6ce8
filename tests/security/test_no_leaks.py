"""No existence or timing leaks: a hidden object answers exactly like a missing one (and like an
unknown route), the permission layer's header is for the test suite only, and logging in as an
unknown or disabled user costs a password check like an existing one."""

import re

import pytest

from tests.conftest import PASSWORD
from workbench.accounts import services
from workbench.core.errors import NOT_FOUND_MESSAGE
from workbench.fieldwork import papers

MISSING = 999999


@pytest.fixture()
def paper(db, demo):
    created = papers.create_paper(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        template_key="site_visit",
        title="泄露测试底稿",
    )
    db.flush()
    return created


def test_api_404_bodies_are_identical_for_missing_route_missing_and_hidden_objects(
    client, demo, paper, token_for
):
    outsider = token_for(demo.users["demo-bureau2"])
    answers = [
        client.get("/api/v1/no-such-thing", headers=outsider),
        client.get(f"/api/v1/engagements/{MISSING}", headers=outsider),
        client.get(f"/api/v1/engagements/{demo.engagement.id}", headers=outsider),
        client.get(f"/api/v1/workpapers/{MISSING}", headers=outsider),
        client.get(f"/api/v1/workpapers/{paper.id}", headers=outsider),
        client.post(f"/api/v1/workpapers/{MISSING}/signoffs", json={}, headers=outsider),
        client.post(f"/api/v1/workpapers/{paper.id}/signoffs", json={}, headers=outsider),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.get_data() for r in answers}) == 1  # byte for byte
    assert answers[0].json == {"error": NOT_FOUND_MESSAGE}


def _page_body(response) -> str:
    """The page without the per-render CSRF token and the address asked for (the language form's)."""
    return re.sub(r'name="(csrf_token|next)" value="[^"]*"', "", response.get_data(as_text=True))


def test_pages_answer_a_hidden_object_exactly_like_a_missing_one(login, demo, paper):
    outsider = login("demo-bureau2")
    engagement = demo.engagement.id
    pairs = [
        (f"/engagements/{MISSING}", f"/engagements/{engagement}"),
        (
            f"/engagements/{engagement}/workpapers/{MISSING}",
            f"/engagements/{engagement}/workpapers/{paper.id}",
        ),
    ]
    for missing, hidden in pairs:
        a, b = outsider.get(missing), outsider.get(hidden)
        assert a.status_code == b.status_code == 404
        assert _page_body(a) == _page_body(b)
        assert NOT_FOUND_MESSAGE in _page_body(a)


def test_a_form_post_on_a_missing_object_answers_like_a_hidden_one(login, demo, token_for, db):
    from workbench.accounts.services import create_token

    other, _clear = create_token(db, user=demo.users["demo-evaluator"], label="别人的")
    db.flush()
    lead = login("demo-lead")
    missing = lead.post(f"/profile/tokens/{MISSING}/revoke")
    someone_elses = lead.post(f"/profile/tokens/{other.id}/revoke")
    assert missing.status_code == someone_elses.status_code == 404
    assert _page_body(missing) == _page_body(someone_elses)


def test_permission_header_is_sent_only_to_the_test_suite(app_with, demo, paper):
    def refused_headers(application):
        client = application.test_client()
        client.post("/login", data={"username": "demo-bureau2", "password": PASSWORD})
        r = client.get(f"/engagements/{demo.engagement.id}")
        assert r.status_code == 404
        return r.headers

    assert refused_headers(app_with())["X-Permission-Denied"] == "404"
    assert "X-Permission-Denied" not in refused_headers(app_with(TESTING=False))


class HasherSpy:
    """Wraps the password hasher and records which hashes were verified."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.verified: list[str] = []

    def verify(self, password_hash, password):
        self.verified.append(password_hash)
        return self.hasher.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


@pytest.fixture()
def spy(monkeypatch):
    recorder = HasherSpy(services._hasher)
    monkeypatch.setattr(services, "_hasher", recorder)
    return recorder


@pytest.mark.parametrize("path", ["/login", "/api/v1/tokens"])
def test_unknown_user_login_verifies_against_the_dummy_hash(client, demo, spy, path):
    payload = {"username": "nobody-at-all", "password": "guess1234"}
    r = client.post(path, **({"json": payload} if path.startswith("/api") else {"data": payload}))
    assert r.status_code == (401 if path.startswith("/api") else 200)
    assert spy.verified == [services.dummy_hash()]


def test_disabled_user_login_verifies_against_the_dummy_hash(client, db, demo, spy):
    unit = demo.users["demo-unit"]
    unit.active = False
    db.add(unit)
    db.flush()
    r = client.post("/login", data={"username": "demo-unit", "password": PASSWORD})
    assert "已停用" in r.get_data(as_text=True)
    assert spy.verified == [services.dummy_hash()]


def test_existing_user_login_verifies_against_their_own_hash(client, demo, spy):
    client.post("/login", data={"username": "demo-lead", "password": "guess1234"})
    assert spy.verified == [demo.users["demo-lead"].password_hash]


def test_dummy_hash_costs_what_a_user_hash_costs(demo):
    from argon2 import extract_parameters

    assert extract_parameters(services.dummy_hash()) == extract_parameters(
        demo.users["demo-lead"].password_hash
    )
