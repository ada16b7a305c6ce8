"""The fieldwork gate: an approved paper judging every applicable leaf, no drafts, every item
answered."""

from sqlmodel import select

from tests.fieldwork.helpers import SITE_VALUES, complete_fieldwork, indicators, judge, paper
from workbench.engagements import flow
from workbench.engagements.stages import Stage
from workbench.fieldwork import requests, review
from workbench.fieldwork.gates import fieldwork_gate
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.papers import indicators_by_paper
from workbench.fieldwork.request_models import RequestItem


def _clear_demo(db, demo):
    """Approve the demo's own papers and answer its items, so only this test's data decide."""
    who = {"prepare": "demo-evaluator", "review": "demo-reviewer", "approve": "demo-lead"}
    rows = db.exec(
        select(WorkingPaper).where(WorkingPaper.engagement_id == demo.engagement.id)
    ).all()
    for p in rows:
        for thread in review.threads(db, p.id):
            if thread.note.status == "open":
                review.set_note_status(
                    db, actor=demo.users["demo-reviewer"], engagement=demo.engagement, paper=p,
                    note_id=thread.note.id, resolved=True,
                )  # fmt: skip
        if p.status == "draft":
            p.values = {**p.values, "summary": "访谈要点", "interview_date": "2025-03-08"}
        order = {"draft": 0, "prepared": 1, "reviewed": 2, "approved": 3}[p.status]
        for level in ("prepare", "review", "approve")[order:]:
            review.sign(
                db, actor=demo.users[who[level]], engagement=demo.engagement, paper=p, level=level
            )
    for item in db.exec(select(RequestItem)).all():
        if item.status == "requested":
            item.status = "received"
            db.add(item)
    db.flush()


def texts(db, demo):
    return [b.text for b in fieldwork_gate(db, demo.engagement)]


def test_gate_lists_what_is_missing_then_opens(db, demo):
    leaves = indicators(db, demo.engagement)
    _clear_demo(db, demo)
    applicable = [i for i in leaves.values() if not i.not_applicable and i.rule != "satisfaction"]
    found = texts(db, demo)
    supported = {
        i.id
        for p in db.exec(select(WorkingPaper).where(WorkingPaper.status == "approved")).all()
        for i in indicators_by_paper(db, [p.id])[p.id]
    }
    missing = [i for i in applicable if i.id not in supported]
    assert missing, "the sample tree has leaves without papers"
    assert (
        f"指标“{missing[0].level1}/{missing[0].level2}/{missing[0].name}”"
        "尚无已批准的工作底稿对其作出判断" in found
    )
    assert not any("学生满意度" in t for t in found)  # survey-fed leaves wait for the survey stage
    assert not any("带动本地农产品采购" in t for t in found)  # not applicable
    assert any(t.startswith("……另有") for t in found) == (len(missing) > 10)

    # One approved scoring paper judging every leaf opens the indicator part of the gate (the
    # demo's papers list some leaves without recording a finding for them: that is not enough).
    support = paper(
        db,
        demo,
        "indicator_scoring",
        indicator_ids=[i.id for i in applicable],
        values={"judgement": "已核", "score": "1"},
    )
    judge(db, demo.engagement, demo.users["demo-evaluator"], support, [i.id for i in applicable])
    assert any(f"底稿 {support.index_no}" in t and "草稿" in t for t in texts(db, demo))
    _approve(db, demo, support)
    assert texts(db, demo) == []


def _approve(db, demo, target):
    for who, level in (
        ("demo-evaluator", "prepare"),
        ("demo-reviewer", "review"),
        ("demo-lead", "approve"),
    ):
        review.sign(
            db, actor=demo.users[who], engagement=demo.engagement, paper=target, level=level
        )


