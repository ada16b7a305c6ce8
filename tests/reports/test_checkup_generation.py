"""报告体检 before generation: errors stop the 送审稿 and 正式稿, warnings need the lead's acknowledgement."""

import pytest
from sqlmodel import select

from workbench.core.errors import Conflict
from workbench.reports import services
from workbench.reports.checkup_models import ReportCheck
from workbench.reports.models import DeliverableVersion
from workbench.reports.services import checkup as checkups


def count_versions(db, engagement):
    return len(db.exec(select(DeliverableVersion).where(
        DeliverableVersion.engagement_id == engagement.id)).all())  # fmt: skip


def test_errors_block_the_version_sent_for_review_and_nothing_is_written(ctx, db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    before = count_versions(db, e)
    with pytest.raises(Conflict) as error:
        services.generate(db, actor=lead, engagement=e, kind="report", label="送审稿")
    assert (
        error.value.message.startswith("报告体检发现") and "不能生成送审稿" in error.value.message
    )
    assert "综合评分：评分结果尚未经项目负责人签字确认" in error.value.details
    assert count_versions(db, e) == before


def test_a_draft_is_generated_with_its_findings(ctx, db, demo):
    e, lead = demo.engagement, demo.users["demo-lead"]
    version = services.generate(db, actor=lead, engagement=e, kind="report", label="初稿")
    row = db.exec(select(ReportCheck).where(ReportCheck.version_id == version.id)).one()
    result = checkups.run(db, e)
    assert (row.errors, row.warnings) == (len(result.errors), len(result.warnings))
    assert row.acknowledged_by_id is None


def test_warnings_need_the_acknowledgement_which_goes_with_the_version(ctx, db, demo, monkeypatch):
    e, lead = demo.engagement, demo.users["demo-lead"]
    real = checkups.run

    def warnings_only(db_, engagement):
        result = real(db_, engagement)
        result.findings = result.warnings
        return result

    monkeypatch.setattr(checkups, "run", warnings_only)
    with pytest.raises(Conflict, match="尚未经项目负责人确认，不能生成正式稿"):
        services.generate(db, actor=lead, engagement=e, kind="report", label="正式稿")
    with pytest.raises(Conflict, match="体检结果已变化"):
        checkups.acknowledge(db, actor=lead, engagement=e, fingerprint="0" * 64)
    evaluator = demo.users["demo-evaluator"]
    fingerprint = checkups.run(db, e).fingerprint
    with pytest.raises(Exception, match="只能由项目负责人"):
        checkups.acknowledge(db, actor=evaluator, engagement=e, fingerprint=fingerprint)
    checkups.acknowledge(db, actor=lead, engagement=e, fingerprint=fingerprint)
    version = services.generate(db, actor=lead, engagement=e, kind="report", label="正式稿")
    row = db.exec(select(ReportCheck).where(ReportCheck.version_id == version.id)).one()
    assert (row.errors, row.acknowledged_by_id) == (0, lead.id)
    assert row.warnings == len(row.findings) > 0
