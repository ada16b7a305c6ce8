"""Idempotency keys on the API's creates (issue 21): a retried create creates once."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlmodel import Session, func, select

from tests import live_server
from workbench.db import make_engine
from workbench.engagements.models import Engagement

BODY = {"title": "重试也只建一个", "budget_year": 2026, "bureau_name": "示例市财政局"}


def _count(db, title: str) -> int:
    db.expire_all()
    return db.exec(select(func.count()).where(Engagement.title == title)).one()


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(
    client, db, demo, token_for
):
    lead = {**token_for(demo.users["demo-lead"]), "Idempotency-Key": "create-2026-001"}
    first = client.post("/api/v1/engagements", headers=lead, json=BODY)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/engagements", headers=lead, json=BODY)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and _count(db, BODY["title"]) == 1
    other = client.post("/api/v1/engagements", headers=lead, json={**BODY, "title": "另一个"})
    assert other.status_code == 422
    assert other.json["errors"][0]["message"] == "该 Idempotency-Key 已用于另一个请求"
    assert _count(db, "另一个") == 0
    # Keys are per user: another person's key of the same text is theirs.
    admin = {**token_for(demo.users["demo-admin"]), "Idempotency-Key": "create-2026-001"}
    assert client.post("/api/v1/engagements", headers=admin, json=BODY).status_code == 201
    assert _count(db, BODY["title"]) == 2
    # Without a key every request is its own.
    plain = token_for(demo.users["demo-lead"])
    assert client.post("/api/v1/engagements", headers=plain, json=BODY).status_code == 201
    assert _count(db, BODY["title"]) == 3


def test_a_refused_request_keeps_nothing_so_the_corrected_one_may_reuse_the_key(
    client, db, demo, token_for
):
    lead = {**token_for(demo.users["demo-lead"]), "Idempotency-Key": "fix-and-retry"}
    bad = client.post("/api/v1/engagements", headers=lead, json={**BODY, "budget_year": 1900})
    assert bad.status_code == 422
    fixed = client.post("/api/v1/engagements", headers=lead, json=BODY)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_a_key_that_is_not_one_is_refused(client, demo, token_for):
    for key in ("", "x" * 201, "带中文的键", "with space"):
        headers = {**token_for(demo.users["demo-lead"]), "Idempotency-Key": key}
        answer = client.post("/api/v1/engagements", headers=headers, json=BODY)
        assert answer.status_code == 422, key
        assert answer.json["errors"][0]["field"] == "Idempotency-Key"


def test_two_requests_with_one_key_at_once_create_once(tmp_path):
    """Through a real server: the request that loses the race writes nothing (409 or a replay)."""
    (tmp_path / "instance").mkdir()
    instance = live_server.prepare(tmp_path / "instance")
    port = live_server.free_port()
    server = live_server.start(instance, port)
    answers: list[tuple[int, dict]] = []

    def send(_n: int) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/engagements",
            data=json.dumps({**BODY, "title": "并发重试"}).encode(),
            headers={"Authorization": f"Bearer {instance.token}",
                     "Content-Type": "application/json", "Idempotency-Key": "same-moment"},
            method="POST",
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                answers.append((answer.status, dict(answer.headers)))
        except urllib.error.HTTPError as error:
            answers.append((error.code, dict(error.headers)))

    try:
        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        live_server.stop(server)
    codes = sorted(code for code, _headers in answers)
    assert all(code in (201, 409) for code in codes), codes
    fresh = sum(1 for code, h in answers if code == 201 and "Idempotent-Replayed" not in h)
    assert fresh == 1, answers
    engine = make_engine(instance.database_url)
    with Session(engine) as db:
        assert db.exec(select(func.count()).where(Engagement.title == "并发重试")).one() == 1
    engine.dispose()
