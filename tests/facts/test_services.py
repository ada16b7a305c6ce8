"""Facts against the database: the demo's one set, by reference from indicators and papers, audited."""

from decimal import Decimal

import pytest
from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, ValidationFailed
from workbench.facts import services
from workbench.facts.models import EngagementFact
from workbench.fieldwork.models import WorkingPaper
from workbench.indicators.tree import list_indicators
from workbench.scoring.services import compute


def leaf(db, engagement, name):
    return next(i for i in list_indicators(db, engagement) if i.name == name)


def score(db, engagement, name):
    _result, rows = compute(db, engagement)
    return next(r.result.score for r in rows if r.indicator.name == name)


def facts(db, engagement):
    return {f.key: f for f in services.current(db, engagement)}


def entries(**texts):
    return {key: services.FactEntry(text=text) for key, text in texts.items()}


def test_the_demo_states_one_set_of_figures(db, demo):
    e = demo.engagement
    found = facts(db, e)
    assert (found["budget"].text, found["budget"].source_label) == (
        "1,250.00万元",
        "来自底稿 D-07-01",
    )
    assert found["received"].text == "1,200.00万元"
    assert found["execution_rate"].text == "93.35%"
    assert found["availability_rate"].text == "96.00%"
    assert (found["beneficiaries"].text, found["beneficiaries"].source_label) == (
        "50,936人",
        "项目负责人录入",
    )
    availability = leaf(db, e, "资金到位率")
    assert (availability.target, availability.actual) == ("1,250.00万元", "1,200.00万元")
    assert score(db, e, "资金到位率") == Decimal("3.84")  # 4 × 96.00 %
    assert leaf(db, e, "预算执行率").actual == "93.35%"
    assert (e.budget_amount, e.funds_available) == (Decimal("12500000"), Decimal("12000000"))


def test_changing_a_fact_updates_the_bound_indicator_its_score_and_the_audit(db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    version = services.sheet_version(db, e)
    changed = services.save(
        db, actor=lead, engagement=e, version=version,
        entries=entries(beneficiaries="52000", beneficiaries_planned="52000",
                        units_covered="126"),
    )  # fmt: skip
    assert changed == ["受益学生人数"]
    assert leaf(db, e, "受益学生人数").actual == "52,000人"
    assert score(db, e, "受益学生人数") == Decimal("6.00")
    actions = db.exec(
        select(AuditEntry.action, AuditEntry.summary).where(AuditEntry.engagement_id == e.id)
    ).all()
    assert ("facts.update", "修改基本信息：实际受益人数") in actions
    assert ("indicator.bound_value", "受益学生人数按基本信息更新目标值/实际值") in actions


def test_a_fact_taken_from_a_paper_follows_the_paper(db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    paper = db.exec(
        select(WorkingPaper).where(
            WorkingPaper.engagement_id == e.id, WorkingPaper.template_key == "financial_check"
        )
    ).one()
    rows = [dict(r) for r in paper.values["funds"]]
    rows[1]["spent"] = "3800000"  # 市级 spent more: 11,400,000 of 12,000,000
    paper.values = {**paper.values, "funds": rows}
    db.add(paper)
    db.flush()
    assert facts(db, e)["execution_rate"].text == "95.00%"
    assert leaf(db, e, "预算执行率").actual == "93.35%"  # until the bindings are applied
    assert services.apply_bindings(db, actor=lead, engagement=e) == ["预算执行率"]
    assert leaf(db, e, "预算执行率").actual == "95.00%"


def test_bad_input_is_refused_with_field_messages_and_nothing_is_written(db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    before = facts(db, e)["beneficiaries"].text
    with pytest.raises(ValidationFailed) as error:
        services.save(
            db, actor=lead, engagement=e, version=services.sheet_version(db, e),
            entries=entries(beneficiaries="五万", units_covered="-1", beneficiaries_planned="1")
            | {"budget": services.FactEntry(choice="paper:999999:funds.budget")},
        )  # fmt: skip
    assert error.value.details == [
        {"field": "fact-budget", "message": "预算资金：所选底稿数值不存在"},
        {"field": "fact-beneficiaries", "message": "实际受益人数“五万”不是有效的数字"},
        {"field": "fact-units_covered", "message": "覆盖单位数不能为负数"},
    ]
    assert facts(db, e)["beneficiaries"].text == before


def test_a_stale_form_is_refused(db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    version = services.sheet_version(db, e)
    services.save(
        db, actor=lead, engagement=e, version=version, entries=entries(units_covered="127")
    )
    with pytest.raises(Conflict, match="基本信息已被他人修改"):
        services.save(
            db, actor=lead, engagement=e, version=version, entries=entries(units_covered="128")
        )
    with pytest.raises(ValidationFailed, match="缺少版本号"):
        services.save(db, actor=lead, engagement=e, version=None, entries={})


def test_binding_to_an_unknown_fact_is_refused(db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    item = leaf(db, e, "供餐天数")
    with pytest.raises(ValidationFailed) as error:
        services.bind(
            db, actor=lead, engagement=e, version=services.sheet_version(db, e),
            choices={item.id: ("", "staff_actual")},  # a 部门整体 fact, not a project's
        )  # fmt: skip
    assert error.value.details == [
        {"field": f"actual-{item.id}", "message": "所选基本信息项不存在"}
    ]
    rows = db.exec(select(EngagementFact).where(EngagementFact.engagement_id == e.id)).all()
    assert {r.key for r in rows} >= {"budget", "beneficiaries"}


def test_a_fact_whose_paper_was_deleted_has_no_value_and_the_check_says_so(ctx, db, demo):
    from workbench.reports.services import checkups

    e = demo.engagement
    row = db.exec(
        select(EngagementFact).where(
            EngagementFact.engagement_id == e.id, EngagementFact.key == "spent"
        )
    ).one()
    row.paper_id = None  # what ON DELETE SET NULL leaves when the draft paper is deleted
    db.add(row)
    db.flush()
    spent = facts(db, e)["spent"]
    assert (spent.value, spent.source_label) == (None, "来源底稿已删除")
    assert "实际支出：" + checkups.MISSING_PAPER in [
        f"{f.where}：{f.message}" for f in checkups.run(db, e).errors
    ]
