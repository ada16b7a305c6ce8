"""The review API as DESIGN.md: submissions, the bureau's decision, the quality rating."""

from decimal import Decimal

from sqlmodel import func, select

from tests.review.conftest import make_version
from tests.review.test_rating import FULL
from workbench.review.models import QualityRating, ReviewComment, Submission


def _count(db, model, engagement) -> int:
    return db.exec(
        select(func.count()).select_from(model).where(model.engagement_id == engagement.id)
    ).one()


def test_submit_latest_version_then_decide(
    engagement, version, client, db, demo, people, token_for
):
    lead, bureau = token_for(people.lead), token_for(people.bureau)
    eid = engagement.id
    created = client.post(
        f"/api/v1/engagements/{eid}/submissions", json={"kind": "final_report"}, headers=lead
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "submitted" and body["version_id"] == version.id
    assert (body["kind"], body["round"], body["comments"]) == ("final_report", 1, [])
    sid = body["id"]

    url = f"/api/v1/submissions/{sid}/decision"
    refused = client.post(url, json={"decision": "return", "comments": []}, headers=bureau)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [
        {"field": "comments", "message": "退回修改须至少填写一条审核意见"}
    ]
    bad_anchor = client.post(
        url,
        json={"decision": "return", "comments": [{"body": "x", "section": "nope"}]},
        headers=bureau,
    )
    assert bad_anchor.status_code == 422
    assert bad_anchor.get_json()["errors"][0]["field"] == "comments.0.section"
    assert _count(db, ReviewComment, engagement) == 0
    assert client.post(url, json={"decision": "approve"}, headers=lead).status_code == 403
    assert (
        client.post(
            url, json={"decision": "approve"}, headers=token_for(people.bureau2)
        ).status_code
        == 404
    )
    assert client.post(url, json={"decision": "maybe"}, headers=bureau).status_code == 422

    returned = client.post(
        url,
        json={"decision": "return", "comments": [
            "总体意见：数据来源不清",
            {"body": "请核实学校数量", "section": "overview", "paragraph": 1},
        ]},
        headers=bureau,
    )  # fmt: skip
    assert returned.status_code == 200
    out = returned.get_json()
    assert out["status"] == "returned"
    assert [(c["section"], c["paragraph"], c["body"]) for c in out["comments"]] == [
        ("", None, "总体意见：数据来源不清"),
        ("overview", 1, "请核实学校数量"),
    ]
    again = client.post(url, json={"decision": "approve"}, headers=bureau)
    assert again.status_code == 409 and "已审核" in again.get_json()["error"]

    listed = client.get(f"/api/v1/engagements/{eid}/submissions", headers=lead).get_json()
    assert [(i["id"], i["status"], len(i["comments"])) for i in listed["items"]] == [
        (sid, "returned", 2)
    ]


def test_submission_errors(engagement, files, client, db, demo, people, token_for):
    lead = token_for(people.lead)
    url = f"/api/v1/engagements/{engagement.id}/submissions"
    none_yet = client.post(url, json={"kind": "plan"}, headers=lead)
    assert none_yet.status_code == 422
    assert none_yet.get_json()["errors"][0]["field"] == "version_id"
    assert client.post(url, json={"kind": "plan", "extra": 1}, headers=lead).status_code == 422
    assert client.post(url, data="nope", headers=lead).status_code == 422
    assert (
        client.post(url, json={"kind": "plan"}, headers=token_for(people.bureau)).status_code == 403
    )
    assert client.post(url, json={"kind": "plan"}).status_code == 401
    plan = make_version(db, engagement, kind="plan", user=people.lead)
    ok = client.post(url, json={"kind": "plan", "version_id": plan.id}, headers=lead)
    assert ok.status_code == 201 and ok.get_json()["version_number"] == 1
    assert _count(db, Submission, engagement) == 1


def test_quality_rating(engagement, approved, client, db, demo, people, token_for):
    url = f"/api/v1/engagements/{engagement.id}/quality-rating"
    bureau = token_for(people.bureau)
    bad = client.put(url, json={"scores": {**FULL, "conclusions": "30"}}, headers=bureau)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "score_conclusions"
    assert _count(db, QualityRating, engagement) == 0
    assert client.put(url, json={"scores": FULL}, headers=token_for(people.lead)).status_code == 403
    assert (
        client.put(url, json={"scores": FULL}, headers=token_for(people.bureau2)).status_code == 404
    )
    response = client.put(url, json={"scores": FULL, "comment": "良好"}, headers=bureau)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == "85.00" and body["rubric"] == "builtin:standard"
    assert [i["score"] for i in body["items"]] == ["13.00", "12.00", "18.00", "21.50", "20.50"]
    assert body["deposit_computed"] is True
    deduction = client.put(
        url,
        json={"rubric": "builtin:deduction", "deductions": {"outline_missing": 2}},
        headers=bureau,
    )
    assert deduction.status_code == 200 and deduction.get_json()["total"] == "98.00"
    assert deduction.get_json()["deducted"] == "2.00"
    assert db.exec(
        select(QualityRating).where(QualityRating.engagement_id == engagement.id)
    ).one().total == Decimal("98.00")


def test_openapi_documents_the_review_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/engagements/{id}/submissions"]
    assert "post" in paths["/submissions/{sid}/decision"]
    assert "put" in paths["/engagements/{id}/quality-rating"]
