"""Indicator tree services: import, edits with audit and locking, confirmation, grades, gate."""

from decimal import Decimal

import pytest

from tests.indicators.helpers import (
    audits,
    by_name,
    import_sample,
    indicators_of,
    new_engagement,
    small_tree,
    xlsx,
)
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.engagements.stages import Stage
from workbench.indicators import services, transfer
from workbench.indicators.gates import indicators_gate
from workbench.indicators.system import get_system, grade_table
from workbench.scoring import experts
from workbench.scoring.models import ExpertScore


@pytest.fixture()
def fresh(db, demo):
    return new_engagement(db, demo)


def _input(**changes) -> services.IndicatorInput:
    values = dict(
        level1="产出",
        level2="产出数量",
        name="新增指标",
        weight=Decimal(5),
        rule="ratio",
        params="floor=60%",
        target="≥100%",
        definition="实际完成数与计划数之比",
        points="完成数\n计划数",
        standard="完成率×分值",
        standard_type="计划标准",
        evidence_sources="验收报告",
    )
    values.update(changes)
    return services.IndicatorInput(**values)


def test_import_sample_builds_the_tree_with_grades_and_manual_justification(db, demo, fresh):
    lead = demo.users["demo-lead"]
    outcome = import_sample(db, fresh, lead)
    assert (outcome.imported, outcome.created, outcome.deleted) == (24, 24, 0)
    assert outcome.grades_set
    items = indicators_of(db, fresh)
    assert [i.position for i in items] == [10 * (n + 1) for n in range(24)]
    assert items[0].path == ("决策", "项目立项", "立项依据充分性")
    named = {i.name: i for i in items}
    assert named["成本节约率"].rule == "manual"
    assert named["成本节约率"].score == Decimal("2.50")
    assert named["成本节约率"].justification == "成本节约率4.1%，专家组评定"
    assert named["资金到位率"].score is None  # only manual leaves keep a sheet score
    assert named["带动本地农产品采购"].not_applicable
    assert named["带动本地农产品采购"].na_reason == "本项目采购由省级统一配送，不适用"
    assert named["预算执行率"].actual == "91.2%"
    assert named["立项依据充分性"].definition.startswith("项目立项是否符合")
    assert grade_table(get_system(db, fresh))[1] == ("良", Decimal(80))
    entry = audits(db, "indicators.import", fresh)[-1]
    assert entry.after["count"] == 24 and entry.before["count"] == 0
    assert services.check(db, fresh).blockers == []


def test_reimport_keeps_ids_of_unchanged_paths_and_drops_removed_leaves(db, demo, fresh):
    lead = demo.users["demo-lead"]
    import_sample(db, fresh, lead)
    before = by_name(db, fresh)
    expert_leaf = before["绩效指标明确性"]
    db.add(
        ExpertScore(
            engagement_id=fresh.id,
            indicator_id=before["资金到位率"].id,
            expert_id=demo.users["demo-expert"].id,
            score=Decimal(3),
        )
    )
    db.flush()
    rows = [
        ["决策", "绩效目标", "绩效指标明确性", 50, "expert", "4;5;agg=median", None, None, None],
        ["效益", "满意度", "家长满意度", 50, "satisfaction", "method=ratio", "85%", "88.2%", None],
    ]
    outcome = transfer.import_sheet(
        db, actor=lead, engagement=fresh, filename="new.xlsx", data=xlsx(rows)
    )
    assert (outcome.created, outcome.updated, outcome.deleted) == (0, 2, 22)
    assert not outcome.grades_set  # no 等级 sheet: the table stays as it was
    after = by_name(db, fresh)
    assert set(after) == {"绩效指标明确性", "家长满意度"}
    assert after["绩效指标明确性"].id == expert_leaf.id
    assert after["绩效指标明确性"].params == "4;5;agg=median"
    assert experts.scores_by_indicator(db, fresh) == {}  # the removed leaf's expert score went


def test_create_update_delete_are_audited_with_before_and_after(db, demo, fresh):
    lead = demo.users["demo-lead"]
    created = services.create_indicator(db, actor=lead, engagement=fresh, data=_input())
    assert created.position == 10
    assert audits(db, "indicators.create", fresh)[-1].after["name"] == "新增指标"
    services.update_indicator(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=fresh,
        indicator=created,
        data=_input(weight=Decimal("7.5"), target="≥95%"),
        version=created.version,
    )
    entry = audits(db, "indicators.update", fresh)[-1]
    assert entry.before == {"weight": "5.00", "target": "≥100%"}
    assert entry.after == {"weight": "7.50", "target": "≥95%"}
    services.delete_indicator(
        db, actor=lead, engagement=fresh, indicator=created, version=created.version
    )
    assert indicators_of(db, fresh) == []
    assert audits(db, "indicators.delete", fresh)[-1].before["weight"] == "7.50"


