"""Route × role expectations of the reports pages and API (read by tests/test_permission_matrix.py)."""

from __future__ import annotations

from sqlmodel import select

from tests.permissions_roles import ADMIN, ANY_ADMIN, INTERNAL, MANAGE, TEAM

UNIT = {"unit"}

EXPECTED = {
    "reports.plan": INTERNAL,
    "reports.plan_settings": TEAM,
    "reports.plan_schedule": TEAM,
    "reports.report": INTERNAL,
    "reports.ex_ante_conclusion": TEAM,
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
    # Each admin sets its own agency's outlines; a profile is the demo agency's.
    "reports.outline_profiles_page": ANY_ADMIN,
    "reports.withdraw_outline_profile": ADMIN,
}


def params(db, demo) -> dict:
    """A report section, a stored-looking version, a consultation round with one opinion."""
    from workbench.core.storage import Blob
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
    sha = "ab" * 32
    if db.get(Blob, sha) is None:
        db.add(Blob(sha256=sha, size=1, mime="application/octet-stream"))
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
