"""Into the score (sources.py) and the `survey` stage gate (gates.py)."""

from decimal import Decimal

from sqlmodel import select

from tests.surveys.helpers import make_survey
from workbench.core.timeutil import utcnow
from workbench.engagements import flow
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind
from workbench.engagements.stages import Stage, Status
from workbench.indicators.models import Indicator
from workbench.indicators.system import ensure_system
from workbench.scoring import services as scoring
from workbench.surveys import gates, linking, sources
from workbench.surveys.collection import responses
from workbench.surveys.design import surveys as service
from workbench.surveys.models import Survey


def demo_survey(db) -> Survey:
    return db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()


def leaf(db, name: str) -> Indicator:
    return db.exec(select(Indicator).where(Indicator.name == name)).one()


def score_of(db, demo, name: str):
    _result, rows = scoring.compute(db, demo.engagement)
    return next(r for r in rows if r.indicator.name == name)


def test_demo_total_uses_the_survey_rate(db, demo):
    result, _rows = scoring.compute(db, demo.engagement)
    row = score_of(db, demo, "家长满意度")
    assert row.leaf.actual_value == Decimal("80.44")
    assert row.result.score == Decimal("3.79")
    assert row.inputs.survey == {
        "title": "学生家长满意度调查",
        "metric": "满意率",
        "n": 229,
        "value": "80.44",
        "summary": "《学生家长满意度调查》满意率为 80.44%（有效样本 229 份）",
    }
    assert (result.sum_scores, result.total, result.grade) == (
        Decimal("82.05"),
        Decimal("85.47"),
        "良",
    )


def test_score_follows_answers_filters_and_metric(db, demo):
    evaluator = demo.users["demo-evaluator"]
    survey = demo_survey(db)
    target = leaf(db, "家长满意度")
    linking.link_indicator(
        db, actor=evaluator, engagement=demo.engagement, survey=survey,
        indicator_id=target.id, metric="rate", item="q5",
    )  # fmt: skip
    row = score_of(db, demo, "家长满意度")
    assert (row.leaf.actual_value, row.result.score) == (Decimal("82.10"), Decimal("3.86"))
    responses.set_rules(
        db, actor=evaluator, engagement=demo.engagement, survey=survey,
        data=responses.RulesInput(),
        version=survey.version,
    )  # fmt: skip
    row = score_of(db, demo, "家长满意度")
    assert (row.leaf.actual_value, row.result.score) == (Decimal("82.50"), Decimal("3.88"))
    linking.link_indicator(
        db, actor=evaluator, engagement=demo.engagement, survey=survey,
        indicator_id=target.id, metric="pooled_score_index",
    )  # fmt: skip
    assert score_of(db, demo, "家长满意度").leaf.actual_value == Decimal("82.46")
    linking.link_indicator(
        db, actor=evaluator, engagement=demo.engagement, survey=survey,
        indicator_id=target.id, metric="rate", group="q1:1",
    )  # fmt: skip
    row = score_of(db, demo, "家长满意度")
    assert row.inputs.survey["n"] < 240 and row.leaf.actual_value is not None


def test_a_linked_survey_without_answers_gives_no_value(db, demo):
    survey = make_survey(db, demo)
    target = leaf(db, "学生满意度")
    linking.link_indicator(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=survey,
        indicator_id=target.id, metric="rate",
    )  # fmt: skip
    found = sources.survey_metrics(db, demo.engagement)[target.id]
    assert found.actual_value is None and found.survey["n"] == 0


def test_tiny_percentages_are_passed_as_fractions():
    assert sources.as_actual_value(Decimal("82.50")) == Decimal("82.50")
    assert sources.as_actual_value(Decimal("0.50")) == Decimal("0.005")


def test_changing_filters_asks_first_then_clears_the_lead_sign_off(db, demo, login):
    import pytest

    from workbench.core.errors import Conflict

    system = ensure_system(db, demo.engagement)
    system.scores_signed_at, system.scores_signed_by_id = utcnow(), demo.users["demo-lead"].id
    db.add(system)
    db.flush()
    survey = demo_survey(db)
    page = login("demo-evaluator").get(
        f"/engagements/{demo.engagement.id}/surveys/{survey.id}/responses"
    )
    text = page.get_data(as_text=True)
    assert "修改筛选规则将清除李项目（项目负责人）的评分签字" in text
    assert "调整答卷的有效认定将清除李项目（项目负责人）的评分签字" in text
    change = dict(
        actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=survey,
        data=responses.RulesInput(min_duration_seconds=20), version=survey.version,
    )  # fmt: skip
    rules = dict(survey.rules or {})
    with pytest.raises(Conflict, match="修改有效问卷筛选规则将清除李项目（项目负责人）的评分签字"):
        responses.set_rules(db, **change)
    assert dict(survey.rules or {}) == rules and system.scores_signed_at is not None
    responses.set_rules(db, **change, confirm_clear=True)
    db.refresh(system)
    assert system.scores_signed_at is None


