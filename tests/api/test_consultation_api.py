"""The consultation (征求意见) through the API (issue 21): the lead sends the draft, the unit
writes opinions, the team answers each with the opinion's version."""

from __future__ import annotations

from sqlmodel import select

from tests.api.record_helpers import engagement, write_report
from workbench.core.audit import AuditEntry
from workbench.reports.models import Consultation, Opinion


def _approved_with_draft(client, db, demo, tokens, title):
    """An engagement whose report is signed at three levels, with a 征求意见稿 generated."""
    e = engagement(db, demo, title)
    write_report(client, tokens["evaluator"], e.id)
    for role, level in (("evaluator", "prepare"), ("reviewer", "review"), ("lead", "approve")):
        signed = client.post(f"/api/v1/engagements/{e.id}/report/signoffs",
                             headers=tokens[role], json={"level": level})  # fmt: skip
        assert signed.status_code == 201, signed.json
    made = client.post(f"/api/v1/engagements/{e.id}/documents/report",
                       headers=tokens["lead"], json={"label": "征求意见稿"})  # fmt: skip
    made.close()
    assert made.status_code == 200
    return e, int(made.headers["X-Deliverable-Id"])


def test_a_round_from_sending_to_every_opinion_answered(client, db, demo, token_for):
    tokens = {r: token_for(demo.users[f"demo-{r}"]) for r in ("lead", "evaluator", "reviewer",
                                                             "unit")}  # fmt: skip
    e, draft = _approved_with_draft(client, db, demo, tokens, "征求意见")
    base = f"/api/v1/engagements/{e.id}"
    before = client.get(f"{base}/consultation", headers=tokens["lead"]).json
    assert before == {"current": None, "blockers": ["尚未向被评价单位发送征求意见稿"]}
    unit_id = demo.users["demo-unit"].id
    early = client.post(f"{base}/feedback/opinions", headers=tokens["unit"], json={"content": "x"})
    assert early.status_code == 409 and early.json["error"] == "评价机构尚未发送征求意见稿"

    key = {"Idempotency-Key": "send-round-1"}
    body = {"version_id": draft, "recipient_id": unit_id, "due_date": "2026-12-31"}
    sent = client.post(f"{base}/consultation", headers={**tokens["lead"], **key}, json=body)
    assert sent.status_code == 201, sent.json
    assert (sent.json["version_id"], sent.json["recipient_id"], sent.json["due_date"]) == (
        draft, unit_id, "2026-12-31",
    )  # fmt: skip
    assert (sent.json["closed"], sent.json["opinions"]) == (False, 0)
    retry = client.post(f"{base}/consultation", headers={**tokens["lead"], **key}, json=body)
    assert retry.status_code == 201 and retry.json == sent.json
    second = client.post(f"{base}/consultation", headers=tokens["lead"], json=body)
    assert second.status_code == 409 and second.json["error"].startswith("上一轮征求意见尚未结束")
    assert len(db.exec(select(Consultation).where(Consultation.engagement_id == e.id)).all()) == 1

    unit = tokens["unit"]
    key = {"Idempotency-Key": "opinion-1"}
    first_body = {"reference": "第3页", "content": "建议补充资金到位率的数据来源。"}
    first = client.post(f"{base}/feedback/opinions", headers={**unit, **key}, json=first_body)
    assert first.status_code == 201 and first.json["number"] == 1
    again = client.post(f"{base}/feedback/opinions", headers={**unit, **key}, json=first_body)
    assert again.json["id"] == first.json["id"]
    second = client.post(f"{base}/feedback/opinions", headers=unit, json={"content": "结论偏严。"})
    assert second.status_code == 201 and second.json["number"] == 2
    mine = f"{base}/feedback/opinions/{second.json['id']}"
    edited = client.put(mine, headers={**unit, "If-Match": second.headers["ETag"]},
                        json={"reference": "结论", "content": "结论“良”偏严，建议复核。"})  # fmt: skip
    assert edited.status_code == 200 and edited.json["reference"] == "结论"
    stale = client.put(mine, headers={**unit, "If-Match": second.headers["ETag"]},
                       json={"content": "再改"})  # fmt: skip
    assert stale.status_code == 412
    page = client.get(f"{base}/feedback/opinions?limit=1", headers=unit).json
    assert [o["number"] for o in page["items"]] == [2] and page["next_cursor"]
    rest = client.get(f"{base}/feedback/opinions?limit=1&cursor={page['next_cursor']}",
                      headers=unit).json  # fmt: skip
    assert [o["number"] for o in rest["items"]] == [1] and rest["next_cursor"] is None
    assert client.get(f"{base}/opinions", headers=unit).status_code == 403

    lead = tokens["lead"]
    none = client.post(f"{base}/consultation/no-opinions", headers=lead, json={"note": "电话确认"})
    assert (
        none.status_code == 409 and none.json["error"] == "被评价单位已提出意见，不能记录为无意见"
    )
    done = client.post(f"{base}/feedback/complete", headers=unit)
    assert done.status_code == 200 and done.json["closed"] is True
    late = client.put(mine, headers={**unit, "If-Match": edited.headers["ETag"]},
                      json={"content": "再改"})  # fmt: skip
    assert late.status_code == 409 and late.json["error"] == "本轮征求意见已结束，不能再修改意见"
    state = client.get(f"{base}/consultation", headers=lead).json
    assert state["current"]["unanswered"] == 2
    assert state["blockers"] == ["第1条意见尚未答复", "第2条意见尚未答复"]

    evaluator = tokens["evaluator"]
    listed = client.get(f"{base}/opinions", headers=evaluator).json["items"]
    for opinion, adoption in zip(sorted(listed, key=lambda o: o["number"]), ("采纳", "不采纳"),
                                 strict=True):  # fmt: skip
        url = f"{base}/opinions/{opinion['id']}/answer"
        answer = {"adoption": adoption, "reason": "已在第三部分补充。"}
        assert client.put(url, headers=evaluator, json=answer).status_code == 428
        tag = client.get(f"{base}/opinions/{opinion['id']}", headers=evaluator).headers["ETag"]
        answered = client.put(url, headers={**evaluator, "If-Match": tag}, json=answer)
        assert answered.status_code == 200, answered.json
        assert (answered.json["adoption"], answered.json["answered_by_name"]) == (
            adoption, demo.users["demo-evaluator"].display_name,
        )  # fmt: skip
        stale = client.put(url, headers={**evaluator, "If-Match": tag}, json=answer)
        assert stale.status_code == 412
    assert client.get(f"{base}/consultation", headers=lead).json["blockers"] == []
    seen = client.get(f"{base}/feedback/opinions", headers=unit).json["items"]
    assert {o["adoption"] for o in seen} == {"采纳", "不采纳"}
    actions = [a.action for a in db.exec(
        select(AuditEntry).where(AuditEntry.engagement_id == e.id).order_by(AuditEntry.id)
    ).all()]  # fmt: skip
    for action in ("consultation.send", "consultation.opinion.add", "consultation.opinion.update",
                   "consultation.complete", "consultation.answer"):  # fmt: skip
        assert action in actions


