"""Expert scoring: who scores, hidden panels, aggregation by the leaf's method, dispersion."""

from decimal import Decimal

import pytest

from tests.indicators.helpers import audits, by_name, new_engagement, xlsx
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind
from workbench.indicators import services as indicators
from workbench.indicators import transfer
from workbench.indicators.system import get_system
from workbench.scoring import experts, services
from workbench.scoring.gates import scoring_gate

ROWS = [
    ["决策", "绩效目标", "绩效指标明确性", 10, "expert", "agg=trimmed", None, None, None],
    ["决策", "绩效目标", "目标细化程度", 10, "expert", "agg=median", None, None, None],
    ["产出", "产出数量", "完成率", 80, "ratio", "", "100%", "100%", None],
]


@pytest.fixture()
def panel(db, demo, make_user):
    """An engagement with two expert leaves and five signed experts (demo-expert first)."""
    engagement = new_engagement(db, demo)
    lead = demo.users["demo-lead"]
    transfer.import_sheet(db, actor=lead, engagement=engagement, filename="e.xlsx", data=xlsx(ROWS))
    indicators.confirm(db, actor=lead, engagement=engagement)
    people = [demo.users["demo-expert"]]
    for _ in range(4):
        expert = make_user("expert", managed_by=demo.orgs["示例绩效评价咨询有限公司"])
        engagements.add_member(
            db, actor=lead, engagement=engagement, user_id=expert.id, role="expert"
        )
        for kind in DeclarationKind:
            engagements.sign_declaration(db, actor=expert, engagement=engagement, kind=kind)
        people.append(expert)
    db.flush()
    leaves = by_name(db, engagement)
    return type("Panel", (), {"engagement": engagement, "experts": people, "leaves": leaves})


def _submit(db, panel, expert, name, score, **kw):
    return experts.submit(
        db,
        actor=expert,
        engagement=panel.engagement,
        indicator=panel.leaves[name],
        score=Decimal(score),
        **kw,
    )


def test_each_expert_must_score_each_expert_leaf(db, demo, panel):
    texts = [b.text for b in scoring_gate(db, panel.engagement)]
    assert "专家陈专家尚未对“绩效指标明确性”打分" in texts
    assert sum("尚未对" in t for t in texts) == 10  # 5 experts × 2 leaves
    assert "决策/绩效目标/绩效指标明确性：还没有专家打分" in texts


def test_others_scores_stay_hidden_until_the_expert_has_submitted(db, panel):
    first, second = panel.experts[:2]
    _submit(db, panel, second, "绩效指标明确性", "8", comment="目标较明确")
    view = experts.panel_for(db, panel.engagement, first)[0]
    assert view.mine is None and view.others == [] and view.aggregate is None
    _submit(db, panel, first, "绩效指标明确性", "9")
    view = experts.panel_for(db, panel.engagement, first)[0]
    assert [(name, row.score, row.comment) for name, row in view.others] == [
        (second.display_name, Decimal("8.00"), "目标较明确")
    ]
    assert view.aggregate.score == Decimal("8.50")
    # The other leaf stays hidden: this expert has not scored it.
    assert experts.panel_for(db, panel.engagement, first)[1].others == []


def test_trimmed_mean_of_five_and_median_with_dispersion_flag(db, demo, panel):
    for expert, score in zip(panel.experts, ["8", "9", "7", "10", "2"], strict=True):
        _submit(db, panel, expert, "绩效指标明确性", score)
    for expert, score in zip(panel.experts, ["6", "7", "7", "8", "9"], strict=True):
        _submit(db, panel, expert, "目标细化程度", score)
    result, rows = services.compute(db, panel.engagement)
    row = {r.indicator.name: r for r in rows}
    clear = row["绩效指标明确性"].result
    assert clear.score == Decimal("8.00")  # drop 10 and 2: (8 + 9 + 7) ÷ 3
    assert clear.dispersion_flag and "分歧较大" in clear.explanation
    median = row["目标细化程度"].result
    assert median.score == Decimal("7.00") and not median.dispersion_flag
    assert row["绩效指标明确性"].overridden == ["专家在系统内提交的打分"]
    assert result.total == Decimal("95.00")
    assert [b.text for b in scoring_gate(db, panel.engagement)] == [
        "项目负责人尚未签字确认评分结果"
    ]


def test_one_leaf_gets_the_submitted_scores_as_the_whole_tree_does(db, demo, panel):
    for expert, score in zip(panel.experts[:3], ["8", "9", "7"], strict=True):
        _submit(db, panel, expert, "绩效指标明确性", score)
    _submit(db, panel, panel.experts[0], "目标细化程度", "6")
    _result, rows = services.compute(db, panel.engagement)
    for row in rows:
        one = services.compute_one(db, panel.engagement, row.indicator)
        assert (one.inputs, one.result.score) == (row.inputs, row.result.score), row.indicator.name
    leaf = panel.leaves["绩效指标明确性"]
    assert set(experts.scores_of(db, leaf)) == {e.id for e in panel.experts[:3]}


