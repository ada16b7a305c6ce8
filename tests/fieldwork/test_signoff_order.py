"""Sign-off order on working papers and actions that clear signatures (issue 15 item 4): no
higher level signs over an edited lower one; an upload to a signed paper names whose signatures
it clears and needs an explicit yes (page checkbox, API flag)."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlmodel import func, select

from tests.fieldwork.helpers import PDF, signed_paper
from workbench.core.errors import Conflict
from workbench.fieldwork import evidence, review
from workbench.fieldwork.models import Evidence
from workbench.fieldwork.review_rules import Level, Status, sign_refusal


def _refusal(level, *, stale=(), signers=None, user_id=3, status=Status.prepared):
    return sign_refusal(
        level=level, status=status, signers=signers or {Level.prepare: 1}, user_id=user_id,
        may_review=True, may_approve=True, stale=set(stale),
    )  # fmt: skip


def test_pure_rule_stale_lower_levels_block_and_their_holder_re_signs():
    assert _refusal(Level.review) is None
    refused = _refusal(Level.review, stale={Level.prepare})
    assert refused.kind == "conflict" and refused.message.startswith("编制签字后底稿内容有修改")
    assert _refusal(Level.prepare, stale={Level.prepare}, user_id=1) is None  # the holder
    other = _refusal(Level.prepare, stale={Level.prepare}, user_id=3)
    assert other.kind == "conflict" and "须由原编制人核对后重新签字" in other.message
    same = _refusal(Level.prepare, user_id=1)  # not stale: still a duplicate
    assert same.message == "您已作为编制人在本底稿上签字，不能重复签字"
    approve = _refusal(
        Level.approve, stale={Level.review}, status=Status.reviewed,
        signers={Level.prepare: 1, Level.review: 2},
    )  # fmt: skip
    assert "复核签字后底稿内容有修改" in approve.message


def _count(db, paper) -> int:
    return db.exec(
        select(func.count()).select_from(Evidence).where(Evidence.paper_id == paper.id)
    ).one()


def test_upload_to_an_approved_paper_asks_first(db, demo, ctx):
    paper = signed_paper(db, demo)
    assert paper.status == "approved"
    with pytest.raises(Conflict) as error:
        evidence.upload(
            db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, paper=paper,
            files=[("补充.pdf", PDF)], max_mb=5,
        )  # fmt: skip
    message = error.value.message
    assert (
        "上传佐证材料将清除" in message and "（复核人）" in message and "（项目负责人）" in message
    )
    reviewer, lead = demo.users["demo-reviewer"], demo.users["demo-lead"]
    assert reviewer.display_name in message and lead.display_name in message
    assert _count(db, paper) == 0 and paper.status == "approved"  # nothing written
    evidence.upload(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, paper=paper,
        files=[("补充.pdf", PDF)], max_mb=5, confirm_clear=True,
    )  # fmt: skip
    assert _count(db, paper) == 1 and paper.status == "prepared" and paper.edited_after_review


def test_upload_to_a_prepared_paper_needs_no_confirmation(db, demo, ctx):
    paper = signed_paper(db, demo, levels=("prepare",))
    evidence.upload(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, paper=paper,
        files=[("补充.pdf", PDF)], max_mb=5,
    )  # fmt: skip
    assert _count(db, paper) == 1


def test_the_page_names_the_signatures_and_needs_the_tick(db, demo, login, ctx):
    paper = signed_paper(db, demo)
    base = f"/engagements/{demo.engagement.id}/papers/{paper.id}"
    client = login("demo-evaluator")
    page = client.get(base).get_data(as_text=True)
    assert 'id="clear-warning"' in page and 'name="confirm_clear_signoffs"' in page
    assert f"{demo.users['demo-reviewer'].display_name}（复核人）" in page
    refused = client.post(
        f"{base}/evidence", data={"files": [(BytesIO(PDF), "补充.pdf")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "上传佐证材料将清除" in refused.get_data(as_text=True) and _count(db, paper) == 0
    done = client.post(
        f"{base}/evidence",
        data={"files": [(BytesIO(PDF), "补充.pdf")], "confirm_clear_signoffs": "y"},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "已上传 1 个文件" in done.get_data(as_text=True) and _count(db, paper) == 1
    db.refresh(paper)
    assert paper.status == "prepared"
    # The preparer is now offered the re-sign; the reviewer is told to wait for it.
    assert 'id="resign-prepare"' in client.get(base).get_data(as_text=True)
    hint = login("demo-reviewer").get(base).get_data(as_text=True)
    assert "编制签字后底稿内容有修改，须由编制人核对后重新签字，才能复核" in hint


def test_the_api_requires_the_explicit_flag(db, demo, client, token_for, ctx):
    paper = signed_paper(db, demo)
    headers = token_for(demo.users["demo-evaluator"])
    url = f"/api/v1/workpapers/{paper.id}/evidence"
    refused = client.post(
        url, data={"files": (BytesIO(PDF), "补充.pdf")}, headers=headers,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 409 and "上传佐证材料将清除" in refused.get_json()["error"]
    bad = client.post(
        url, data={"files": (BytesIO(PDF), "补充.pdf"), "confirm_clear_signoffs": "也许"},
        headers=headers, content_type="multipart/form-data",
    )  # fmt: skip
    assert bad.status_code == 422 and _count(db, paper) == 0
    done = client.post(
        url, data={"files": (BytesIO(PDF), "补充.pdf"), "confirm_clear_signoffs": "true"},
        headers=headers, content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    assert body["cleared_levels"] == ["approve", "review"] and body["paper_status"] == "prepared"
    assert body["items"][0]["name"] == "补充.pdf"
    # And the reviewer cannot sign over the preparer's now stale signature.
    review_try = client.post(
        f"/api/v1/workpapers/{paper.id}/signoffs", json={"level": "review"},
        headers=token_for(demo.users["demo-reviewer"]),
    )  # fmt: skip
    assert (
        review_try.status_code == 409
        and "编制签字后底稿内容有修改" in review_try.get_json()["error"]
    )
    assert review.active_signoffs(db, [paper.id])[paper.id].keys() == {Level.prepare}


def _audited(db, paper) -> list[str]:
    from workbench.core.audit import AuditEntry

    return db.exec(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "working_paper", AuditEntry.object_id == paper.id
        )
    ).all()


def _names(demo) -> tuple[str, str]:
    return (
        f"{demo.users['demo-reviewer'].display_name}（复核人）",
        f"{demo.users['demo-lead'].display_name}（项目负责人）",
    )


def test_editing_an_approved_paper_on_the_page_asks_first(db, demo, login, ctx):
    paper = signed_paper(db, demo)
    url = f"/engagements/{demo.engagement.id}/papers/{paper.id}/edit"
    client = login("demo-evaluator")
    page = client.get(url).get_data(as_text=True)
    warning = page.split('id="clear-warning"')[1].split("</div></div>")[0]
    assert "保存对内容的修改将清除" in warning and all(n in warning for n in _names(demo))
    assert 'name="confirm_clear_signoffs"' in warning
    form = {
        "title": paper.title,
        "version": str(paper.version),
        "assignee_id": 0,
        "f-site": "第一中心小学",
        "f-visit_date": "2025-03-08",
        "f-summary": "补充：食堂账目未单独核算",
    }
    refused = client.post(url, data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "保存对底稿的修改将清除" in text
    assert all(n in text for n in _names(demo))
    db.refresh(paper)
    assert paper.status == "approved" and paper.values["summary"] == "运行规范"
    assert "working_paper.signoffs_cleared" not in _audited(db, paper)
    done = client.post(url, data={**form, "confirm_clear_signoffs": "y"})
    assert done.status_code == 302
    db.refresh(paper)
    assert paper.status == "prepared" and paper.values["summary"] == "补充：食堂账目未单独核算"
    assert review.active_signoffs(db, [paper.id])[paper.id].keys() == {Level.prepare}
    assert "working_paper.signoffs_cleared" in _audited(db, paper)


def test_recording_and_deleting_a_finding_on_an_approved_paper_ask_first(db, demo, login, ctx):
    from workbench.fieldwork.models import Finding

    paper = signed_paper(db, demo)
    base = f"/engagements/{demo.engagement.id}/papers/{paper.id}"
    client = login("demo-evaluator")
    page = client.get(base).get_data(as_text=True)
    warning = page.split('id="finding-clear-warning"')[1].split("</div></div>")[0]
    assert "记录发现的问题将清除" in warning and all(n in warning for n in _names(demo))
    finding = {"text": "3所学校食堂账目未单独核算", "kind": "observation", "indicator_id": 0}
    refused = client.post(f"{base}/findings", data=finding, follow_redirects=True)
    assert "记录发现的问题将清除" in refused.get_data(as_text=True)
    count = select(func.count()).select_from(Finding).where(Finding.paper_id == paper.id)
    assert db.exec(count).one() == 0
    db.refresh(paper)
    assert paper.status == "approved"
    client.post(f"{base}/findings", data={**finding, "confirm_clear_signoffs": "y"})
    db.refresh(paper)
    assert db.exec(count).one() == 1 and paper.status == "prepared"
    assert "working_paper.signoffs_cleared" in _audited(db, paper)
    # Signed again up to approval: deleting the finding asks first too.
    for level, who in (("prepare", "demo-evaluator"), ("review", "demo-reviewer"), ("approve", "demo-lead")):  # fmt: skip
        review.sign(db, actor=demo.users[who], engagement=demo.engagement, paper=paper, level=level)
    page = client.get(base).get_data(as_text=True)
    assert "删除这条发现将清除" in page
    finding_id = db.exec(select(Finding.id).where(Finding.paper_id == paper.id)).one()
    url = f"{base}/findings/{finding_id}/delete"
    refused = client.post(url, data={"confirm": "1"}, follow_redirects=True)
    assert "删除发现的问题将清除" in refused.get_data(as_text=True)
    assert db.exec(count).one() == 1
    client.post(url, data={"confirm": "1", "confirm_clear_signoffs": "1"})
    db.refresh(paper)
    assert db.exec(count).one() == 0 and paper.status == "prepared"
