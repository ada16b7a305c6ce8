"""The lead acknowledges the report check's warnings through the API (issue 21).

The same service as the 报告体检 panel's 确认 button (`reports.services.checkups.acknowledge`):
the lead confirms exactly the warnings the client read (their fingerprint from GET
.../report-check); a 送审稿 or 正式稿 is generated only when the current warnings are acknowledged.
"""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.report_check_schemas import CheckAcknowledgementIn, CheckAcknowledgementOut
from workbench.core.permissions import guarded_object, requires
from workbench.reports.services import checkups


@operation(
    "/engagements/{id}/report-check/acknowledgement",
    "POST",
    summary=(
        "项目负责人确认报告体检的警告 {fingerprint}（取自 GET report-check）：确认后方可生成"
        "送审稿、正式稿；体检结果已变化（fingerprint 不符）或当前没有警告时 409"
    ),
    body=CheckAcknowledgementIn,
    response=CheckAcknowledgementOut,
    status=201,
    tag="reports",
)
@requires("engagement.manage", load=load)
def acknowledge_report_check(id: int):  # noqa: A002
    body = parse_body(CheckAcknowledgementIn)
    row = checkups.acknowledge(
        db.session(), actor=current_user, engagement=guarded_object(), fingerprint=body.fingerprint
    )
    return respond(
        CheckAcknowledgementOut(
            id=row.id,
            fingerprint=row.fingerprint,
            errors=row.errors,
            warnings=row.warnings,
            acknowledged_by_id=row.acknowledged_by_id,
            acknowledged_by_name=current_user.display_name,
            acknowledged_at=row.acknowledged_at,
        ),
        201,
    )
