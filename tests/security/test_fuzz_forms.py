"""Hostile input to every page route: no answer of 500 or above, and nothing unstorable stored.

Walks app.url_map. Each POST route gets the hostile values in every field at once and then one
field at a time (the others as the page itself fills them, read from the forms on the pages), a
deep JSON body, and ids beyond an INTEGER column in its path; each GET route gets those ids and hostile
query strings. Every endpoint runs inside a savepoint rolled back afterwards, so each starts from
the demo. CSRF is off in the test configuration (tests/conftest.py). The number of hostile
requests is recorded as the test's `hostile_requests` property (printed at the end of the run).
"""

from __future__ import annotations

import re
from functools import partial

import pytest
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from tests.security import fuzz

pytestmark = [pytest.mark.slow, pytest.mark.long]

QUERY_NAMES = ["page", "per_page", "q", "v", "a", "b", "version", "indicator_id", "preparer_id"]
QUERY_VALUES = ["huge", "nan", "controls"]
LATER_ROW = re.compile(r"-[1-9][0-9]*-")


@pytest.fixture()
def open_survey(db, demo):
    """The demo survey accepting answers again, so the public form reaches the answer service."""
    from workbench.surveys.models import Survey, SurveyStatus

    survey = db.exec(
        select(Survey).where(
            Survey.engagement_id == demo.engagement.id, Survey.title == "学生家长满意度调查"
        )
    ).one()
    survey.status, survey.opens_at, survey.closes_at = SurveyStatus.open.value, None, None
    survey.one_per_device = False
    db.flush()
    return survey


@pytest.fixture()
def session_for(app, demo, login, monkeypatch):
    """session_for(role) → a logged-in test client (one per role, made once)."""
    monkeypatch.setitem(app.config, "SURVEY_SUBMIT_LIMIT", "100000 per minute")
    clients: dict[str, object] = {}

    def _client(role: str):
        if role not in clients:
            name = fuzz.username(role)
            clients[role] = login(name) if name else app.test_client()
        return clients[role]

    return _client


def _page_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in fuzz.SKIPPED and not rule.rule.startswith("/api/"):
            yield rule


def _harvest(app, session_for, values) -> dict[str, tuple[str, dict[str, str]]]:
    """endpoint → (URL, fields) of the richest form posting to it on any page (as a browser would)."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for rule in _page_rules(app):
        if "GET" not in rule.methods:
            continue
        page = fuzz.url(rule, values)
        response = session_for(fuzz.role_for(rule.endpoint)).get(page)
        html = response.get_data(as_text=True) if "html" in response.content_type else ""
        response.close()
        if response.status_code != 200:
            continue
        for target, fields in fuzz.forms_of(html, page):
            try:
                endpoint, _args = adapter.match(target, method="POST")
            except HTTPException:  # a GET form (a search) or a link outside the app
                continue
            if endpoint not in found or len(fields) > len(found[endpoint][1]):
                found[endpoint] = (target, fields)
    return found


def _post_batches(baseline: dict[str, str]):
    """(label, form data) pairs: every field hostile at once, then one field at a time.

    A route whose form no page showed (it appears in another state) gets every form field name
    instead; of repeated rows (instalments-0-percent, instalments-1-percent, …) only the first
    is varied alone.
    """
    names = list(baseline) or fuzz.form_field_names()
    for key, value in fuzz.HOSTILE.items():
        yield f"all={key}", {**baseline, **dict.fromkeys(names, value)}
    for name in baseline:
        if not LATER_ROW.search(name):
            for key, value in fuzz.HOSTILE.items():
                yield f"{name}={key}", {**baseline, name: value}


def test_hostile_form_posts_never_answer_500(
    app, db, demo, session_for, make_user, record_property
):
    with app.app_context():  # the matrix's objects store real files
        values = fuzz.params(db, demo, make_user("unit"))
    forms = _harvest(app, session_for, values)
    tally, stored = fuzz.Tally(), []
    for rule in _page_rules(app):
        methods = sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})
        if not methods:
            continue
        client = session_for(fuzz.role_for(rule.endpoint))
        target, baseline = forms.get(rule.endpoint, (fuzz.url(rule, values), {}))
        with fuzz.rolled_back(app) as written:
            for label, data in _post_batches(baseline):
                tally.call(f"POST {rule.rule} {label}", partial(client.post, target, data=data))
            tally.call(
                f"POST {rule.rule} deep JSON",
                partial(client.post, target, data=fuzz.DEEP_JSON, content_type="application/json"),
            )
            found = fuzz.stored_illegal_text(db, written)
            stored.extend(f"{rule.endpoint}: {cell}" for cell in found)
        fuzz.forget_flashes(client)
    record_property("hostile_requests", tally.sent)
    assert tally.failures == [], "\n".join(tally.failures)
    assert stored == []
    assert len(forms) >= 60, "the harvest found few forms: the pages changed shape?"


def test_hostile_ids_and_query_strings_never_answer_500(
    app, db, demo, session_for, make_user, record_property
):
    with app.app_context():  # the matrix's objects store real files
        values = fuzz.params(db, demo, make_user("unit"))
    tally = fuzz.Tally()
    for rule in _page_rules(app):
        client = session_for(fuzz.role_for(rule.endpoint))
        method = "GET" if "GET" in rule.methods else "POST"
        for name in fuzz.int_arguments(rule):
            for huge in (fuzz.HUGE, fuzz.INT32):
                path = fuzz.url(rule, values, {name: huge})
                tally.call(f"{method} {path}", partial(client.open, path, method=method))
        if method == "GET":
            for key in QUERY_VALUES:
                query = dict.fromkeys(QUERY_NAMES, fuzz.HOSTILE[key])
                page = fuzz.url(rule, values)
                tally.call(f"GET {page}?…={key}", partial(client.get, page, query_string=query))
        fuzz.forget_flashes(client)
    record_property("hostile_requests", tally.sent)
    assert tally.failures == [], "\n".join(tally.failures)
