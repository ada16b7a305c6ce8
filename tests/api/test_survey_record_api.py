"""A survey's record through the API (issue 21): its state, sample plan, waiver and links, with
the survey page's services and messages; refusals write nothing; versions guard the plan."""

from __future__ import annotations

import io

from sqlmodel import select

from tests.surveys.helpers import FILES, make_survey, sample
from workbench.core.audit import AuditEntry
from workbench.indicators.models import Indicator
from workbench.surveys.models import Survey

PLAN = {"population": 1000, "confidence": "0.95", "margin": "0.05"}


def _leaf(db, demo, name: str) -> Indicator:
    return db.exec(
        select(Indicator).where(
            Indicator.engagement_id == demo.engagement.id, Indicator.name == name
        )
    ).one()


def _actions(db, survey_id: int) -> list[str]:
    return list(
        db.exec(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "survey", AuditEntry.object_id == survey_id)
            .order_by(AuditEntry.id)
        ).all()
    )


def test_the_record_names_the_state_the_plan_and_the_linked_leaves(client, db, demo, token_for):
    survey = db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()
    answer = client.get(f"/api/v1/surveys/{survey.id}", headers=token_for(demo.users["demo-lead"]))
    assert answer.status_code == 200
    assert answer.headers["ETag"] == f'W/"{survey.version}"'
    body = answer.json
    assert (body["status"], body["status_name"], body["collected"]) == ("closed", "已结束", 240)
    assert [link["indicator_path"][2] for link in body["links"]] == ["家长满意度"]
    bureau = client.get(
        f"/api/v1/surveys/{survey.id}", headers=token_for(demo.users["demo-bureau"])
    )
    assert bureau.status_code == 403
    hidden = client.get(
        f"/api/v1/surveys/{survey.id}", headers=token_for(demo.users["demo-bureau2"])
    )
    assert hidden.status_code == 404


