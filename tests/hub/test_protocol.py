"""The /hub/v1 protocol of a hub-mode app: every endpoint from the app's own url_map (so a new one
cannot be added untested) refuses a missing, malformed, unknown or revoked member key with 401 and
a Chinese message, lets a valid key through, and does not exist without HUB_MODE. Every endpoint
with a body answers a malformed or mistyped one with 400/422 naming the problem, and writes
nothing."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import func, select

from tests.hub.helpers import wire_item
from workbench.core.audit import AuditEntry
from workbench.hub import hub_side
from workbench.hub.models import HubItem, HubMember, HubStat
from workbench.hub.schemas import PublishItem, StatRow

PREFIX = "/hub/v1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

ITEM = {
    "origin_key": "own.1",
    "anonymous": False,
    "sector": "教育",
    "engagement_types": ["project"],
    "content": wire_item(1)["content"],
}
STAT = {
    "key": "edu.1",
    "year": 2025,
    "sector": "教育",
    "region": "浙江省",
    "engagements": 3,
    "rate_sum": "240.00",
    "rate_count": 3,
    "weight_sum": "12.00",
}
# A valid body for each endpoint that takes one (and the model of its rows): a new endpoint
# with a body must add its own.
SAMPLES = {
    ("POST", f"{PREFIX}/items"): {"items": [ITEM]},
    ("PUT", f"{PREFIX}/stats"): {"rows": [STAT]},
}
ROWS = {("POST", f"{PREFIX}/items"): PublishItem, ("PUT", f"{PREFIX}/stats"): StatRow}


@pytest.fixture()
def hub(app_with):
    return app_with(HUB_MODE=True, HUB_MIN_GROUP=5)


def _calls(hub_app) -> list[tuple[str, str]]:
    found = [
        (method, rule.rule)
        for rule in hub_app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    assert len(found) >= 6, found  # me, items, changes, stats (GET, PUT), pack
    return found


def _send(client, method: str, path: str, headers: dict, body=None):
    body = SAMPLES.get((method, path)) if body is None else body
    return client.open(path, method=method, headers=headers, json=body)


def _message(answer) -> str:
    return (answer.get_json(silent=True) or {}).get("error", "")


def test_every_endpoint_is_guarded_by_the_member_key(hub):
    for method, path in _calls(hub):
        rule = next(r for r in hub.url_map.iter_rules() if r.rule == path and method in r.methods)
        assert getattr(hub.view_functions[rule.endpoint], "permission", None) == "hub.member"
        assert not re.search(r"<\w", path), f"{path}: give the test a value for its argument"


def test_missing_malformed_unknown_and_revoked_keys_answer_401(db, hub):
    _member, revoked = hub_side.create_member(db, actor=None, name="已撤销的成员")
    hub_side.revoke_member(db, actor=None, member=hub_side.member_for_key(db, revoked))
    refused = {
        "no key": {},
        "empty bearer": {"Authorization": "Bearer "},
        "not bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "malformed": {"Authorization": "Bearer not-a-member-key"},
        "prefix only": {"Authorization": "Bearer wbh_"},
        "unknown": {"Authorization": "Bearer wbh_" + "A" * 43},
        "revoked": {"Authorization": f"Bearer {revoked}"},
    }
    client = hub.test_client()
    for method, path in _calls(hub):
        for label, headers in refused.items():
            answer = _send(client, method, path, headers)
            assert answer.status_code == 401, (method, path, label, answer.status_code)
            assert CHINESE.search(_message(answer)), (method, path, label, answer.data[:200])
    assert db.exec(select(func.count()).select_from(HubItem)).one() == 0


def test_a_valid_key_reaches_every_endpoint(db, hub):
    _member, key = hub_side.create_member(db, actor=None, name="有效成员")
    client = hub.test_client()
    for method, path in _calls(hub):
        answer = _send(client, method, path, {"Authorization": f"Bearer {key}"})
        assert 200 <= answer.status_code < 300, (method, path, answer.status_code, answer.data)


def test_without_hub_mode_none_of_the_paths_exist(app, db, hub):
    _member, key = hub_side.create_member(db, actor=None, name="无枢纽模式")
    assert not any(rule.rule.startswith(PREFIX) for rule in app.url_map.iter_rules())
    client = app.test_client()
    for method, path in _calls(hub):
        answer = _send(client, method, path, {"Authorization": f"Bearer {key}"})
        assert answer.status_code == 404, (method, path, answer.status_code)


def _bad_bodies(sample: dict, row_model):
    """(label, raw text) of bodies a member should never send: not JSON, not an object,
    mistyped values, unknown fields, text no column stores."""
    yield "not JSON", '{"items": [,'
    yield "truncated", json.dumps(sample)[:-3]
    for other in ([sample], "text", 12, None):
        yield f"body={type(other).__name__}", json.dumps(other)
    yield "unknown field", json.dumps({**sample, "extra": 1})
    (field,) = sample
    yield f"{field}=object", json.dumps({field: {"a": 1}})
    yield f"{field}=text", json.dumps({field: "x"})
    first = sample[field][0]
    for key, value in first.items():
        wrong = {"年度": 1} if not isinstance(value, dict) else "x"
        yield f"{field}.0.{key}=wrong type", json.dumps({field: [{**first, key: wrong}]})
    for key in first:
        if not row_model.model_fields[key].is_required():
            continue
        rest = {k: v for k, v in first.items() if k != key}
        yield f"{field}.0.{key} missing", json.dumps({field: [rest]})
    numbers = [k for k, v in first.items() if isinstance(v, int | float) or k.endswith("_sum")]
    for key in numbers:
        for value in ("NaN", "1e999999999", -1, 2**70, "二十"):
            yield f"{field}.0.{key}={value}", json.dumps({field: [{**first, key: value}]})
    yield "control characters", json.dumps({field: [{**first, _text_key(first): "甲\x00乙"}]})


def _text_key(row: dict) -> str:
    return next(k for k, v in row.items() if isinstance(v, str) and k not in ("year",))


def _written(db) -> tuple[int, ...]:
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (HubItem, HubStat, AuditEntry)
    )


def test_malformed_bodies_answer_400_or_422_and_write_nothing(db, hub):
    _member, key = hub_side.create_member(db, actor=None, name="发送坏请求的成员")
    headers = {"Authorization": f"Bearer {key}"}
    client = hub.test_client()
    for method, path in SAMPLES:
        # Something of the member's is stored first, so a half-applied bad body would show.
        assert _send(client, method, path, headers).status_code < 300
    before = _written(db)
    stats_before = db.exec(select(HubStat.engagements)).all()
    bodies = [(method, path) for method, path in _calls(hub) if method != "GET"]
    assert set(bodies) == set(SAMPLES), "a protocol endpoint with a body needs a sample here"
    for method, path in bodies:
        for label, text in _bad_bodies(SAMPLES[(method, path)], ROWS[(method, path)]):
            answer = client.open(
                path,
                method=method,
                headers=headers,
                data=text,
                content_type="application/json",
            )
            assert answer.status_code in (400, 422), (method, path, label, answer.status_code)
            assert answer.is_json, (method, path, label, answer.data[:200])
            body = answer.get_json()
            assert CHINESE.search(body["error"]), (method, path, label, body)
            if answer.status_code == 422:
                assert body.get("errors"), (method, path, label, body)
    assert _written(db) == before
    assert db.exec(select(HubStat.engagements)).all() == stats_before
    assert db.exec(select(HubMember.active)).all() == [True]


def test_a_body_sent_as_a_form_is_refused_with_a_message(db, hub):
    _member, key = hub_side.create_member(db, actor=None, name="发送表单的成员")
    answer = hub.test_client().post(
        f"{PREFIX}/items", headers={"Authorization": f"Bearer {key}"}, data={"items": "x"}
    )
    assert answer.status_code == 422 and answer.is_json
    assert answer.get_json()["error"] == "请求体须为 JSON 对象"
