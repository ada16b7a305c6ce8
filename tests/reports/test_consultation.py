"""征求意见: sending the draft, the unit's opinions, the answers, the gate and the opinion table."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests.reports.report_helpers import open_version, sign_three
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.reports import consultation, gates, services
from workbench.reports.models import Consultation, Opinion


@pytest.fixture()
def draft(ctx, db, demo):
    """The approved report generated as 征求意见稿."""
    sign_three(db, demo)
    version = services.generate(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="report",
        label="征求意见稿",
    )  # fmt: skip
    db.flush()
    return version


def _send(db, demo, draft, **extra):
    row = consultation.send(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        version_id=draft.id,
        recipient_id=demo.users["demo-unit"].id,
        **extra,
    )
    db.flush()
    return row


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_send_needs_a_consultation_draft_the_unit_contact_and_approval(ctx, db, demo):
    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]
    e = demo.engagement
    first = services.generate(db, actor=lead, engagement=e, kind="report", label="初稿")
    with pytest.raises(ValidationFailed, match="征求意见稿"):
        consultation.send(db, actor=lead, engagement=e, version_id=first.id, recipient_id=unit.id)
    draft = services.generate(db, actor=lead, engagement=e, kind="report", label="征求意见稿")
    with pytest.raises(ValidationFailed, match="被评价单位联系人"):
        consultation.send(db, actor=lead, engagement=e, version_id=draft.id,
                          recipient_id=demo.users["demo-evaluator"].id)  # fmt: skip
    with pytest.raises(Conflict, match="三级复核"):
        consultation.send(db, actor=lead, engagement=e, version_id=draft.id, recipient_id=unit.id)
    with pytest.raises(NotAllowed):
        consultation.send(db, actor=demo.users["demo-evaluator"], engagement=e,
                          version_id=draft.id, recipient_id=unit.id)  # fmt: skip
    assert _count(db, Consultation) == 0
    assert [b.text for b in gates.consultation_gate(db, e)] == ["尚未向被评价单位发送征求意见稿"]


def test_unit_opinions_answers_gate_and_table(draft, db, demo):
    e, unit, evaluator = demo.engagement, demo.users["demo-unit"], demo.users["demo-evaluator"]
    row = _send(db, demo, draft, message="请于五个工作日内反馈")
    with pytest.raises(Conflict, match="上一轮征求意见尚未结束"):
        _send(db, demo, draft)
    assert consultation.pending_for(db, unit) == [(e, row)]
    first = consultation.add_opinion(db, actor=unit, engagement=e, reference="第三部分 第5页",
                                     content="受益学生人数应为51,020人。")  # fmt: skip
    second = consultation.add_opinion(db, actor=unit, engagement=e, reference="",
                                      content="建议删除现金支付的表述<script>x</script>")  # fmt: skip
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(NotAllowed):
        consultation.add_opinion(db, actor=evaluator, engagement=e, reference="", content="x")
    with pytest.raises(ValidationFailed, match="请填写意见内容"):
        consultation.add_opinion(db, actor=unit, engagement=e, reference="", content="  ")
    with pytest.raises(ValidationFailed, match="不能超过4000字"):
        consultation.add_opinion(db, actor=unit, engagement=e, reference="", content="意" * 4001)
    assert _count(db, Opinion) == 2
    consultation.update_opinion(db, actor=unit, engagement=e, opinion=first, reference="第5页",
                                content="受益学生人数应为51,020人（学籍系统）。",
                                version=first.version)  # fmt: skip
    with pytest.raises(Conflict, match="请刷新后重试"):
        consultation.update_opinion(db, actor=unit, engagement=e, opinion=first, reference="",
                                    content="旧版本", version=first.version - 1)  # fmt: skip

    blockers = [b.text for b in gates.consultation_gate(db, e)]
    assert blockers == [
        "被评价单位尚未确认反馈完毕（或由项目负责人记录其无意见）",
        "第1条意见尚未答复",
        "第2条意见尚未答复",
    ]
    consultation.answer(db, actor=evaluator, engagement=e, opinion=first, adoption="采纳",
                        reason="已根据学籍系统数据更正。", version=first.version)  # fmt: skip
    with pytest.raises(Conflict, match="已由评价机构答复"):
        consultation.delete_opinion(db, actor=unit, engagement=e, opinion=first)
    with pytest.raises(ValidationFailed, match="请选择采纳"):
        consultation.answer(db, actor=evaluator, engagement=e, opinion=second, adoption="同意",
                            reason="x", version=second.version)  # fmt: skip
    with pytest.raises(ValidationFailed, match="理由"):
        consultation.answer(db, actor=evaluator, engagement=e, opinion=second, adoption="不采纳",
                            reason=" ", version=second.version)  # fmt: skip
    with pytest.raises(NotAllowed):
        consultation.answer(db, actor=unit, engagement=e, opinion=second, adoption="采纳",
                            reason="x", version=second.version)  # fmt: skip
    consultation.answer(db, actor=evaluator, engagement=e, opinion=second, adoption="不采纳",
                        reason="经核查凭证，现金支付事实清楚。", version=second.version)  # fmt: skip
    consultation.complete(db, actor=unit, engagement=e)
    with pytest.raises(Conflict, match="本轮征求意见已结束"):
        consultation.add_opinion(db, actor=unit, engagement=e, reference="", content="补充")
    assert gates.consultation_gate(db, e) == []
    assert consultation.pending_for(db, unit) == []

    table = services.generate(db, actor=demo.users["demo-lead"], engagement=e,
                              kind="opinion_table")  # fmt: skip
    document = open_version(table)
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[0] == ["序号", "意见内容", "采纳情况", "理由及修改情况"]
    assert rows[1] == ["1", "（第5页）受益学生人数应为51,020人（学籍系统）。", "采纳",
                       "已根据学籍系统数据更正。"]  # fmt: skip
    assert rows[2][1] == "建议删除现金支付的表述<script>x</script>" and rows[2][2] == "不采纳"
    texts = [p.text for p in document.paragraphs]
    assert "共收到意见2条，其中采纳1条，部分采纳0条，不采纳1条。" in texts


def test_lead_records_that_the_unit_had_no_opinions(draft, db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    _send(db, demo, draft)
    with pytest.raises(ValidationFailed, match="请说明"):
        consultation.record_no_opinions(db, actor=lead, engagement=e, note=" ")
    with pytest.raises(NotAllowed):
        consultation.record_no_opinions(db, actor=demo.users["demo-evaluator"], engagement=e,
                                        note="电话确认")  # fmt: skip
    consultation.record_no_opinions(db, actor=lead, engagement=e,
                                    note="单位于3月18日回函，对征求意见稿无修改意见。")  # fmt: skip
    assert gates.consultation_gate(db, e) == []
    with pytest.raises(Conflict, match="本轮征求意见已结束"):
        consultation.complete(db, actor=demo.users["demo-unit"], engagement=e)
    document = open_version(services.generate(db, actor=lead, engagement=e, kind="opinion_table"))
    texts = [c.text for r in document.tables[0].rows for c in r.cells]
    assert "被评价单位对征求意见稿无修改意见。" in texts
    # A new round may follow once this one is closed.
    assert _send(db, demo, draft).id != consultation.rounds(db, e)[-1].id


def test_no_opinions_refused_when_the_unit_wrote_some(draft, db, demo):
    e = demo.engagement
    _send(db, demo, draft)
    consultation.add_opinion(db, actor=demo.users["demo-unit"], engagement=e, reference="",
                             content="意见")  # fmt: skip
    with pytest.raises(Conflict, match="已提出意见"):
        consultation.record_no_opinions(db, actor=demo.users["demo-lead"], engagement=e,
                                        note="误操作")  # fmt: skip