def test_a_paper_that_only_lists_an_indicator_does_not_support_it(db, demo):
    """One paper linked to every leaf is not enough: it must record a finding for each."""
    leaves = indicators(db, demo.engagement)
    _clear_demo(db, demo)
    everything = [i for i in leaves.values() if not i.not_applicable and i.rule != "satisfaction"]
    judged, listed_only = everything[:-1], everything[-1]
    broad = paper(
        db,
        demo,
        "indicator_scoring",
        indicator_ids=[i.id for i in everything],
        values={"judgement": "已核", "score": "1"},
    )
    judge(db, demo.engagement, demo.users["demo-evaluator"], broad, [i.id for i in judged])
    _approve(db, demo, broad)
    name = f"{listed_only.level1}/{listed_only.level2}/{listed_only.name}"
    assert texts(db, demo) == [
        f"指标“{name}”虽列入已批准的底稿，但底稿未对其作出判断（须为该指标记录核查发现、数值或要点判断）"
    ]
    # A finding on a draft paper does not count either: only an approved paper judges.
    draft = paper(db, demo, "indicator_scoring", indicator_ids=[listed_only.id])
    judge(db, demo.engagement, demo.users["demo-evaluator"], draft, [listed_only.id])
    assert any(name in t for t in texts(db, demo))
    draft.values = {**draft.values, "judgement": "已核", "score": "1"}
    db.add(draft)
    _approve(db, demo, draft)
    assert texts(db, demo) == []


def test_returned_papers_and_open_items_block(db, demo):
    indicators(db, demo.engagement)
    _clear_demo(db, demo)
    leaves = indicators(db, demo.engagement)
    everything = paper(
        db,
        demo,
        "indicator_scoring",
        indicator_ids=[i.id for i in leaves.values()],
        values={"judgement": "已核", "score": "1"},
    )
    applicable = [i.id for i in leaves.values() if not i.not_applicable]
    judge(db, demo.engagement, demo.users["demo-evaluator"], everything, applicable)
    _approve(db, demo, everything)
    assert texts(db, demo) == []
    site = paper(db, demo, values=dict(SITE_VALUES))
    review.sign(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=site,
        level="prepare",
    )
    review.return_paper(
        db, actor=demo.users["demo-reviewer"], engagement=demo.engagement, paper=site, reason="补充"
    )
    later = paper(db, demo, "review_record")  # a report-stage draft does not block fieldwork
    created = requests.create_request(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        title="补充清单",
        items=[requests.ItemInput("验收报告")],
    )
    found = texts(db, demo)
    assert found == [
        f"底稿 {site.index_no} {site.title}：已退回修改，须完成编制和复核",
        "资料清单“补充清单”中的“验收报告”尚未收到，须收到或说明原因后免于提供",
    ]
    assert later.index_no.startswith("G-")
    blockers = fieldwork_gate(db, demo.engagement)
    assert blockers[1].link == f"/engagements/{demo.engagement.id}/requests/{created.id}"


def test_gate_replaces_the_checklist_and_blocks_advancing(db, demo):
    from workbench.engagements.stages import registry

    assert registry.checklist(Stage.fieldwork) == []
    assert demo.engagement.stage == "fieldwork"
    blockers = flow.blockers_for(db, demo.engagement, Stage.fieldwork)
    assert blockers and all(b.link for b in blockers)


def test_an_engagement_without_papers(db, demo):
    from workbench.engagements import services as engagements

    lead = demo.users["demo-lead"]
    empty = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="空项目", type="project", bureau_id=demo.engagement.bureau_id, budget_year=2025
        ),
    )
    assert [b.text for b in fieldwork_gate(db, empty)] == ["尚未编制任何工作底稿"]


def test_complete_fieldwork_helper_opens_the_gate_and_the_engagement_advances(db, demo):
    indicators(db, demo.engagement)
    complete_fieldwork(db, demo.engagement, demo.users)
    assert fieldwork_gate(db, demo.engagement) == []
    assert (
        flow.advance(db, actor=demo.users["demo-lead"], engagement=demo.engagement) == Stage.survey
    )
