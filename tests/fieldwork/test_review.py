"""The review chain: sign-offs with hashes, one level per person, returns, threaded notes."""

import pytest
from sqlmodel import select

from tests.fieldwork.helpers import SITE_VALUES, paper, signed_paper
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.fieldwork import review
from workbench.fieldwork.models import PaperSignoff, ReviewNote


def sign(db, demo, created, who, level, **kw):
    return review.sign(
        db, actor=demo.users[who], engagement=demo.engagement, paper=created, level=level, **kw
    )


def test_three_levels_each_store_user_time_and_content_hash(db, demo):
    created = paper(db, demo, values=dict(SITE_VALUES))
    expected = review.current_hash(db, created)
    prepared = sign(db, demo, created, "demo-evaluator", "prepare", comment="已核对")
    assert created.status == "prepared" and prepared.content_hash == expected
    sign(db, demo, created, "demo-reviewer", "review")
    assert created.status == "reviewed"
    approved = sign(db, demo, created, "demo-lead", "approve")
    assert created.status == "approved"
    rows = review.active_signoffs(db, [created.id])[created.id]
    assert {lvl.value: s.user_id for lvl, s in rows.items()} == {
        "prepare": demo.users["demo-evaluator"].id,
        "review": demo.users["demo-reviewer"].id,
        "approve": demo.users["demo-lead"].id,
    }
    assert approved.signed_at is not None and len(approved.content_hash) == 64
    assert prepared.comment == "已核对"


def test_same_person_cannot_hold_two_levels(db, demo):
    created = signed_paper(db, demo, levels=("prepare",), user="demo-lead")
    # The lead prepared this one; as reviewer or approver the lead is refused.
    created2 = paper(db, demo, values=dict(SITE_VALUES), user="demo-lead")
    sign(db, demo, created2, "demo-lead", "prepare")
    with pytest.raises(Conflict, match="同一人不能在同一底稿上担任两级签字"):
        sign(db, demo, created2, "demo-lead", "review")
    sign(db, demo, created2, "demo-reviewer", "review")
    with pytest.raises(Conflict, match="您已作为编制人签字"):
        sign(db, demo, created2, "demo-lead", "approve")
    assert created2.status == "reviewed"
    assert created.status == "prepared"


def test_signing_your_own_paper_twice(db, demo):
    created = paper(db, demo, values=dict(SITE_VALUES))
    sign(db, demo, created, "demo-evaluator", "prepare")
    with pytest.raises(Conflict, match="不能重复签字"):
        sign(db, demo, created, "demo-evaluator", "prepare")
    count = len(db.exec(select(PaperSignoff).where(PaperSignoff.paper_id == created.id)).all())
    assert count == 1


def test_roles_and_required_fields(db, demo):
    created = paper(db, demo, values={"site": "小学"})
    with pytest.raises(ValidationFailed, match="核查日期、核查结论"):
        sign(db, demo, created, "demo-evaluator", "prepare")
    created2 = signed_paper(db, demo, levels=("prepare",))
    with pytest.raises(NotAllowed, match="复核人或项目负责人"):
        # an evaluator is not a reviewer
        review.sign(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created2,
            level="review",
        )
    with pytest.raises(ValidationFailed, match="签字级次无效"):
        sign(db, demo, created2, "demo-reviewer", "bless")


