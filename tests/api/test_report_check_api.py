"""The lead acknowledges the report check's warnings through the API (issue 21): the panel's
service, the fingerprint of exactly the warnings read, nothing written on a refusal."""

from __future__ import annotations

from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.reports.checkup_models import ReportCheck


def _url(demo) -> str:
    return f"/api/v1/engagements/{demo.engagement.id}/report-check"


def _acknowledged(db, demo) -> list[ReportCheck]:
    return list(
        db.exec(
            select(ReportCheck).where(
                ReportCheck.engagement_id == demo.engagement.id,
                ReportCheck.acknowledged_by_id.is_not(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def test_the_lead_acknowledges_the_warnings_read(client, db, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    check = client.get(_url(demo), headers=lead).json
    assert check["warnings"] > 0 and check["acknowledged"] is False
    made = client.post(f"{_url(demo)}/acknowledgement", headers=lead,
                       json={"fingerprint": check["fingerprint"]})  # fmt: skip
    assert made.status_code == 201, made.json
    assert (made.json["fingerprint"], made.json["warnings"]) == (
        check["fingerprint"], check["warnings"])  # fmt: skip
    assert made.json["acknowledged_by_name"] == demo.users["demo-lead"].display_name
    [row] = _acknowledged(db, demo)
    assert (row.id, row.acknowledged_by_id) == (made.json["id"], demo.users["demo-lead"].id)
    assert client.get(_url(demo), headers=lead).json["acknowledged"] is True
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "report_check.acknowledge")).all()
    assert [a.object_id for a in audit] == [row.id]


def test_a_stale_or_malformed_fingerprint_is_refused_and_nothing_is_written(
    client, db, demo, token_for
):
    lead = token_for(demo.users["demo-lead"])
    stale = client.post(f"{_url(demo)}/acknowledgement", headers=lead,
                        json={"fingerprint": "0" * 64})  # fmt: skip
    assert stale.status_code == 409
    assert stale.json["error"] == "体检结果已变化，请查看最新的体检结果后再确认"
    for bad in ("abc", "G" * 64, ""):
        malformed = client.post(f"{_url(demo)}/acknowledgement", headers=lead,
                                json={"fingerprint": bad})  # fmt: skip
        assert (
            malformed.status_code == 422 and malformed.json["errors"][0]["field"] == "fingerprint"
        )
    missing = client.post(f"{_url(demo)}/acknowledgement", headers=lead, json={})
    assert missing.status_code == 422
    assert _acknowledged(db, demo) == []


def test_only_the_lead_acknowledges_and_others_do_not_see_it(
    client, db, demo, token_for, make_user
):
    fingerprint = client.get(_url(demo), headers=token_for(demo.users["demo-lead"])).json[
        "fingerprint"
    ]
    body = {"fingerprint": fingerprint}
    evaluator = client.post(f"{_url(demo)}/acknowledgement",
                            headers=token_for(demo.users["demo-evaluator"]), json=body)  # fmt: skip
    assert evaluator.status_code == 403
    for user in (demo.users["demo-bureau2"], make_user("agency", role="admin")):
        hidden = client.post(f"{_url(demo)}/acknowledgement", headers=token_for(user), json=body)
        assert hidden.status_code == 404
    assert _acknowledged(db, demo) == []


def test_a_retry_with_the_same_key_acknowledges_once(client, db, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    body = {"fingerprint": client.get(_url(demo), headers=lead).json["fingerprint"]}
    headers = {**lead, "Idempotency-Key": "ack-1"}
    first = client.post(f"{_url(demo)}/acknowledgement", headers=headers, json=body)
    again = client.post(f"{_url(demo)}/acknowledgement", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert len(_acknowledged(db, demo)) == 1
