"""Route × role expectations of the reports pages and API (read by tests/test_permission_matrix.py)."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import (
    ADMIN,
    ANY_ADMIN,
    INTERNAL,
    MANAGE,
    TEAM,
    each_role,
    for_roles,
    fresh_engagement,
)

UNIT = {"unit"}

EXPECTED = {
    "reports.plan": INTERNAL,
    "reports.plan_settings": TEAM,
    "reports.plan_schedule": TEAM,
    "reports.report": INTERNAL,
    "reports.internal_sections": MANAGE,
    "reports.generate_public": MANAGE,
    "reports.sign": TEAM,
    "reports.withdraw": TEAM,
    "reports.checkup_card": INTERNAL,
    "reports.acknowledge_checkup": MANAGE,
    "reports.section": INTERNAL,
    "reports.save_section": INTERNAL,
    "reports.autosave": INTERNAL,
    "reports.restore": INTERNAL,
    "reports.assign": MANAGE,
    "reports.comment": INTERNAL,
    "reports.resolve": INTERNAL,
    "reports.section_diff": INTERNAL,
    "reports.generate": TEAM,
    "reports.download": INTERNAL,
    "reports.convert_pdf": TEAM,
    "reports.download_pdf": INTERNAL,
    "reports.pdf_status": INTERNAL,
    "reports.compare": INTERNAL,
    "reports.job_status": INTERNAL,
    "reports.consultation_page": TEAM,
    "reports.send": MANAGE,
    "reports.no_opinions": MANAGE,
    "reports.answer": TEAM,
    "reports.feedback": UNIT,
    "reports.feedback_draft": UNIT,
    "reports.add_opinion": UNIT,
    "reports.edit_opinion": UNIT,
    "reports.complete": UNIT,
    "api.generate_document_post": TEAM,
    "api.list_documents_get": TEAM,
    "api.acknowledge_report_check_post": MANAGE,  # as reports.acknowledge_checkup
    # workbench/api/report_sections.py: the drafting pages' predicates
    "api.list_plan_sections_get": INTERNAL,  # as reports.plan
    "api.list_report_sections_get": INTERNAL,  # as reports.report
    "api.get_report_section_get": INTERNAL,  # as reports.section
    "api.put_report_section_put": INTERNAL,  # as reports.save_section
    "api.get_report_signoffs_get": INTERNAL,  # as reports.report
    "api.sign_report_post": TEAM,  # as reports.sign
    "api.withdraw_report_signoff_post": TEAM,  # as reports.withdraw
    # workbench/api/consultation.py: the consultation pages' predicates
    "api.get_consultation_get": TEAM,  # as reports.consultation_page
    "api.send_consultation_post": MANAGE,  # as reports.send
    "api.record_no_opinions_post": MANAGE,  # as reports.no_opinions
    "api.list_opinions_get": TEAM,  # as reports.consultation_page
    "api.get_opinion_get": TEAM,  # as reports.consultation_page
    "api.answer_opinion_put": TEAM,  # as reports.answer
    "api.list_feedback_opinions_get": UNIT,  # as reports.feedback
    "api.add_feedback_opinion_post": UNIT,  # as reports.add_opinion
    "api.put_feedback_opinion_put": UNIT,  # as reports.edit_opinion
    "api.delete_feedback_opinion_delete": UNIT,  # as reports.edit_opinion (delete)
    "api.complete_feedback_post": UNIT,  # as reports.complete
    # Each admin sets its own agency's outlines; a profile is the demo agency's.
    "reports.outline_profiles_page": ANY_ADMIN,
    "reports.withdraw_outline_profile": ADMIN,
}


def params(db, demo) -> dict:
    """A report section, a stored-looking version, a consultation round with one opinion."""
    from workbench.core import storage
    from workbench.reports.models import (
        Consultation,
        DeliverableVersion,
        GenerationJob,
        Opinion,
        ReportSection,
    )

    engagement = demo.engagement
    section = db.exec(
        select(ReportSection).where(
            ReportSection.engagement_id == engagement.id, ReportSection.deliverable == "report"
        )
    ).first()
    sha = storage.store(db, b"matrix report file").sha256
    version = DeliverableVersion(
        engagement_id=engagement.id,
        kind="report",
        number=900,
        label="征求意见稿",
        sha256=sha,
        filename="matrix.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=1,
        stage=engagement.stage,
    )
    db.add(version)
    db.flush()
    round_ = Consultation(
        engagement_id=engagement.id,
        deliverable_version_id=version.id,
        recipient_id=demo.users["demo-unit"].id,
        sent_by_id=demo.users["demo-lead"].id,
    )
    db.add(round_)
    db.flush()
    opinion = Opinion(
        consultation_id=round_.id,
        engagement_id=engagement.id,
        number=1,
        content="建议补充数据来源。",
        created_by_id=demo.users["demo-unit"].id,
    )
    db.add(opinion)
    db.flush()
    from workbench.reports.outline_models import OutlineProfile
    from workbench.reports.outlines import shipped_source

    profile = OutlineProfile(
        agency_id=engagement.agency_id,
        bureau_id=engagement.bureau_id,
        engagement_type=engagement.type,
        version=1,
        name="矩阵测试提纲",
        source=shipped_source(engagement.type),
        sha256="0" * 64,
    )
    db.add(profile)
    job = GenerationJob(
        engagement_id=engagement.id, kind="report", requested_by_id=demo.users["demo-lead"].id
    )
    db.add(job)
    db.flush()
    return {
        "section_id": section.id,
        "version_id": version.id,
        "opinion_id": opinion.id,
        "kind": "score_sheet",
        "job_id": job.id,
        "profile_id": profile.id,
    }


def endpoint_params(db, demo) -> dict:
    """A plan section assigned to the demo expert, versions to compare, a version per PDF call."""
    from workbench.core import storage
    from workbench.reports.models import Consultation, DeliverableVersion, ReportSection
    from workbench.reports.services import sections as drafting

    engagement, lead = demo.engagement, demo.users["demo-lead"]
    section = db.exec(
        select(ReportSection).where(
            ReportSection.engagement_id == engagement.id, ReportSection.deliverable == "plan"
        )
    ).first()
    drafting.assign(
        db, actor=lead, engagement=engagement, section=section, user_id=demo.users["demo-expert"].id
    )
    numbers = iter(range(910, 1000))

    def version(role: str = "") -> int:
        blob = storage.store(db, f"matrix docx {role}".encode())
        row = DeliverableVersion(
            engagement_id=engagement.id, kind="report", number=next(numbers), sha256=blob.sha256,
            filename="matrix.docx", size=blob.size, stage=engagement.stage,
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            sections={"overview": {"title": "概况", "html": f"<p>{role}</p>"}},
        )  # fmt: skip
        db.add(row)
        db.flush()
        return row.id

    older, newer = version("older"), version("newer")
    converted = db.get(DeliverableVersion, version("converted"))
    converted.pdf_sha256 = storage.store(db, b"%PDF-1.4 matrix", mime="application/pdf").sha256
    db.add(converted)
    db.flush()

    def open_round(role: str) -> int:
        """An engagement with a consultation round sent to the demo unit and no opinion yet."""
        other = fresh_engagement(db, demo, f"{role}征求意见")
        blob = storage.store(db, f"matrix consultation {role}".encode())
        draft = DeliverableVersion(
            engagement_id=other.id, kind="report", number=1, label="征求意见稿",
            sha256=blob.sha256, filename="matrix.docx", size=blob.size, stage=other.stage,
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )  # fmt: skip
        db.add(draft)
        db.flush()
        db.add(
            Consultation(
                engagement_id=other.id, deliverable_version_id=draft.id,
                recipient_id=demo.users["demo-unit"].id, sent_by_id=lead.id,
            )
        )  # fmt: skip
        db.flush()
        return other.id

    def unit_opinion(role: str) -> int:
        """An opinion of the demo unit's in the demo's open round, for the API to delete."""
        from workbench.reports import consultation

        row = consultation.add_opinion(
            db, actor=demo.users["demo-unit"], engagement=engagement, reference="",
            content=f"{role}删除的意见",
        )  # fmt: skip
        db.flush()
        return row.id

    return {
        # The API's calls sort before the pages': the unit completes a round of its own and
        # deletes an opinion of its own (the demo's stays for the pages).
        "api.complete_feedback_post": {"id": open_round("unit-api")},
        "api.delete_feedback_opinion_delete": {"opinion_id": for_roles(UNIT, unit_opinion)},
        # Recording "no opinions" closes the round: each manager records it on a round of its own
        # (the demo's round has an opinion). The unit completes its feedback on another round, so
        # the demo's stays open for adding and editing opinions.
        "reports.no_opinions": {"engagement_id": for_roles(MANAGE, open_round)},
        "reports.complete": {"engagement_id": open_round("unit")},
        # The report is under the bureau's review (tests/review's submission): draft the plan.
        "reports.save_section": {"section_id": section.id},
        "reports.autosave": {"section_id": section.id},
        "reports.compare": {"?": f"a={older}&b={newer}"},
        "reports.convert_pdf": {"version_id": each_role(version)},
        "reports.download_pdf": {"version_id": converted.id},
    }
