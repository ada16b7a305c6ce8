"""Route × role expectations of the fieldwork pages and API (tests/test_permission_matrix)."""

from sqlmodel import select

from tests.permissions_roles import (
    ADMIN,
    ANY_ADMIN,
    ANY_AGENCY,
    INTERNAL,
    MANAGE,
    PUBLIC,
    TEAM,
    each_role,
)
from workbench.core import storage
from workbench.fieldwork import papers, requests, review
from workbench.fieldwork.models import Evidence, Finding, PaperTemplate
from workbench.fieldwork.request_models import DocumentRequest
from workbench.fieldwork.spec import field_templates_example, load_yaml, parse_template

UNIT = {"unit"}

EXPECTED = {
    "fieldwork.papers_list": INTERNAL,
    "fieldwork.papers_index_export": INTERNAL,
    "fieldwork.findings_list": INTERNAL,
    "fieldwork.findings_export": INTERNAL,
    "fieldwork.paper_new": TEAM,
    "fieldwork.paper_show": INTERNAL,
    "fieldwork.paper_edit": TEAM,
    "fieldwork.paper_delete": TEAM,
    "fieldwork.paper_export": INTERNAL,
    "fieldwork.binder_page": INTERNAL,
    "fieldwork.binder_zip": INTERNAL,
    "fieldwork.paper_sign": TEAM,
    "fieldwork.paper_return": TEAM,
    "fieldwork.note_add": TEAM,
    # The note's author (demo-reviewer) and the second-level reviewers; the service refuses the
    # evaluator, who wrote nothing in the thread.
    "fieldwork.note_resolve": {"admin", "lead", "reviewer"},
    "fieldwork.note_reopen": {"admin", "lead", "reviewer"},
    "fieldwork.finding_add": TEAM,
    "fieldwork.finding_delete": TEAM,
    "fieldwork.evidence_upload": TEAM,
    "fieldwork.evidence_list": INTERNAL,
    "fieldwork.evidence_upload_loose": TEAM,
    "fieldwork.evidence_download": INTERNAL,
    "fieldwork.evidence_delete": TEAM,
    "fieldwork.requests_list": INTERNAL | UNIT,
    "fieldwork.requests_export": INTERNAL | UNIT,
    "fieldwork.request_new": MANAGE,
    "fieldwork.request_show": INTERNAL | UNIT,
    "fieldwork.request_add_items": MANAGE,
    "fieldwork.request_import": MANAGE,
    "fieldwork.request_import_confirm": MANAGE,
    "fieldwork.request_import_template": MANAGE,
    "fieldwork.request_send": MANAGE,
    "fieldwork.request_link": MANAGE,
    "fieldwork.request_revoke": MANAGE,
    "fieldwork.item_status": MANAGE,
    "fieldwork.item_upload": TEAM | UNIT,
    "fieldwork.link_page": PUBLIC,
    "fieldwork.link_upload": PUBLIC,
    "fieldwork.templates": ANY_ADMIN,
    "fieldwork.template_new": ANY_ADMIN,
    "fieldwork.template_upload": ANY_ADMIN,
    "fieldwork.template_edit": ADMIN,
    "fieldwork.template_active": ADMIN,
    "fieldwork.template_yaml": ANY_AGENCY,
    "fieldwork.stage_papers_page": ANY_ADMIN,
    "fieldwork.save_stage_papers": ANY_ADMIN,
    "api.list_workpaper_templates_get": ANY_AGENCY,
    "api.list_workpapers_get": INTERNAL,
    "api.create_workpaper_post": TEAM,
    "api.get_workpaper_get": INTERNAL,
    "api.sign_workpaper_post": TEAM,
    "api.upload_workpaper_evidence_post": TEAM,
    # As the 资料清单 pages: a unit contact lists and opens only what was sent to them.
    "api.list_document_requests_get": INTERNAL | UNIT,
    "api.create_document_request_post": MANAGE,
    "api.get_document_request_get": INTERNAL | UNIT,
    "api.add_request_items_post": MANAGE,
    "api.send_document_request_post": MANAGE,
    "api.set_request_item_status_post": MANAGE,
    "api.upload_request_item_files_post": TEAM | UNIT,
    # As the 问题清单 page and the paper page's findings form.
    "api.list_engagement_findings_get": INTERNAL,
    "api.record_paper_finding_post": TEAM,
    # As the 佐证材料 page and its download: whoever reads the papers.
    "api.list_engagement_evidence_get": INTERNAL,
    "api.list_workpaper_evidence_get": INTERNAL,
    "api.get_evidence_get": INTERNAL,
    "api.download_evidence_get": INTERNAL,
    # One finding: read as the 问题清单, deleted as on the paper page.
    "api.get_finding_get": INTERNAL,
    "api.delete_finding_delete": TEAM,
}


