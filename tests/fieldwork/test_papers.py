"""Papers: index numbers, templates, indicators, validated fields, stale edits, deletion, audit."""

import pytest
from sqlmodel import col, func, select

from tests.fieldwork.helpers import SITE_VALUES, indicators, paper, signed_paper
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.engagements.services import ensure_writable
from workbench.fieldwork import papers
from workbench.fieldwork.models import PaperIndicator, PaperSignoff, WorkingPaper


def _count(db, model=WorkingPaper):
    return db.exec(select(func.count()).select_from(model)).one()


def test_index_numbers_follow_stage_area_and_sequence(db, demo):
    first = paper(db, demo, "desk_review")
    second = paper(db, demo, "desk_review")
    other = paper(db, demo, "survey_stats")
    assert (first.index_no, second.index_no, other.index_no) == ("D-03-01", "D-03-02", "E-01-01")
    assert second.title == "内业审核记录" and second.template_name == "内业审核记录"
    assert second.status == "draft" and second.assignee_id == demo.users["demo-evaluator"].id


def test_index_numbers_are_per_engagement(db, demo):
    from workbench.engagements import services as engagements

    lead = demo.users["demo-lead"]
    other = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="另一个项目",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            budget_year=2025,
        ),
    )
    for kind in ("independence", "confidentiality"):
        engagements.sign_declaration(db, actor=lead, engagement=other, kind=kind)
    created = papers.create_paper(db, actor=lead, engagement=other, template_key="forum")
    assert created.index_no == "D-06-01"


def test_a_paper_supports_indicators_by_path(db, demo):
    leaves = indicators(db, demo.engagement)
    ids = papers.indicator_ids_for_paths(
        db,
        engagement=demo.engagement,
        paths=[["过程", "资金管理", "资金使用合规性"], ["决策", "资金投入", "预算编制科学性"]],
    )
    created = paper(db, demo, "indicator_scoring", indicator_ids=ids)
    linked = papers.indicators_by_paper(db, [created.id])[created.id]
    assert {i.name for i in linked} == {"资金使用合规性", "预算编制科学性"}
    assert leaves["资金使用合规性"].id in ids


def test_unknown_indicator_paths_are_named(db, demo):
    indicators(db, demo.engagement)
    with pytest.raises(ValidationFailed) as caught:
        papers.indicator_ids_for_paths(
            db, engagement=demo.engagement, paths=[["决策", "无", "不存在"], ["过程"]]
        )
    assert [d["row"] for d in caught.value.details] == [1, 2]
    assert "“决策/无/不存在”不在本项目的指标体系中" in caught.value.details[0]["message"]


def test_bad_values_store_nothing(db, demo):
    before = _count(db)
    with pytest.raises(ValidationFailed) as caught:
        paper(db, demo, "financial_check", values={"funds": [{"budget": "一百万"}]})
    assert caught.value.details[0]["row"] == 1 and caught.value.details[0]["column"] == "预算数"
    with pytest.raises(ValidationFailed, match="底稿模板“nope”不存在"):
        paper(db, demo, "nope")
    assert _count(db) == before


def test_indicator_of_another_engagement_is_refused(db, demo):
    from workbench.indicators.models import Indicator

    stranger = Indicator(
        engagement_id=demo.engagement.id + 999, level1="a", level2="b", name="c", weight=1
    )
    with pytest.raises(ValidationFailed, match="不属于本项目"):
        paper(db, demo, indicator_ids=[stranger.id or 987654])