def test_submission_is_validated_versioned_and_clears_the_sign_off(db, demo, panel):
    expert = panel.experts[0]
    for bad, text in (("11", "0到10.00之间"), ("-1", "0到10.00之间"), ("8.125", "两位小数")):
        with pytest.raises(ValidationFailed, match="专家打分有误") as refused:
            _submit(db, panel, expert, "绩效指标明确性", bad)
        assert text in refused.value.details[0]["message"]
    with pytest.raises(ValidationFailed):
        experts.submit(
            db,
            actor=expert,
            engagement=panel.engagement,
            indicator=panel.leaves["绩效指标明确性"],
            score=None,
        )
    row = _submit(db, panel, expert, "绩效指标明确性", "8")
    with pytest.raises(Conflict, match="其他窗口"):
        _submit(db, panel, expert, "绩效指标明确性", "7", version=row.version - 1)
    mine = _submit(db, panel, expert, "目标细化程度", "8")
    for other in panel.experts[1:]:
        for name in ("绩效指标明确性", "目标细化程度"):
            _submit(db, panel, other, name, "8")
    services.sign(db, actor=demo.users["demo-lead"], engagement=panel.engagement)
    # Asked first (issue 15): the refusal names the lead's signature and keeps the score.
    with pytest.raises(Conflict, match="提交“目标细化程度”的打分将清除.*（项目负责人）的评分签字"):
        _submit(db, panel, expert, "目标细化程度", "9", version=mine.version)
    assert mine.score == Decimal("8.00")
    assert get_system(db, panel.engagement).scores_signed_at is not None
    _submit(db, panel, expert, "目标细化程度", "9", version=mine.version, confirm_clear=True)
    assert get_system(db, panel.engagement).scores_signed_at is None
    assert audits(db, "scoring.signoff_cleared", panel.engagement)[-1].after == {
        "reason": "专家修改了“目标细化程度”的打分"
    }
    entry = audits(db, "scoring.expert_score", panel.engagement)[-1]
    assert entry.before == {"score": "8.00", "comment": ""} and entry.after["score"] == "9.00"


def test_only_engagement_experts_score_expert_leaves(db, demo, panel):
    with pytest.raises(NotAllowed):
        _submit(db, panel, demo.users["demo-lead"], "绩效指标明确性", "8")
    with pytest.raises(Conflict, match="不是专家打分指标"):
        _submit(db, panel, panel.experts[0], "完成率", "8")


def test_offline_panel_in_parameters_needs_no_app_scores_until_one_is_given(db, demo):
    engagement = new_engagement(db, demo)
    lead = demo.users["demo-lead"]
    rows = [
        ["决策", "绩效目标", "绩效指标明确性", 10, "expert", "8;9;7;agg=median", None, None, None],
        ["产出", "产出数量", "完成率", 90, "ratio", "", "100%", "100%", None],
    ]
    transfer.import_sheet(db, actor=lead, engagement=engagement, filename="o.xlsx", data=xlsx(rows))
    indicators.confirm(db, actor=lead, engagement=engagement)
    assert [b.text for b in scoring_gate(db, engagement)] == ["项目负责人尚未签字确认评分结果"]
    leaf = by_name(db, engagement)["绩效指标明确性"]
    view = experts.panel_for(db, engagement, demo.users["demo-expert"])[0]
    assert view.offline == (Decimal(8), Decimal(9), Decimal(7)) and view.others == []
    experts.submit(
        db,
        actor=demo.users["demo-expert"],
        engagement=engagement,
        indicator=leaf,
        score=Decimal(6),
    )
    assert services.leaf_scores(db, engagement)[leaf.id] == Decimal("6.00")
    assert scoring_gate(db, engagement)[-1].text == "项目负责人尚未签字确认评分结果"


def test_expert_must_have_signed_the_declarations(db, demo, make_user):
    engagement = new_engagement(db, demo, roles=())
    lead = demo.users["demo-lead"]
    rows = [["决策", "绩效目标", "明确性", 100, "expert", "", None, None, None]]
    transfer.import_sheet(db, actor=lead, engagement=engagement, filename="o.xlsx", data=xlsx(rows))
    expert = make_user("expert", managed_by=demo.orgs["示例绩效评价咨询有限公司"])
    engagements.add_member(db, actor=lead, engagement=engagement, user_id=expert.id, role="expert")
    leaf = by_name(db, engagement)["明确性"]
    with pytest.raises(NotAllowed, match="签署"):
        experts.submit(db, actor=expert, engagement=engagement, indicator=leaf, score=Decimal(5))