def test_stale_version_is_a_conflict_and_nothing_changes(db, demo, fresh):
    lead = demo.users["demo-lead"]
    created = services.create_indicator(db, actor=lead, engagement=fresh, data=_input())
    seen = created.version
    services.update_indicator(
        db, actor=lead, engagement=fresh, indicator=created, data=_input(note="一"), version=seen
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_indicator(
            db,
            actor=lead,
            engagement=fresh,
            indicator=created,
            data=_input(note="二"),
            version=seen,
        )
    with pytest.raises(Conflict, match="已被他人修改"):
        services.delete_indicator(db, actor=lead, engagement=fresh, indicator=created, version=seen)
    assert indicators_of(db, fresh)[0].note == "一"


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"params": "floor=abc"}, "params", "不是有效的数字"),
        ({"rule": "linear", "params": "per=1%"}, "params", "deduct"),
        ({"rule": "nonsense"}, "rule", "请选择评分规则"),
        ({"weight": Decimal("2.345")}, "weight", "两位小数"),
        ({"weight": Decimal(0)}, "weight", "大于0"),
        ({"target": "很多"}, "target", "没有数字"),
        ({"not_applicable": True, "na_reason": ""}, "na_reason", "理由"),
        ({"standard_type": "国际标准"}, "standard_type", "标准类型"),
        ({"name": "名" * 121}, "name", "120"),
        ({"level1": ""}, "level1", "不能为空"),
    ],
)
def test_invalid_definitions_are_refused_field_by_field(db, demo, fresh, changes, field, text):
    with pytest.raises(ValidationFailed) as refused:
        services.create_indicator(
            db, actor=demo.users["demo-lead"], engagement=fresh, data=_input(**changes)
        )
    messages = {d["field"]: d["message"] for d in refused.value.details}
    assert text in messages[field]
    assert indicators_of(db, fresh) == []


def test_duplicate_path_is_refused(db, demo, fresh):
    lead = demo.users["demo-lead"]
    services.create_indicator(db, actor=lead, engagement=fresh, data=_input())
    with pytest.raises(ValidationFailed) as refused:
        services.create_indicator(db, actor=lead, engagement=fresh, data=_input(weight=Decimal(1)))
    assert "已有三级指标“新增指标”" in refused.value.details[0]["message"]
    assert len(indicators_of(db, fresh)) == 1


def test_move_swaps_within_the_group_and_stops_at_the_ends(db, demo, fresh):
    lead = demo.users["demo-lead"]
    import_sample(db, fresh, lead)
    named = by_name(db, fresh)
    first, second = named["资金到位率"], named["预算执行率"]
    assert services.move_indicator(
        db, actor=lead, engagement=fresh, indicator=second, direction="up"
    )
    order = [i.name for i in indicators_of(db, fresh)]
    assert order.index("预算执行率") == order.index("资金到位率") - 1
    assert not services.move_indicator(
        db, actor=lead, engagement=fresh, indicator=second, direction="up"
    )
    assert audits(db, "indicators.move", fresh)[-1].summary == "“预算执行率”上移"
    assert first.level2 == "资金管理"
    with pytest.raises(ValidationFailed):
        services.move_indicator(db, actor=lead, engagement=fresh, indicator=first, direction="x")


def test_regrouped_leaf_goes_to_the_end_of_its_new_group(db, demo, fresh):
    lead = demo.users["demo-lead"]
    import_sample(db, fresh, lead)
    leaf = by_name(db, fresh)["立项依据充分性"]
    services.update_indicator(
        db,
        actor=lead,
        engagement=fresh,
        indicator=leaf,
        data=_input(
            level1="过程",
            level2="组织实施",
            name=leaf.name,
            weight=leaf.weight,
            rule="elements",
            params=leaf.params,
            target="",
        ),
        version=leaf.version,
    )
    tree = services.build_tree(indicators_of(db, fresh))
    assert [t.name for t in tree] == ["决策", "过程", "产出", "效益"]
    process = next(t for t in tree if t.name == "过程")
    assert [leaf.name for leaf in process.children[-1].leaves][-1] == "立项依据充分性"


