"""What a signed-in user or the API sees is never stored by a browser or a proxy; static files
and the public survey pages keep their ordinary caching."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from workbench.surveys.models import Survey

SIGNED_IN = [
    "/",
    "/profile",
    "/library",
    "/engagements/{eid}",
    "/engagements/{eid}/indicators/export",  # a download
    "/no-such-page",  # the error page
]


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_pages_and_downloads_are_not_stored(login, demo, path):
    response = login("demo-lead").get(path.format(eid=demo.engagement.id))
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_post_is_not_stored(login, demo):
    response = login("demo-lead").post("/profile/tokens", data={"label": "x"})
    assert response.headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(client, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    assert client.get("/api/v1/engagements", headers=headers).headers["Cache-Control"] == (
        "no-store"
    )
    issued = client.post("/api/v1/tokens", json={"username": "demo-lead", "password": PASSWORD})
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(login, client, demo):
    for c in (client, login("demo-lead")):
        response = c.get("/static/css/app.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        response.close()


def test_the_public_survey_page_keeps_its_caching(login, client, db, demo):
    survey = db.exec(select(Survey).where(Survey.token.is_not(None))).first()
    assert survey is not None
    for c in (client, login("demo-lead")):
        response = c.get(f"/s/{survey.token}")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_anonymous_pages_are_left_alone(client, demo):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
