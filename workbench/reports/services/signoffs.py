"""The report's internal review (三级复核): prepare → review → approve by three different people.

Each sign-off stores the signer, the time and the SHA-256 of the sections' text. Editing a
section after a sign-off clears the later (review, approve) sign-offs; the approval locks the
sections until the lead withdraws it. Cleared sign-offs stay as history. Which sign-offs stand
(`active`, `approved`) is read in `reports/collect_signers.py`, below this package: collect and
consultation read it too, and the package's `__init__` imports both.
"""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.engagements.stages import Blocker
from workbench.reports import locks
from workbench.reports.collect_signers import active as active
from workbench.reports.collect_signers import approved as approved
from workbench.reports.models import ReportSection, ReportSignoff
from workbench.reports.section_outline import outline

LEVELS = ("prepare", "review", "approve")
LEVEL_NAMES = {"prepare": "编制", "review": "复核", "approve": "批准"}
SIGNER_NAMES = {"prepare": "编制人", "review": "复核人", "approve": "项目负责人"}


def history(db: Session, engagement: Engagement) -> list[ReportSignoff]:
    return list(
        db.exec(
            select(ReportSignoff)
            .where(ReportSignoff.engagement_id == engagement.id)
            .order_by(col(ReportSignoff.id).desc())
        ).all()
    )