def test_confirmation_limits_edits_to_the_lead_and_any_edit_clears_it(db, demo, fresh):
    lead, evaluator = demo.users["demo-lead"], demo.users["demo-evaluator"]
    import_sample(db, fresh, lead)
    with pytest.raises(NotAllowed):
        services.confirm(db, actor=evaluator, engagement=fresh)
    services.confirm(db, actor=lead, engagement=fresh)
    assert get_system(db, fresh).confirmed_by_id == lead.id
    with pytest.raises(Conflict, match="已确认"):
        services.confirm(db, actor=lead, engagement=fresh)
    leaf = by_name(db, fresh)["学生出勤率"]
    with pytest.raises(NotAllowed, match="只有项目负责人"):
        services.update_indicator(
            db,
            actor=evaluator,
            engagement=fresh,
            indicator=leaf,
            data=_input(name=leaf.name, level1=leaf.level1, level2=leaf.level2, weight=leaf.weight),
            version=leaf.version,
        )
    system = get_system(db, fresh)
    system.scores_signed_by_id, system.scores_signed_at = lead.id, system.confirmed_at
    db.flush()
    edit = dict(
        actor=lead,
        engagement=fresh,
        indicator=leaf,
        data=_input(name=leaf.name, level1=leaf.level1, level2=leaf.level2, weight=leaf.weight),
        version=leaf.version,
    )
    # The edit names what it clears and asks first; refused, nothing changes.
    kept = (leaf.definition, leaf.rule, leaf.params, leaf.version)
    with pytest.raises(Conflict) as refused:
        services.update_indicator(db, **edit)
    assert refused.value.message.startswith(
        "修改指标“学生出勤率”将清除李项目（项目负责人）对指标体系的确认、"
        "李项目（项目负责人）的评分签字"
    )
    assert get_system(db, fresh).scores_signed_at is not None
    assert (leaf.definition, leaf.rule, leaf.params, leaf.version) == kept
    assert not audits(db, "scoring.signoff_cleared", fresh)
    services.update_indicator(db, **edit, confirm_clear=True)
    system = get_system(db, fresh)
    assert system.confirmed_at is None and system.scores_signed_at is None
    assert (
        audits(db, "indicators.confirmation_cleared", fresh)[-1]
        .after["reason"]
        .startswith("修改指标")
    )
    assert audits(db, "scoring.signoff_cleared", fresh)
    # Once unconfirmed, evaluators may edit again.
    services.update_indicator(
        db,
        actor=evaluator,
        engagement=fresh,
        indicator=leaf,
        data=_input(
            name=leaf.name,
            level1=leaf.level1,
            level2=leaf.level2,
            weight=leaf.weight,
            note="评价人员修改",
        ),
        version=leaf.version,
    )


def test_confirm_is_refused_while_the_system_has_blockers(db, demo, fresh):
    lead = demo.users["demo-lead"]
    transfer.import_sheet(
        db, actor=lead, engagement=fresh, filename="t.xlsx", data=xlsx(small_tree())
    )
    leaf = indicators_of(db, fresh)[0]
    services.delete_indicator(
        db, actor=lead, engagement=fresh, indicator=leaf, version=leaf.version
    )
    with pytest.raises(Conflict) as refused:
        services.confirm(db, actor=lead, engagement=fresh)
    assert refused.value.details == ["三级指标分值合计为60，应为100"]
    assert get_system(db, fresh).confirmed_at is None


def test_unconfirm_needs_a_confirmation(db, demo, fresh):
    lead = demo.users["demo-lead"]
    import_sample(db, fresh, lead)
    with pytest.raises(Conflict):
        services.unconfirm(db, actor=lead, engagement=fresh)
    services.confirm(db, actor=lead, engagement=fresh)
    services.unconfirm(db, actor=lead, engagement=fresh)
    assert get_system(db, fresh).confirmed_at is None


