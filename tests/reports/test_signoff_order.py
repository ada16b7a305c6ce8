"""Sign-off order over HTTP: no higher level signs while a lower one is flagged "签字后章节内容有修改";
the holder re-signs from the page (issue 15 item 4)."""

from __future__ import annotations

from sqlmodel import func, select

from tests.reports.report_helpers import section
from workbench.reports.models import ReportSignoff
from workbench.reports.services import sections as drafting
from workbench.reports.services import signoffs


def test_the_page_refuses_signing_over_an_edited_lower_level(db, demo, login):
    e, users = demo.engagement, demo.users
    base = f"/engagements/{e.id}"
    signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    row = section(db, e, "conclusion")
    drafting.save_section(
        db, actor=users["demo-evaluator"], engagement=e, section=row,
        content="<p>签字后又改了结论。</p>", version=row.version,
    )  # fmt: skip
    db.flush()
    reviewer = login("demo-reviewer")
    page = reviewer.get(f"{base}/report").get_data(as_text=True)
    assert "签字后章节内容有修改" in page
    assert "编制签字后章节内容有修改，须编制人核对后重新签字，才能复核签字" in page
    assert 'id="sign-review"' not in page
    refused = reviewer.post(
        f"{base}/report/signoffs", data={"level": "review"}, follow_redirects=True
    )
    assert "编制签字后章节内容有修改" in refused.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(ReportSignoff).where(
        ReportSignoff.engagement_id == e.id, ReportSignoff.level == "review")).one() == 0  # fmt: skip

    preparer = login("demo-evaluator")
    page = preparer.get(f"{base}/report").get_data(as_text=True)
    assert 'id="resign-prepare"' in page
    again = preparer.post(
        f"{base}/report/signoffs", data={"level": "prepare"}, follow_redirects=True
    )
    assert "已编制签字" in again.get_data(as_text=True)
    page = reviewer.get(f"{base}/report").get_data(as_text=True)
    assert 'id="sign-review"' in page and "须编制人核对后重新签字" not in page
    assert reviewer.post(f"{base}/report/signoffs", data={"level": "review"}).status_code == 302
    assert set(signoffs.active(db, e)) == {"prepare", "review"}


def test_editing_a_reviewed_report_section_asks_first(db, demo, login):
    from workbench.core.audit import AuditEntry

    e, users = demo.engagement, demo.users
    signoffs.sign(db, actor=users["demo-evaluator"], engagement=e, level="prepare")
    signoffs.sign(db, actor=users["demo-reviewer"], engagement=e, level="review")
    row = section(db, e, "conclusion")
    db.flush()
    url = f"/engagements/{e.id}/sections/{row.id}"
    who = f"{users['demo-reviewer'].display_name}（复核人）"
    writer = login("demo-evaluator")
    page = writer.get(url).get_data(as_text=True)
    warning = page.split('id="clear-warning"')[1].split("</div></div>")[0]
    assert f"修改本章节将清除{who}的签字" in warning and 'name="confirm_clear_signoffs"' in warning
    text = row.html
    refused = writer.post(
        url, data={"content": "<p>改了结论。</p>", "version": row.version}, follow_redirects=True
    )
    assert f"将清除{who}的签字" in refused.get_data(as_text=True)
    auto = writer.post(
        f"{url}/autosave",
        json={"content": "<p>改了</p>", "version": row.version},
        headers={"Accept": "application/json"},  # as the editor's script asks
    )
    assert auto.status_code == 409 and who in auto.get_json()["error"]
    db.expire_all()
    assert row.html == text and set(signoffs.active(db, e)) == {"prepare", "review"}
    done = writer.post(
        f"{url}/autosave",
        json={
            "content": "<p>改了结论。</p>",
            "version": row.version,
            "confirm_clear_signoffs": True,
        },
        headers={"Accept": "application/json"},
    )
    assert done.status_code == 200 and done.get_json()["changed"] is True
    db.expire_all()
    assert set(signoffs.active(db, e)) == {"prepare"}
    cleared = db.exec(select(AuditEntry).where(AuditEntry.action == "report.signoff.clear")).all()
    assert cleared and cleared[-1].actor_id == users["demo-evaluator"].id