def test_approving_with_open_notes_is_refused_until_resolved(db, demo):
    created = signed_paper(db, demo, levels=("prepare", "review"))
    note = review.add_note(
        db,
        actor=demo.users["demo-reviewer"],
        engagement=demo.engagement,
        paper=created,
        text="请补充照片",
    )
    reply = review.add_note(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        text="已补充",
        parent_id=note.id,
    )
    with pytest.raises(Conflict, match="1 条未解决的复核意见"):
        sign(db, demo, created, "demo-lead", "approve")
    with pytest.raises(NotAllowed, match="只有提出意见的人"):
        review.set_note_status(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            note_id=note.id,
            resolved=True,
        )
    review.set_note_status(
        db,
        actor=demo.users["demo-reviewer"],
        engagement=demo.engagement,
        paper=created,
        note_id=note.id,
        resolved=True,
    )
    with pytest.raises(Conflict, match="已解决"):
        review.set_note_status(
            db,
            actor=demo.users["demo-reviewer"],
            engagement=demo.engagement,
            paper=created,
            note_id=note.id,
            resolved=True,
        )
    with pytest.raises(NotFound):
        review.set_note_status(
            db,
            actor=demo.users["demo-reviewer"],
            engagement=demo.engagement,
            paper=created,
            note_id=reply.id,
            resolved=True,
        )
    threads = review.threads(db, created.id)
    assert [(t.note.text, [r.text for r in t.replies]) for t in threads] == [
        ("请补充照片", ["已补充"])
    ]
    sign(db, demo, created, "demo-lead", "approve")
    assert created.status == "approved"


def test_a_reply_reopens_a_resolved_thread(db, demo):
    created = signed_paper(db, demo, levels=("prepare",))
    note = review.add_note(
        db,
        actor=demo.users["demo-reviewer"],
        engagement=demo.engagement,
        paper=created,
        text="数字对不上",
    )
    review.set_note_status(
        db,
        actor=demo.users["demo-reviewer"],
        engagement=demo.engagement,
        paper=created,
        note_id=note.id,
        resolved=True,
    )
    review.add_note(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        text="还有一处",
        parent_id=note.id,
    )
    assert note.status == "open" and review.open_note_count(db, created.id) == 1
    with pytest.raises(ValidationFailed, match="不能为空"):
        review.add_note(
            db,
            actor=demo.users["demo-reviewer"],
            engagement=demo.engagement,
            paper=created,
            text="  ",
        )


def test_return_clears_signoffs_and_opens_a_note(db, demo):
    created = signed_paper(db, demo, levels=("prepare", "review"))
    with pytest.raises(ValidationFailed, match="须说明原因"):
        review.return_paper(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, paper=created, reason=""
        )
    with pytest.raises(NotAllowed):
        review.return_paper(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            reason="x",
        )
    review.return_paper(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        paper=created,
        reason="核查结论缺少依据",
    )
    assert created.status == "returned" and created.returned_reason == "核查结论缺少依据"
    assert review.active_signoffs(db, [created.id])[created.id] == {}
    notes = db.exec(select(ReviewNote).where(ReviewNote.paper_id == created.id)).all()
    assert [n.text for n in notes] == ["退回原因：核查结论缺少依据"] and notes[0].status == "open"
    # the preparer fixes it and signs again
    sign(db, demo, created, "demo-evaluator", "prepare")
    assert created.status == "prepared" and created.returned_reason == ""
    with pytest.raises(Conflict, match="尚未经编制人签字"):
        review.return_paper(
            db,
            actor=demo.users["demo-lead"],
            engagement=demo.engagement,
            paper=paper(db, demo),
            reason="x",
        )


def test_approval_resets_the_edited_flag(db, demo):
    from workbench.fieldwork import papers

    created = signed_paper(db, demo)
    papers.update_paper(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        version=created.version,
        title="新标题",
        values=dict(created.values),
        indicator_ids=[],
        confirm_clear=True,
    )
    assert created.edited_after_review and created.status == "prepared"
    # The preparer's signature predates the edit: the reviewer waits for the preparer.
    with pytest.raises(
        Conflict, match="编制签字后底稿内容有修改，须由编制人核对后重新签字，才能复核"
    ):
        sign(db, demo, created, "demo-reviewer", "review")
    sign(db, demo, created, "demo-evaluator", "prepare")  # re-signs over the edited paper
    sign(db, demo, created, "demo-reviewer", "review")
    sign(db, demo, created, "demo-lead", "approve")
    assert not created.edited_after_review
    history = db.exec(
        select(PaperSignoff).where(
            PaperSignoff.paper_id == created.id, PaperSignoff.cleared_at.is_not(None)
        )
    ).all()
    assert len(history) == 3