def test_bad_consultation_requests_write_nothing(client, db, demo, token_for, make_user):
    tokens = {r: token_for(demo.users[f"demo-{r}"]) for r in ("lead", "evaluator", "reviewer",
                                                             "unit")}  # fmt: skip
    e, draft = _approved_with_draft(client, db, demo, tokens, "征求意见错误")
    base = f"/api/v1/engagements/{e.id}"
    lead, unit = tokens["lead"], tokens["unit"]
    unit_id = demo.users["demo-unit"].id
    wrong = [
        ({"version_id": draft, "recipient_id": demo.users["demo-evaluator"].id}, "recipient_id"),
        ({"version_id": draft + 999, "recipient_id": unit_id}, "version_id"),
    ]
    for body, field in wrong:
        answer = client.post(f"{base}/consultation", headers=lead, json=body)
        assert answer.status_code == 422 and answer.json["errors"][0]["field"] == field
    for bad in ({}, {"version_id": "一", "recipient_id": unit_id},
                {"version_id": draft, "recipient_id": unit_id, "due_date": "2026-13-01"},
                {"version_id": draft, "recipient_id": unit_id, "message": "x" * 2001}):  # fmt: skip
        assert client.post(f"{base}/consultation", headers=lead, json=bad).status_code == 422
    evaluator_send = client.post(f"{base}/consultation", headers=tokens["evaluator"],
                                 json={"version_id": draft, "recipient_id": unit_id})  # fmt: skip
    assert evaluator_send.status_code == 403
    assert db.exec(select(Consultation).where(Consultation.engagement_id == e.id)).all() == []

    client.post(f"{base}/consultation", headers=lead, json={"version_id": draft,
                                                            "recipient_id": unit_id})  # fmt: skip
    for bad in ({}, {"content": ""}, {"content": "x" * 4001}, {"content": "x", "reference": "y" * 201},
                {"content": "意见", "x": 1}):  # fmt: skip
        assert client.post(f"{base}/feedback/opinions", headers=unit, json=bad).status_code == 422
    assert (
        client.post(f"{base}/feedback/opinions", headers=lead, json={"content": "x"}).status_code
        == 403
    )
    assert db.exec(select(Opinion).where(Opinion.engagement_id == e.id)).all() == []

    made = client.post(f"{base}/feedback/opinions", headers=unit, json={"content": "意见"}).json
    url = f"{base}/opinions/{made['id']}/answer"
    tag = {"If-Match": f'W/"{made["version"]}"'}
    for bad in ({"adoption": "同意", "reason": "r"}, {"adoption": "采纳", "reason": ""},
                {"adoption": "采纳"}, {"adoption": "采纳", "reason": "x" * 2001}):  # fmt: skip
        assert client.put(url, headers={**lead, **tag}, json=bad).status_code == 422, bad
    assert db.get(Opinion, made["id"]).adoption == ""
    bad_note = client.post(f"{base}/consultation/no-opinions", headers=lead, json={"note": ""})
    assert bad_note.status_code == 422

    deleted = client.delete(f"{base}/feedback/opinions/{made['id']}", headers=unit)
    assert deleted.status_code == 204 and db.get(Opinion, made["id"]) is None
    assert client.get(f"{base}/opinions/{made['id']}", headers=lead).status_code == 404
    recorded = client.post(f"{base}/consultation/no-opinions", headers=lead,
                           json={"note": "2026-12-01 电话确认无意见"})  # fmt: skip
    assert recorded.status_code == 200 and recorded.json["closed"] is True

    outsider = token_for(make_user("agency", role="admin"))
    for method, path in (("GET", "consultation"), ("GET", "opinions"),
                         ("POST", "consultation/no-opinions")):  # fmt: skip
        assert client.open(f"{base}/{path}", method=method, headers=outsider).status_code == 404
    bureau2 = token_for(demo.users["demo-bureau2"])
    assert client.get(f"{base}/feedback/opinions", headers=bureau2).status_code == 404