def sections_hash(db: Session, engagement: Engagement) -> str:
    """SHA-256 over every report section's key and text (what a signer saw)."""
    rows = db.exec(
        select(ReportSection.key, ReportSection.text)
        .where(ReportSection.engagement_id == engagement.id, ReportSection.deliverable == "report")
        .order_by(col(ReportSection.key))
    ).all()
    payload = json.dumps([[key, body] for key, body in rows], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def missing_sections(db: Session, engagement: Engagement) -> list[str]:
    """Headings of required outline sections that have no text yet."""
    texts = dict(
        db.exec(
            select(ReportSection.key, ReportSection.text).where(
                ReportSection.engagement_id == engagement.id, ReportSection.deliverable == "report"
            )
        ).all()
    )
    return [
        f"{entry.chapter} {entry.heading}" if entry.heading != entry.chapter[2:] else entry.chapter
        for entry in outline(db, engagement, "report")
        if entry.required and not (texts.get(entry.key) or "").strip()
    ]


# Who signs each level, as a named predicate: the team prepares, reviewers review, the lead approves.
SIGNERS = {
    "prepare": "engagement.team",
    "review": "engagement.review",
    "approve": "engagement.manage",
}
WHO_MAY_SIGN = {"prepare": "项目组成员", "review": "复核人或项目负责人", "approve": "项目负责人"}


def sign(
    db: Session, *, actor: User, engagement: Engagement, level: str, comment: str = ""
) -> ReportSignoff:
    """Sign one level; the same person cannot hold two levels, levels go in order.

    A level whose signature no longer matches the text (edited after signing) is signed again
    by its holder before any higher level may sign.
    """
    ensure_writable(engagement)
    if level not in LEVELS:
        raise ValidationFailed(
            "签字级别无效", details=[{"field": "level", "message": "应为编制、复核或批准"}]
        )
    authorize(
        actor,
        SIGNERS[level],
        engagement,
        message=f"只有{WHO_MAY_SIGN[level]}可以{LEVEL_NAMES[level]}签字",
    )
    require_cleared(db, engagement, actor)
    reason = locks.locked_reason(db, engagement, _kind(engagement))
    if reason:
        raise Locked(reason)
    signed = active(db, engagement)
    current = sections_hash(db, engagement)
    resign = level in signed and signed[level].sections_hash != current
    if level in signed and not resign:
        mine = signed[level].user_id == actor.id
        raise Conflict(
            f"您已作为{SIGNER_NAMES[level]}签字，不能重复签字"
            if mine
            else f"报告已由他人{LEVEL_NAMES[level]}签字，不能重复签字"
        )
    stale = [
        lower
        for lower in LEVELS[: LEVELS.index(level)]
        if lower in signed and signed[lower].sections_hash != current
    ]
    if stale:
        lower = stale[0]
        raise Conflict(
            f"{LEVEL_NAMES[lower]}签字后章节内容有修改，须由{SIGNER_NAMES[lower]}核对后重新"
            f"{LEVEL_NAMES[lower]}签字，才能{LEVEL_NAMES[level]}签字"
        )
    held = [
        other
        for other, row in signed.items()
        if row.user_id == actor.id and not (resign and other == level)
    ]
    if held:
        raise Conflict(
            f"同一人不能在报告复核中担任两级签字：您已作为{SIGNER_NAMES[held[0]]}签字，"
            f"不能再作为{SIGNER_NAMES[level]}签字"
        )
    previous = LEVELS[LEVELS.index(level) - 1] if level != "prepare" else None
    if previous and previous not in signed:
        raise Conflict(f"报告尚未{LEVEL_NAMES[previous]}签字，不能{LEVEL_NAMES[level]}")
    missing = missing_sections(db, engagement)
    if missing:
        raise Conflict("以下章节尚未撰写，不能签字", details=missing)
    if resign:  # the signer confirms the edited text: the stale signature becomes history
        _clear(db, [signed[level]], f"签字后章节内容有修改，由{actor.display_name}重新签字")
    row = ReportSignoff(
        engagement_id=engagement.id,
        level=level,
        user_id=actor.id,
        sections_hash=current,
        comment=(comment or "").strip()[:1000],
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.sign",
        obj=row,
        engagement_id=engagement.id,
        after={
            "level": level,
            "sections_hash": row.sections_hash,
            "comment": row.comment,
            "resigned": resign,
        },
        summary=f"评价报告{LEVEL_NAMES[level]}签字"
        + ("（签字后内容有修改，重新签字）" if resign else ""),
    )
    return row


def _kind(engagement: Engagement) -> str:
    return "ex_ante_report" if engagement.type == "ex_ante" else "report"


def _clear(db: Session, rows: list[ReportSignoff], reason: str) -> None:
    now = utcnow()
    for row in rows:
        row.cleared_at, row.cleared_reason = now, reason[:200]
        db.add(row)
    db.flush()


def clear_after_edit(db: Session, *, actor: User, engagement: Engagement, heading: str) -> list:
    """An edit invalidates the review and approval given to the earlier text."""
    signed = active(db, engagement)
    later = [signed[level] for level in ("review", "approve") if level in signed]
    if later:
        _clear(db, later, f"签字后修改了章节“{heading}”")
        audit.record(
            db,
            actor=actor,
            action="report.signoff.clear",
            object_type="report_signoff",
            engagement_id=engagement.id,
            before={"levels": [row.level for row in later]},
            summary=f"修改“{heading}”，已清除{'、'.join(LEVEL_NAMES[r.level] for r in later)}签字",
        )
    return later


def withdraw(db: Session, *, actor: User, engagement: Engagement, level: str) -> ReportSignoff:
    """The signer (or the lead) withdraws a sign-off that no later level rests on."""
    ensure_writable(engagement)
    if level not in LEVELS:
        raise ValidationFailed(
            "签字级别无效", details=[{"field": "level", "message": "应为编制、复核或批准"}]
        )
    signed = active(db, engagement)
    row = signed.get(level)
    if row is None:
        raise Conflict("该级签字不存在或已撤销")
    if row.user_id != actor.id and not engagement.can_manage(actor):
        raise NotAllowed("只有签字人本人或项目负责人可以撤销签字")
    later = [other for other in LEVELS[LEVELS.index(level) + 1 :] if other in signed]
    if later:
        raise Conflict(f"请先撤销{LEVEL_NAMES[later[-1]]}签字")
    reason = locks.locked_reason(db, engagement, _kind(engagement))
    if reason:
        raise Locked(reason)
    _clear(db, [row], f"{actor.display_name}撤销")
    audit.record(
        db,
        actor=actor,
        action="report.signoff.withdraw",
        obj=row,
        engagement_id=engagement.id,
        before={"level": level, "user_id": row.user_id},
        summary=f"撤销评价报告{LEVEL_NAMES[level]}签字",
    )
    return row


def blockers(db: Session, engagement: Engagement) -> list[Blocker]:
    """The `report` gate: every outline section written and the three sign-offs present."""
    link = f"/engagements/{engagement.id}/report"
    found = [
        Blocker(f"报告章节尚未撰写：{heading}", link)
        for heading in missing_sections(db, engagement)
    ]
    signed = active(db, engagement)
    found += [
        Blocker(
            f"评价报告尚未{LEVEL_NAMES[level]}签字（{SIGNER_NAMES[level]}）", link + "#signoffs"
        )
        for level in LEVELS
        if level not in signed
    ]
    return found