def test_stale_edit_is_refused_and_nothing_overwritten(db, demo):
    created = paper(db, demo, values=dict(SITE_VALUES))
    seen = created.version
    papers.update_paper(
        db,
        actor=demo.users["demo-reviewer"],
        engagement=demo.engagement,
        paper=created,
        version=seen,
        title="核查记录（复核人修改）",
        values=dict(SITE_VALUES),
        indicator_ids=[],
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        papers.update_paper(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            version=seen,
            title="评价人员的版本",
            values={**SITE_VALUES, "site": "别处"},
            indicator_ids=[],
        )
    db.refresh(created)
    assert created.title == "核查记录（复核人修改）" and created.values["site"] == "第一中心小学"


def test_unchanged_save_keeps_signoffs(db, demo):
    created = signed_paper(db, demo)
    papers.update_paper(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        version=created.version,
        title=created.title,
        values=dict(created.values),
        indicator_ids=[],
    )
    assert created.status == "approved" and not created.edited_after_review


def test_editing_a_signed_paper_asks_first_then_clears_later_signoffs(db, demo):
    created = signed_paper(db, demo)
    edit = dict(
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        version=created.version,
        title=created.title,
        values={**created.values, "summary": "补充说明"},
        indicator_ids=[],
    )
    with pytest.raises(Conflict) as refused:
        papers.update_paper(db, **edit)
    reviewer, lead = demo.users["demo-reviewer"], demo.users["demo-lead"]
    assert refused.value.status == 409 and refused.value.message.startswith(
        "保存对底稿的修改将清除"
    )
    assert f"{reviewer.display_name}（复核人）" in refused.value.message
    assert f"{lead.display_name}（项目负责人）" in refused.value.message
    assert created.status == "approved" and created.values["summary"] == "运行规范"
    assert not db.exec(
        select(PaperSignoff).where(
            PaperSignoff.paper_id == created.id, col(PaperSignoff.cleared_at).is_not(None)
        )
    ).all()
    papers.update_paper(db, **edit, confirm_clear=True)
    rows = db.exec(select(PaperSignoff).where(PaperSignoff.paper_id == created.id)).all()
    active = {s.level for s in rows if s.cleared_at is None}
    cleared = {s.level: s.cleared_reason for s in rows if s.cleared_at is not None}
    assert active == {"prepare"} and set(cleared) == {"review", "approve"}
    assert "签字后底稿被修改：内容" in cleared["review"]
    assert created.status == "prepared" and created.edited_after_review
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_id == created.id)).all()
    assert "working_paper.update" in actions and "working_paper.signoffs_cleared" in actions


def test_delete_only_unsigned_drafts(db, demo):
    draft = paper(db, demo, values=dict(SITE_VALUES))
    with pytest.raises(NotAllowed):
        papers.delete_paper(
            db, actor=demo.users["demo-reviewer"], engagement=demo.engagement, paper=draft
        )
    papers.delete_paper(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, paper=draft
    )
    assert db.get(WorkingPaper, draft.id) is None
    signed = signed_paper(db, demo, levels=("prepare",))
    with pytest.raises(Conflict, match="只能删除从未签字的草稿底稿"):
        papers.delete_paper(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, paper=signed
        )


def test_archived_engagement_is_read_only(db, demo):
    from workbench.core.errors import Locked
    from workbench.core.timeutil import utcnow

    demo.engagement.archived_at = utcnow()
    with pytest.raises(Locked):
        ensure_writable(demo.engagement)
    with pytest.raises(Locked):
        paper(db, demo)


def test_undeclared_members_cannot_write(db, demo, make_user):
    from workbench.engagements import services as engagements

    agency = demo.orgs["示例绩效评价咨询有限公司"]
    newcomer = make_user("agency", org=agency, username="newbie")
    engagements.add_member(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        user_id=newcomer.id,
        role="evaluator",
    )
    with pytest.raises(NotAllowed, match="请先签署"):
        papers.create_paper(db, actor=newcomer, engagement=demo.engagement, template_key="forum")


def test_assignee_must_be_on_the_team(db, demo):
    with pytest.raises(ValidationFailed, match="编制人须是本项目"):
        paper(db, demo, assignee_id=demo.users["demo-unit"].id)
    created = paper(db, demo, assignee_id=demo.users["demo-reviewer"].id)
    assert created.assignee_id == demo.users["demo-reviewer"].id
    assert _count(db, PaperIndicator) >= 0
