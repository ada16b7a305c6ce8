"""One finding (发现的问题) through the API: read it, and delete it as the paper page allows.

The list and recording a finding are in api/fieldwork_record.py. A finding has no edit on the
page (a wrong one is deleted and recorded again) and no status of its own: its paper's review
chain is the status, so deleting a finding on a signed paper clears the later sign-offs, and, as
on the page, only once confirmed (`?confirm_clear_signoffs=true`, else 409 naming them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, respond
from workbench.api.fieldwork_record import finding_out
from workbench.api.fieldwork_record_schemas import FindingEvidenceOut, PaperFindingDetail
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.fieldwork.models import Finding, WorkingPaper
from workbench.fieldwork.review_rules import STATUS_NAMES, Status
from workbench.fieldwork.services import Scope, findings, registers


@dataclass
class FindingScope(Scope):
    """A finding named alone in a path: its paper's engagement decides who may see it."""

    finding: Any = None


def load_finding(finding_id: int, **_) -> FindingScope:
    session = db.session()
    found = session.get(Finding, finding_id)
    paper = session.get(WorkingPaper, found.paper_id) if found is not None else None
    if found is None or paper is None:
        raise NotFound("发现的问题不存在")
    return FindingScope(engagements.get(session, paper.engagement_id), paper=paper, finding=found)


def _confirmed() -> bool:
    flag = (request.args.get("confirm_clear_signoffs") or "").strip().lower()
    if flag not in ("", "true", "false", "1", "0"):
        raise ValidationFailed.of_field("confirm_clear_signoffs", "应为 true 或 false")
    return flag in ("true", "1")


@operation(
    "/findings/{finding_id}",
    "GET",
    summary=(
        "一条发现的问题：所在底稿、类型、指标路径、扣分、评价要点与达成度、涉及金额、记录人，"
        "依据的佐证材料，以及底稿的复核状态"
    ),
    response=PaperFindingDetail,
    tag="fieldwork",
)
@requires("fieldwork.read", load=load_finding)
def get_finding(finding_id: int):
    scope = guarded_object()
    session = db.session()
    row = next(
        r
        for r in registers.list_findings(session, engagement=scope.engagement)
        if r.finding.id == scope.finding.id
    )
    evidence = next(
        linked
        for finding, linked in findings.findings_of(session, scope.paper.id)
        if finding.id == scope.finding.id
    )
    status = scope.paper.status
    return respond(
        PaperFindingDetail(
            **finding_out(row).model_dump(),
            evidence=[FindingEvidenceOut(id=e.id, name=e.name, sha256=e.sha256) for e in evidence],
            paper_status=status,
            paper_status_name=STATUS_NAMES[Status(status)],
        )
    )


@operation(
    "/findings/{finding_id}",
    "DELETE",
    summary=(
        "删除一条发现的问题（与底稿页相同，操作日志保留其内容）；底稿已复核或批准时，删除会清除"
        "复核和批准签字，须带 ?confirm_clear_signoffs=true，否则 409"
    ),
    status=204,
    tag="fieldwork",
)
@requires("fieldwork.write", load=load_finding)
def delete_finding(finding_id: int):
    scope = guarded_object()
    findings.delete_finding(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        finding_id=scope.finding.id,
        confirm_clear=_confirmed(),
    )
    return "", 204