def params(db, demo) -> dict:
    """A paper with a note, a finding and an evidence row; a request sent to demo-unit; a link."""
    engagement, users = demo.engagement, demo.users
    evaluator, lead = users["demo-evaluator"], users["demo-lead"]
    paper = papers.create_paper(
        db, actor=evaluator, engagement=engagement, template_key="site_visit", title="矩阵底稿"
    )
    note = review.add_note(
        db, actor=users["demo-reviewer"], engagement=engagement, paper=paper, text="意见"
    )
    finding = Finding(paper_id=paper.id, text="发现", created_by_id=evaluator.id)
    sha = storage.store(db, b"%PDF-1.4 matrix", mime="application/pdf").sha256
    evidence = Evidence(
        engagement_id=engagement.id, paper_id=paper.id, sha256=sha, name="a.pdf", extension="pdf",
        mime="application/pdf", size=4, uploaded_by_id=evaluator.id,
    )  # fmt: skip
    db.add_all([finding, evidence])
    sent = requests.create_request(
        db, actor=lead, engagement=engagement, title="矩阵清单", items=[requests.ItemInput("资料")]
    )
    requests.send_request(
        db, actor=lead, engagement=engagement, request=sent, contact_user_id=users["demo-unit"].id
    )
    linked = requests.create_request(
        db, actor=lead, engagement=engagement, title="链接清单", items=[requests.ItemInput("资料")]
    )
    token = requests.create_link(db, actor=lead, engagement=engagement, request=linked, days=5)
    template = db.exec(
        select(PaperTemplate).where(PaperTemplate.agency_id == engagement.agency_id)
    ).first()
    if template is None:
        spec = parse_template(load_yaml(field_templates_example()))
        template = PaperTemplate(
            agency_id=engagement.agency_id, key=spec.key, name=spec.name, stage=spec.stage,
            area=spec.area, spec=spec.as_dict(),
        )  # fmt: skip
        db.add(template)
    db.flush()
    return {
        "paper_id": paper.id,
        "wid": paper.id,
        "note_id": note.id,
        "finding_id": finding.id,
        "evidence_id": evidence.id,
        "request_id": sent.id,
        "rid": sent.id,
        "request_item_id": requests.items_of(db, [sent.id])[sent.id][0].id,
        "request_token": token,
        "paper_template_id": template.id,
        "template_key": "site_visit",
    }


def endpoint_params(db, demo) -> dict:
    """Fresh objects for the calls that use theirs up: a note per call, a link per call."""
    engagement, users = demo.engagement, demo.users
    lead, reviewer = users["demo-lead"], users["demo-reviewer"]
    paper = papers.create_paper(
        db, actor=users["demo-evaluator"], engagement=engagement, template_key="site_visit",
        title="矩阵复核底稿",
    )  # fmt: skip

    def note(resolved: bool):
        def for_role(role: str) -> int:
            row = review.add_note(
                db, actor=reviewer, engagement=engagement, paper=paper, text=f"{role}的意见"
            )
            if resolved:
                review.set_note_status(
                    db, actor=reviewer, engagement=engagement, paper=paper, note_id=row.id,
                    resolved=True,
                )  # fmt: skip
            db.flush()
            return row.id

        return for_role

    def linked(role: str) -> int:
        request = requests.create_request(
            db, actor=lead, engagement=engagement, title=f"{role}链接清单",
            items=[requests.ItemInput("资料")],
        )  # fmt: skip
        requests.create_link(db, actor=lead, engagement=engagement, request=request, days=5)
        db.flush()
        return request.id

    def finding(role: str) -> int:
        row = Finding(paper_id=paper.id, text=f"{role}的发现", created_by_id=lead.id)
        db.add(row)
        db.flush()
        return row.id

    link = db.exec(
        select(DocumentRequest).where(
            DocumentRequest.engagement_id == engagement.id, DocumentRequest.title == "链接清单"
        )
    ).first()
    sent = db.exec(
        select(DocumentRequest).where(
            DocumentRequest.engagement_id == engagement.id, DocumentRequest.title == "矩阵清单"
        )
    ).first()
    sent_item = requests.items_of(db, [sent.id])[sent.id][0].id
    return {
        "fieldwork.note_resolve": {
            "paper_id": paper.id,
            "note_id": each_role(note(resolved=False)),
        },
        "fieldwork.note_reopen": {"paper_id": paper.id, "note_id": each_role(note(resolved=True))},
        "fieldwork.request_revoke": {"request_id": each_role(linked)},
        "fieldwork.link_upload": {
            "request_item_id": requests.items_of(db, [link.id])[link.id][0].id
        },
        # item_id names a review item elsewhere (tests/review/permissions.py): here, the sent one's.
        "api.set_request_item_status_post": {"item_id": sent_item},
        "api.upload_request_item_files_post": {"item_id": sent_item},
        "api.delete_finding_delete": {"finding_id": each_role(finding)},
    }