def test_indicators_gate_lists_blockers_then_holds(db, demo, fresh):
    lead = demo.users["demo-lead"]
    texts = [b.text for b in indicators_gate(db, fresh)]
    assert texts == ["指标体系没有任何三级指标", "项目负责人尚未确认指标体系"]
    transfer.import_sheet(
        db, actor=lead, engagement=fresh, filename="t.xlsx", data=xlsx(small_tree())
    )
    leaf = indicators_of(db, fresh)[2]

    def reweigh(weight):
        services.update_indicator(
            db,
            actor=lead,
            engagement=fresh,
            indicator=leaf,
            data=_input(
                level1=leaf.level1,
                level2=leaf.level2,
                name=leaf.name,
                weight=Decimal(weight),
                params="",
                target="100%",
            ),
            version=leaf.version,
        )

    reweigh(20)
    blockers = indicators_gate(db, fresh)
    assert [b.text for b in blockers] == [
        "三级指标分值合计为90，应为100",
        "项目负责人尚未确认指标体系",
    ]
    assert {b.link for b in blockers} == {f"/engagements/{fresh.id}/indicators"}
    reweigh(30)
    services.confirm(db, actor=lead, engagement=fresh)
    assert indicators_gate(db, fresh) == []
    assert indicators_gate(db, demo.engagement) == []  # the demo's imported sample, confirmed


def test_output_and_benefit_below_60_is_a_warning_not_a_blocker(db, demo, fresh):
    rows = [
        ["决策", "项目立项", "立项依据", 50, "boolean", "", None, "是", None],
        ["产出", "产出数量", "完成率", 30, "ratio", "", "100%", "90%", None],
        ["效益", "满意度", "满意度", 20, "ratio", "", "90%", "95%", None],
    ]
    outcome = transfer.import_sheet(
        db, actor=demo.users["demo-lead"], engagement=fresh, filename="t.xlsx", data=xlsx(rows)
    )
    check = services.check(db, fresh)
    assert check.blockers == []
    assert check.warnings == ["产出+效益指标分值合计为50，低于建议的60"]
    assert outcome.warnings == check.warnings


def test_grades_are_parsed_validated_and_audited(db, demo, fresh):
    lead = demo.users["demo-lead"]
    rows = services.parse_grades("优秀 90\n良好，80\n中等 70\n合格 60\n差 0\n")
    services.set_grades(db, actor=lead, engagement=fresh, grades=rows)
    assert [g[0] for g in grade_table(get_system(db, fresh))] == [
        "优秀",
        "良好",
        "中等",
        "合格",
        "差",
    ]
    assert audits(db, "indicators.grades", fresh)[-1].after["grades"][0] == ["优秀", "90"]
    with pytest.raises(ValidationFailed, match="等级表有误") as refused:
        services.parse_grades("优 九十")
    assert "第1行" in refused.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as refused:
        services.set_grades(db, actor=lead, engagement=fresh, grades=[("优", Decimal(90))])
    assert "下限为0" in refused.value.details[0]["message"]


def test_archived_engagement_is_read_only(db, demo, fresh):
    from workbench.core.errors import Locked
    from workbench.core.timeutil import utcnow

    fresh.archived_at = utcnow()
    db.flush()
    with pytest.raises(Locked):
        services.create_indicator(
            db, actor=demo.users["demo-lead"], engagement=fresh, data=_input()
        )


def test_members_who_have_not_signed_cannot_edit(db, demo):
    from workbench.engagements import services as engagements

    fresh = new_engagement(db, demo, roles=())
    engagements.add_member(
        db,
        actor=demo.users["demo-lead"],
        engagement=fresh,
        user_id=demo.users["demo-reviewer"].id,
        role="reviewer",
    )
    with pytest.raises(NotAllowed, match="签署"):
        services.create_indicator(
            db, actor=demo.users["demo-reviewer"], engagement=fresh, data=_input()
        )
    with pytest.raises(NotAllowed, match="项目组成员"):
        services.create_indicator(
            db, actor=demo.users["demo-bureau"], engagement=fresh, data=_input()
        )


def test_gate_is_registered_for_the_indicators_stage():
    from workbench.engagements.stages import registry

    assert indicators_gate in registry.gates[Stage.indicators]
    assert Stage.indicators in registry.replaces_checklist


def test_leaving_the_manual_rule_drops_the_entered_score(db, demo, fresh):
    lead = demo.users["demo-lead"]
    import_sample(db, fresh, lead)
    leaf = by_name(db, fresh)["成本节约率"]
    services.update_indicator(
        db,
        actor=lead,
        engagement=fresh,
        indicator=leaf,
        data=_input(
            level1=leaf.level1,
            level2=leaf.level2,
            name=leaf.name,
            weight=leaf.weight,
            rule="ratio",
            params="",
            target="≥5%",
        ),
        version=leaf.version,
    )
    assert by_name(db, fresh)["成本节约率"].score is None
    entry = audits(db, "indicators.update", fresh)[-1]
    assert entry.before["score"] == "2.50" and entry.after["score"] is None
    assert entry.before["rule"] == "manual" and entry.after["rule"] == "ratio"
