"""Each stage's gate asks for the working papers the firm requires (篇三: a paper for every step);
the admin chooses them per stage on one page, and the defaults hold until then."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.fieldwork.helpers import paper
from workbench.core.audit import AuditEntry
from workbench.core.errors import ValidationFailed
from workbench.engagements import flow
from workbench.engagements.stages import Stage
from workbench.fieldwork import review, stage_papers
from workbench.fieldwork.stage_paper_models import StagePaperSetting


def _texts(db, engagement, stage):
    return [b.text for b in flow.blockers_for(db, engagement, stage)]


def _approve(db, demo, target):
    for who, level in (
        ("demo-evaluator", "prepare"),
        ("demo-reviewer", "review"),
        ("demo-lead", "approve"),
    ):
        review.sign(
            db, actor=demo.users[who], engagement=demo.engagement, paper=target, level=level
        )


def test_defaults_ask_for_the_papers_no_other_record_holds(db, demo):
    agency = demo.engagement.agency_id
    found = stage_papers.required(db, agency)
    assert found[Stage.commission] == ["engagement_acceptance", "independence"]
    assert found[Stage.plan] == ["preliminary_research"]
    assert found[Stage.indicators] == ["indicator_justification"]
    assert all(found[s] == [] for s in (Stage.fieldwork, Stage.scoring, Stage.archive))
    choices = stage_papers.choices(db, agency)
    assert [t.key for t in choices[Stage.archive]] == ["archive_index"]
    assert {t.key for t in choices[Stage.plan]} == {"preliminary_research", "plan_review_handling"}


def test_the_demo_holds_its_earlier_stage_papers(db, demo):
    for stage in (Stage.commission, Stage.plan, Stage.indicators):
        items = [i for i in flow.derived_items(db, demo.engagement, stage) if "工作底稿" in i.text]
        assert items and all(i.ok for i in items), [i.detail for i in items if not i.ok]
    [acceptance] = [
        i for i in flow.derived_items(db, demo.engagement, Stage.commission) if "A-01" in i.text
    ]
    assert acceptance.detail.startswith("底稿 A-01-")


def test_a_required_paper_blocks_until_approved(db, demo):
    e, admin = demo.engagement, demo.users["demo-admin"]
    chosen = {"commission": ["engagement_acceptance"], "scoring": ["score_summary"]}
    with pytest.raises(ValidationFailed):  # score_summary belongs to scoring, not fieldwork
        stage_papers.save(db, actor=admin, chosen={**chosen, "fieldwork": ["score_summary"]})
    stage_papers.save(db, actor=admin, chosen=chosen)
    text = "工作底稿“评分汇总表（F-01）”已批准"
    assert f"{text}：尚未编制（本机构要求本阶段编制该底稿）" in _texts(db, e, Stage.scoring)
    draft = paper(db, demo, "score_summary")
    [blocker] = [t for t in _texts(db, e, Stage.scoring) if t.startswith(text)]
    assert f"{draft.index_no} 草稿" in blocker and "须完成编制、复核和批准" in blocker
    draft.values = {
        **draft.values,
        "summarised_on": "2025-05-01",
        "total": "86.5",
        "grade": "良",
        "checks": "得分与底稿一致，计算准确",
        "conclusion": "评分依据充分",
    }
    db.add(draft)
    _approve(db, demo, draft)
    assert not any(t.startswith(text) for t in _texts(db, e, Stage.scoring))
    met = [i for i in flow.derived_items(db, e, Stage.scoring) if i.text == text]
    assert met[0].ok and draft.index_no in met[0].detail


def test_saving_is_audited_and_bad_input_writes_nothing(db, demo):
    admin = demo.users["demo-admin"]
    before = db.exec(select(StagePaperSetting)).all()
    for chosen, message in (
        ({"nowhere": ["independence"]}, "阶段“nowhere”无效"),
        ({"plan": ["no_such_template"]}, "“评价方案”阶段没有可用的底稿模板“no_such_template”"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            stage_papers.save(db, actor=admin, chosen=chosen)
        assert message in [d["message"] for d in refused.value.details]
    assert db.exec(select(StagePaperSetting)).all() == before
    stage_papers.save(db, actor=admin, chosen={"plan": ["plan_review_handling"]})
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "stage_papers.update")).all()
    assert entry.actor_id == admin.id
    assert entry.before["commission"] == ["engagement_acceptance", "independence"]
    assert entry.after["commission"] == [] and entry.after["plan"] == ["plan_review_handling"]
    # Nothing chosen for commission any more: its papers no longer block.
    items = flow.derived_items(db, demo.engagement, Stage.commission)
    assert not any("工作底稿" in i.text for i in items)


def test_settings_belong_to_the_agency(db, demo, make_user):
    other = make_user("agency", role="admin")
    stage_papers.save(db, actor=other, chosen={"archive": ["archive_index"]})
    assert stage_papers.required(db, other.org_id)[Stage.archive] == ["archive_index"]
    assert stage_papers.required(db, demo.engagement.agency_id)[Stage.archive] == []


def test_admin_page_shows_and_saves_the_choice(login, db, demo):
    c = login("demo-admin")
    page = c.get("/fieldwork/stage-papers").get_data(as_text=True)
    assert 'id="stage-papers"' in page and 'data-stage="archive"' in page
    assert 'value="engagement_acceptance" id="sp-commission-engagement_acceptance" checked' in page
    assert "归档目录" in page
    r = c.post(
        "/fieldwork/stage-papers",
        data={"commission": ["independence"], "archive": ["archive_index"]},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "各阶段须编制的工作底稿已保存" in r.get_data(as_text=True)
    found = stage_papers.required(db, demo.engagement.agency_id)
    assert found[Stage.commission] == ["independence"] and found[Stage.archive] == ["archive_index"]
    assert found[Stage.plan] == []  # unticked: no longer required


def test_admin_page_refuses_bad_input_and_writes_nothing(login, db, demo):
    c = login("demo-admin")
    r = c.post(
        "/fieldwork/stage-papers",
        data={"commission": ["score_summary"], "plan": ["<script>"]},
        headers={"Referer": "/fieldwork/stage-papers"},
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert "底稿要求未保存" in text and "“接受委托”阶段没有可用的底稿模板“score_summary”" in text
    assert "<script>" not in text
    assert db.exec(select(StagePaperSetting)).all() == []


def test_only_an_admin_changes_the_setting(login, db, demo):
    lead = login("demo-lead")
    assert lead.get("/fieldwork/stage-papers").status_code == 403
    r = lead.post("/fieldwork/stage-papers", data={"archive": ["archive_index"]})
    assert r.status_code == 403
    assert db.exec(select(StagePaperSetting)).all() == []
