"""Drafting sections: saves with versions, autosave, conflicts, bad input, assignment, comments,
the report's three sign-offs, locks and the `report` gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests.reports.report_helpers import section, sign_three, write_all
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.engagements import flow
from workbench.engagements.stages import Stage
from workbench.reports import gates, locks, section_comments
from workbench.reports.models import ReportSignoff, SectionComment, SectionVersion
from workbench.reports.services import sections as drafting
from workbench.reports.services import signoffs


def _versions(db, row) -> int:
    return db.exec(
        select(func.count()).select_from(SectionVersion).where(SectionVersion.section_id == row.id)
    ).one()


def _save(
    db, demo, row, content, *, user="demo-evaluator", autosave=False, version=None, confirm=False
):
    return drafting.save_section(
        db,
        actor=demo.users[user],
        engagement=demo.engagement,
        section=row,
        content=content,
        version=row.version if version is None else version,
        autosave=autosave,
        confirm_clear=confirm,
    )


def test_demo_has_every_outline_section_written(db, demo):
    views = drafting.ensure_sections(db, demo.engagement, "report")
    assert [v.row.key for v in views][7:11] == ["l1:决策", "l1:过程", "l1:产出", "l1:效益"]
    assert all(v.row.has_content for v in views)
    assert signoffs.missing_sections(db, demo.engagement) == []
    plan = drafting.ensure_sections(db, demo.engagement, "plan")
    assert all(v.row.has_content for v in plan)
    assigned = {v.row.key: v.row.assignee_id for v in views if v.row.assignee_id}
    assert assigned["l1:效益"] == demo.users["demo-expert"].id


def test_save_sanitizes_versions_and_audits(db, demo):
    row = section(db, demo.engagement, "problems")
    before = _versions(db, row)
    assert _save(db, demo, row, "<p>问题<script>alert(1)</script></p><p onclick=x>二</p>")
    assert row.html == "<p>问题</p><p>二</p>" and row.text == "问题\n二"
    assert _versions(db, row) == before + 1
    assert not _save(db, demo, row, "<p>问题</p><p>二</p>")  # unchanged: no new version
    assert _versions(db, row) == before + 1
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "report.section.save")
        .order_by(AuditEntry.id.desc())
    ).first()  # fmt: skip
    assert entry.object_id == row.id and entry.after["number"] == row.number


def test_stale_version_is_a_conflict_and_changes_nothing(db, demo):
    row = section(db, demo.engagement, "suggestions")
    stale = row.version
    _save(db, demo, row, "<p>第一位撰写人的修改</p>")
    html, count = row.html, _versions(db, row)
    with pytest.raises(Conflict, match="该章节已被他人修改，请刷新后重试"):
        _save(db, demo, row, "<p>第二位撰写人的修改</p>", user="demo-lead", version=stale)
    with pytest.raises(ValidationFailed, match="缺少版本号"):
        drafting.save_section(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, section=row,
            content="<p>没有版本号</p>", version=None,
        )  # fmt: skip
    assert row.html == html and _versions(db, row) == count


def test_oversized_text_is_refused_with_a_clear_message(db, demo):
    row = section(db, demo.engagement, "other")
    html, count = row.html, _versions(db, row)
    with pytest.raises(ValidationFailed) as error:
        _save(db, demo, row, "<p>" + "字" * 20_001 + "</p>")
    assert error.value.details == [
        {"field": "content", "message": "章节正文过长（20001 字，上限 20000 字），请精简或拆分"}
    ]
    assert row.html == html and _versions(db, row) == count


def test_autosaves_by_one_writer_share_a_version(db, demo):
    row = section(db, demo.engagement, "experience")
    _save(db, demo, row, "<p>自动保存一</p>", autosave=True)
    number = row.number
    _save(db, demo, row, "<p>自动保存二</p>", autosave=True)
    assert row.number == number  # coalesced into the same autosave version
    last = drafting.get_section_version(db, row, number)
    assert last.autosave and last.text == "自动保存二"
    last.saved_at -= drafting.AUTOSAVE_WINDOW + timedelta(seconds=1)
    db.add(last)
    _save(db, demo, row, "<p>自动保存三</p>", autosave=True)
    assert row.number == number + 1
    _save(db, demo, row, "<p>手动保存</p>")
    assert row.number == number + 2
    assert not drafting.get_section_version(db, row, row.number).autosave


def test_saving_what_ones_own_autosave_stored_keeps_it_as_a_saved_draft(db, demo):
    row = section(db, demo.engagement, "suggestions")
    assert _save(db, demo, row, "<p>点保存前已自动保存</p>", autosave=True)
    number, versions = row.number, _versions(db, row)
    assert _save(db, demo, row, "<p>点保存前已自动保存</p>") is True  # 保存 says saved
    assert row.number == number and _versions(db, row) == versions
    assert not drafting.get_section_version(db, row, number).autosave
    assert _save(db, demo, row, "<p>点保存前已自动保存</p>") is False  # nothing left to save
    # Another writer's autosave is not theirs to keep.
    _save(db, demo, row, "<p>负责人自动保存</p>", user="demo-lead", autosave=True)
    assert _save(db, demo, row, "<p>负责人自动保存</p>") is False


def test_experts_write_only_their_sections_and_others_not_at_all(db, demo):
    mine = section(db, demo.engagement, "l1:效益")
    assert _save(db, demo, mine, "<p>专家撰写的效益分析。</p>", user="demo-expert")
    other = section(db, demo.engagement, "overview")
    with pytest.raises(NotAllowed, match="专家只能撰写分配给自己的章节"):
        _save(db, demo, other, "<p>越权</p>", user="demo-expert")
    for user in ("demo-unit", "demo-bureau"):
        with pytest.raises(NotAllowed):
            _save(db, demo, other, "<p>越权</p>", user=user)


def test_assignment_rules(db, demo):
    row = section(db, demo.engagement, "goals")
    lead = demo.users["demo-lead"]
    drafting.assign(db, actor=lead, engagement=demo.engagement, section=row,
                    user_id=demo.users["demo-reviewer"].id)  # fmt: skip
    assert row.assignee_id == demo.users["demo-reviewer"].id
    with pytest.raises(ValidationFailed, match="撰写人无效"):
        drafting.assign(db, actor=lead, engagement=demo.engagement, section=row,
                        user_id=demo.users["demo-unit"].id)  # fmt: skip
    with pytest.raises(NotAllowed):
        drafting.assign(db, actor=demo.users["demo-evaluator"], engagement=demo.engagement,
                        section=row, user_id=None)  # fmt: skip
    assert row.assignee_id == demo.users["demo-reviewer"].id


def test_comments_are_plain_and_resolvable(db, demo):
    row = section(db, demo.engagement, "process")
    note = section_comments.add_comment(db, actor=demo.users["demo-reviewer"], engagement=demo.engagement,
                                section=row, body="  请补充现场核查学校名单<b>  ")  # fmt: skip
    assert note.body == "请补充现场核查学校名单<b>"
    with pytest.raises(ValidationFailed):
        section_comments.add_comment(db, actor=demo.users["demo-reviewer"], engagement=demo.engagement,
                             section=row, body=" ")  # fmt: skip
    views = drafting.ensure_sections(db, demo.engagement, "report")
    assert next(v for v in views if v.row.id == row.id).open_comments == 1
    section_comments.resolve_comment(db, actor=demo.users["demo-evaluator"], engagement=demo.engagement,
                             comment_id=note.id)  # fmt: skip
    assert db.get(SectionComment, note.id).resolved_at is not None
    with pytest.raises(Conflict, match="已处理"):
        section_comments.resolve_comment(db, actor=demo.users["demo-lead"], engagement=demo.engagement,
                                 comment_id=note.id)  # fmt: skip


def test_three_signoffs_by_different_people_in_order(db, demo):
    e, users = demo.engagement, demo.users
    with pytest.raises(Conflict, match="尚未编制签字"):
        signoffs.sign(db, actor=users["demo-reviewer"], engagement=e, level="review")
    signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    with pytest.raises(Conflict, match="不能重复签字"):
        signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    with pytest.raises(NotAllowed, match="复核人或项目负责人"):
        signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="review")
    signoffs.sign(db, actor=users["demo-lead"], engagement=e, level="review")
    with pytest.raises(Conflict, match="同一人不能在报告复核中担任两级签字"):
        signoffs.sign(db, actor=users["demo-lead"], engagement=e, level="approve")
    with pytest.raises(ValidationFailed):
        signoffs.sign(db, actor=users["demo-lead"], engagement=e, level="final")
    assert set(signoffs.active(db, e)) == {"prepare", "review"}
    row = signoffs.active(db, e)["prepare"]
    assert row.sections_hash == signoffs.sections_hash(db, e) and len(row.sections_hash) == 64


def test_edit_after_signoff_clears_later_ones_and_approval_locks(db, demo):
    e, users = demo.engagement, demo.users
    signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    signoffs.sign(db, actor=users["demo-reviewer"], engagement=e, level="review")
    row = section(db, e, "conclusion")
    # Asked first (issue 15): the refusal names the reviewer; the text and signatures stay.
    text, number = row.html, row.number
    for autosave in (False, True):
        with pytest.raises(Conflict) as refused:
            _save(db, demo, row, "<p>修改后的结论。</p>", autosave=autosave)
        assert refused.value.message.startswith(
            f"修改章节“综合评价情况及评价结论”将清除{users['demo-reviewer'].display_name}（复核人）的签字"
        )
    assert (row.html, row.number) == (text, number)
    assert set(signoffs.active(db, e)) == {"prepare", "review"}
    _save(db, demo, row, "<p>修改后的结论。</p>", confirm=True)
    assert set(signoffs.active(db, e)) == {"prepare"}
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "report.signoff.clear")).all()
    cleared = db.exec(select(ReportSignoff).where(ReportSignoff.level == "review")).all()
    assert cleared[-1].cleared_reason == "签字后修改了章节“综合评价情况及评价结论”"
    # The preparer's signature no longer matches the text: no higher level signs over it.
    for username, level in [("demo-reviewer", "review"), ("demo-lead", "approve")]:
        with pytest.raises(
            Conflict, match="编制签字后章节内容有修改，须由编制人核对后重新编制签字"
        ):
            signoffs.sign(db, actor=users[username], engagement=e, level=level)
    assert set(signoffs.active(db, e)) == {"prepare"}
    stale = signoffs.active(db, e)["prepare"]
    resigned = signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    assert resigned.id != stale.id and resigned.sections_hash == signoffs.sections_hash(db, e)
    assert stale.cleared_reason.startswith("签字后章节内容有修改")
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "report.sign").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["resigned"] is True and "重新签字" in entry.summary
    with pytest.raises(Conflict, match="您已作为编制人签字，不能重复签字"):  # current again
        signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    signoffs.sign(db, actor=users["demo-reviewer"], engagement=e, level="review")
    signoffs.sign(db, actor=users["demo-lead"], engagement=e, level="approve")
    with pytest.raises(Locked, match="已批准"):
        _save(db, demo, row, "<p>批准后再改</p>")
    with pytest.raises(Conflict, match="请先撤销批准签字"):
        signoffs.withdraw(db, actor=users["demo-reviewer"], engagement=e, level="review")
    signoffs.withdraw(db, actor=users["demo-lead"], engagement=e, level="approve")
    assert _save(db, demo, row, "<p>撤销批准后修改</p>", confirm=True)


def test_prepare_needs_every_section_written(db, demo):
    row = section(db, demo.engagement, "other")
    _save(db, demo, row, "")
    with pytest.raises(Conflict, match="以下章节尚未撰写") as error:
        signoffs.sign(db, actor=demo.users["demo-evaluator"], engagement=demo.engagement,
                      level="prepare")  # fmt: skip
    assert error.value.details == ["七、其他需要说明的问题"]


def test_sections_lock_while_under_review(db, demo, monkeypatch):
    monkeypatch.setattr(locks, "CHECKS", [lambda _db, _e, kind: f"{kind}已提交委托方审核"])
    row = section(db, demo.engagement, "overview")
    with pytest.raises(Locked, match="report已提交委托方审核"):
        _save(db, demo, row, "<p>审核中修改</p>")
    plan = section(db, demo.engagement, "scope", "plan")
    with pytest.raises(Locked, match="plan已提交委托方审核"):
        _save(db, demo, plan, "<p>审核中修改</p>")


def test_report_gate_lists_missing_sections_and_signoffs(db, demo):
    e = demo.engagement
    row = section(db, e, "goals")
    _save(db, demo, row, "")
    texts = [b.text for b in gates.report_gate(db, e)]
    assert texts == [
        "报告章节尚未撰写：一、基本情况 （二）项目绩效目标",
        "评价报告尚未编制签字（编制人）",
        "评价报告尚未复核签字（复核人）",
        "评价报告尚未批准签字（项目负责人）",
    ]
    write_all(db, e, demo.users["demo-evaluator"])
    sign_three(db, demo)
    assert gates.report_gate(db, e) == []
    assert flow.blockers_for(db, e, Stage.report) == []