def test_open_close_and_reopen_follow_the_pages_rules(client, db, demo, token_for):
    survey = make_survey(db, demo)
    url = f"/api/v1/surveys/{survey.id}/state"
    evaluator, lead = token_for(demo.users["demo-evaluator"]), token_for(demo.users["demo-lead"])
    opened = client.post(url, headers=evaluator, json={"action": "open"})
    assert opened.status_code == 200 and opened.json["status"] == "open"
    empty = client.post(url, headers=evaluator, json={"action": "close"})
    assert empty.status_code == 409 and empty.json["error"] == "问卷还没有任何答卷，不能结束回收"
    imported = client.post(f"/api/v1/surveys/{survey.id}/imports", headers=evaluator,
                           data={"file": (io.BytesIO(sample(FILES[2])), FILES[2])},
                           content_type="multipart/form-data")  # fmt: skip
    assert imported.status_code == 200 and imported.json["imported"] == 240
    closed = client.post(url, headers=evaluator, json={"action": "close"})
    assert closed.status_code == 200 and closed.json["status"] == "closed", closed.json
    assert closed.json["closed_at"] is not None
    again = client.post(url, headers=evaluator, json={"action": "close"})
    assert again.status_code == 409
    no_reason = client.post(url, headers=lead, json={"action": "reopen"})
    assert no_reason.status_code == 422
    bad = client.post(url, headers=lead, json={"action": "pause"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "action"
    db.refresh(survey)
    assert survey.status == "closed"
    reopened = client.post(url, headers=lead, json={"action": "reopen", "reason": "补充回收"})
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert _actions(db, survey.id)[-3:] == ["survey.open", "survey.close", "survey.reopen"]


def test_the_sample_plan_needs_the_current_version_and_valid_figures(client, db, demo, token_for):
    survey = make_survey(db, demo)
    url = f"/api/v1/surveys/{survey.id}/sample-plan"
    headers = token_for(demo.users["demo-evaluator"])
    tag = client.get(f"/api/v1/surveys/{survey.id}", headers=headers).headers["ETag"]
    assert client.put(url, headers=headers, json=PLAN).status_code == 428
    stale = client.put(url, headers={**headers, "If-Match": 'W/"999"'}, json=PLAN)
    assert stale.status_code == 412
    wrong = client.put(url, headers={**headers, "If-Match": tag},
                       json={**PLAN, "confidence": "0.8", "margin": "0.5"})  # fmt: skip
    assert wrong.status_code == 422
    assert wrong.json["errors"] == [
        {"field": "sample_confidence", "message": "置信水平应为 90%、95% 或 99%"},
        {"field": "sample_margin", "message": "允许误差应在 0.5% 至 20% 之间"},
    ]
    db.refresh(survey)
    assert survey.sample_planned_at is None and "survey.sample_plan" not in _actions(db, survey.id)
    saved = client.put(url, headers={**headers, "If-Match": tag}, json=PLAN)
    assert saved.status_code == 200, saved.json
    assert (saved.json["required_sample"], saved.json["sample_population"]) == (278, 1000)
    assert saved.headers["ETag"] == f'W/"{saved.json["version"]}"' != tag
    assert _actions(db, survey.id)[-1] == "survey.sample_plan"
    reused = client.put(url, headers={**headers, "If-Match": tag}, json=PLAN)
    assert reused.status_code == 412


def test_only_the_lead_waives_and_a_reason_is_required(client, db, demo, token_for):
    survey = make_survey(db, demo)
    url = f"/api/v1/surveys/{survey.id}/sample-waiver"
    reason = {"reason": "家长外出务工较多，回收不足"}
    evaluator = client.post(url, headers=token_for(demo.users["demo-evaluator"]), json=reason)
    assert evaluator.status_code == 403
    lead = token_for(demo.users["demo-lead"])
    blank = client.post(url, headers=lead, json={"reason": "  "})
    assert blank.status_code == 422
    assert blank.json["errors"] == [{"field": "reason", "message": "请填写豁免理由"}]
    db.refresh(survey)
    assert survey.sample_waived_at is None
    waived = client.post(url, headers=lead, json=reason)
    assert waived.status_code == 200
    assert (waived.json["waived"], waived.json["waived_reason"]) == (True, reason["reason"])
    assert _actions(db, survey.id)[-1] == "survey.sample_waive"


def test_a_link_names_a_satisfaction_leaf_of_the_engagement(client, db, demo, token_for):
    survey = make_survey(db, demo)
    url = f"/api/v1/surveys/{survey.id}/links"
    headers = token_for(demo.users["demo-evaluator"])
    leaf = _leaf(db, demo, "家长满意度")
    path = list(leaf.path)
    unknown = client.post(url, headers=headers,
                          json={"indicator_path": ["效益", "满意度", "不存在"], "metric": "rate"})  # fmt: skip
    assert (
        unknown.status_code == 422
        and "不在本项目的指标体系中" in unknown.json["errors"][0]["message"]
    )
    metric = client.post(url, headers=headers, json={"indicator_path": path, "metric": "mean"})
    assert metric.status_code == 422
    assert metric.json["errors"] == [{"field": "metric", "message": "请选择满意率或满意度指数"}]
    other = next(i for i in db.exec(select(Indicator).where(
        Indicator.engagement_id == demo.engagement.id, Indicator.rule != "satisfaction"
        )).all())  # fmt: skip
    not_satisfaction = client.post(url, headers=headers,
                                   json={"indicator_path": list(other.path), "metric": "rate"})  # fmt: skip
    assert not_satisfaction.status_code == 422
    assert not_satisfaction.json["errors"][0]["field"] == "indicator_id"
    linked = client.post(url, headers=headers, json={"indicator_path": path, "metric": "rate"})
    assert linked.status_code == 200, linked.json
    assert [(x["indicator_id"], x["metric"]) for x in linked.json["links"]] == [(leaf.id, "rate")]
    db.refresh(leaf)
    assert leaf.survey_link["survey_id"] == survey.id


def test_another_agencys_survey_is_not_found(client, db, demo, token_for, make_user):
    survey = make_survey(db, demo)
    stranger = token_for(make_user("agency", role="admin"))
    for method, path, body in (
        ("get", "", None), ("post", "/state", {"action": "close"}),
        ("post", "/sample-waiver", {"reason": "x"}),
        ("post", "/links", {"indicator_path": ["a", "b", "c"], "metric": "rate"}),
    ):  # fmt: skip
        answer = getattr(client, method)(f"/api/v1/surveys/{survey.id}{path}", headers=stranger,
                                         json=body)  # fmt: skip
        assert answer.status_code == 404, (path, answer.json)
    db.refresh(survey)
    assert survey.status == "draft" and survey.sample_waived_at is None