def test_gate_of_the_demo_names_the_unlinked_leaf(db, demo):
    blockers = [b.text for b in gates.survey_gate(db, demo.engagement)]
    assert blockers == ["满意度指标“学生满意度”尚未关联问卷结果"]
    linking.link_indicator(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, survey=demo_survey(db),
        indicator_id=leaf(db, "学生满意度").id, metric="score_index", item="q5",
    )  # fmt: skip
    assert gates.survey_gate(db, demo.engagement) == []


def test_gate_open_survey_missing_plan_and_short_sample(db, demo):
    lead = demo.users["demo-lead"]
    survey = make_survey(db, demo, title="补充问卷")
    texts = [b.text for b in gates.survey_gate(db, demo.engagement)]
    assert "问卷“补充问卷”尚未结束回收（设计中）" in texts
    assert "问卷“补充问卷”尚未确定抽样方案（应回收的有效问卷数）" in texts
    service.set_sample_plan(
        db, actor=lead, engagement=demo.engagement, survey=survey,
        population=1000, confidence=Decimal("0.95"), margin=Decimal("0.05"),
        version=survey.version,
    )  # fmt: skip
    texts = [b.text for b in gates.survey_gate(db, demo.engagement)]
    assert any("有效问卷 0 份，少于抽样方案要求的 278 份" in t for t in texts)
    service.waive_sample(db, actor=lead, engagement=demo.engagement, survey=survey, reason="试点")
    texts = [b.text for b in gates.survey_gate(db, demo.engagement)]
    assert not any("少于抽样方案" in t for t in texts)


def test_stage_not_applicable_without_a_satisfaction_leaf(db, demo):
    lead = demo.users["demo-lead"]
    other = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="无满意度指标的项目", type="project", bureau_id=demo.engagement.bureau_id,
            budget_year=2025,
        ),
    )  # fmt: skip
    for kind in DeclarationKind:
        engagements.sign_declaration(db, actor=lead, engagement=other, kind=kind)
    db.flush()
    assert gates.survey_not_applicable(db, other) == "指标体系中没有满意度指标，无需开展满意度调查"
    steps = {s.key: s.status for s in flow.flow(db, other)}
    assert steps[Stage.survey] == Status.not_applicable
    assert gates.survey_not_applicable(db, demo.engagement) is None


def test_linking_and_unlinking_a_signed_score_ask_first(db, demo, login):
    import pytest

    from workbench.core.audit import AuditEntry
    from workbench.core.errors import Conflict

    system = ensure_system(db, demo.engagement)
    system.scores_signed_at, system.scores_signed_by_id = utcnow(), demo.users["demo-lead"].id
    db.add(system)
    db.flush()
    survey, target = demo_survey(db), leaf(db, "学生满意度")
    link = dict(
        actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=survey,
        indicator_id=target.id, metric="score_index", item="q5",
    )  # fmt: skip
    page = login("demo-evaluator").get(f"/engagements/{demo.engagement.id}/surveys/{survey.id}")
    assert "关联问卷将清除李项目（项目负责人）的评分签字" in page.get_data(as_text=True)
    with pytest.raises(Conflict, match="将清除李项目（项目负责人）的评分签字"):
        linking.link_indicator(db, **link)
    assert target.survey_link is None and system.scores_signed_at is not None
    linking.link_indicator(db, **link, confirm_clear=True)
    assert target.survey_link["survey_id"] == survey.id and system.scores_signed_at is None
    system.scores_signed_at, system.scores_signed_by_id = utcnow(), demo.users["demo-lead"].id
    db.flush()
    unlink = dict(link, metric=None, item=None)
    del unlink["metric"], unlink["item"]
    with pytest.raises(Conflict, match="取消关联问卷将清除"):
        linking.unlink_indicator(db, **unlink)
    assert target.survey_link is not None
    linking.unlink_indicator(db, **unlink, confirm_clear=True)
    assert target.survey_link is None and system.scores_signed_at is None
    cleared = db.exec(select(AuditEntry).where(AuditEntry.action == "scoring.signoff_cleared"))
    assert len(cleared.all()) == 2
