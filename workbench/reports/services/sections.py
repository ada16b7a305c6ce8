"""Drafting the plan's and the report's narrative sections: outline rows, saves with versions,
assignment, comments, and the plan/report settings.

A report section cannot be edited while the report is under the bureau's review (locks) or
once its internal review is approved; an edit after a sign-off clears the later sign-offs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workbench import db as database
from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, Locked, NotAllowed, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import ensure_writable, require_cleared, users_by_id
from workbench.reports import locks
from workbench.reports import sections as text
from workbench.reports.models import (
    ReportSection,
    SectionComment,
    SectionVersion,
)
from workbench.reports.section_outline import entry_of, outline
from workbench.reports.services.signoffs import active, approved, clear_after_edit

ASSIGNABLE_ROLES = {MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer, MemberRole.expert}
AUTOSAVE_WINDOW = timedelta(minutes=10)  # autosaves by one writer within it share a version
STALE = "该章节已被他人修改，请刷新后重试"


@dataclass
class SectionView:
    """An outline entry with its stored row (the page's list)."""

    entry: text.OutlineSection
    row: ReportSection
    open_comments: int = 0


def lock_kind(engagement: Engagement, deliverable: str) -> str:
    if deliverable == "plan":
        return "plan"
    return "ex_ante_report" if engagement.type == "ex_ante" else "report"


def ensure_sections(db: Session, engagement: Engagement, deliverable: str) -> list[SectionView]:
    """The outline's sections in order, creating the missing (empty) rows."""
    entries = outline(db, engagement, deliverable)
    rows = {
        r.key: r
        for r in db.exec(
            select(ReportSection).where(
                ReportSection.engagement_id == engagement.id,
                ReportSection.deliverable == deliverable,
            )
        ).all()
    }
    missing = [e for e in entries if e.key not in rows]
    if missing and not engagement.is_archived:
        # A page (GET) opens the outline first: its empty rows are a small write of their own.
        try:
            with database.small_write(db) as writer, writer.begin_nested():
                created = [
                    ReportSection(engagement_id=engagement.id, deliverable=deliverable, key=e.key)
                    for e in missing
                ]
                writer.add_all(created)
        except IntegrityError:  # a concurrent first visit created them already
            return ensure_sections(db, engagement, deliverable)
        for row in created:
            rows[row.key] = db.merge(row, load=False)
    counts = dict(
        db.exec(
            select(SectionComment.section_id, func.count())
            .where(
                SectionComment.engagement_id == engagement.id,
                col(SectionComment.resolved_at).is_(None),
            )
            .group_by(SectionComment.section_id)
        ).all()
    )
    return [
        SectionView(e, rows[e.key], counts.get(rows[e.key].id, 0)) for e in entries if e.key in rows
    ]


def get_section(db: Session, engagement: Engagement, section_id: int) -> ReportSection:
    section = db.get(ReportSection, section_id)
    if section is None or section.engagement_id != engagement.id:
        raise NotFound("章节不存在")
    return section


def is_writer(engagement: Engagement, user: User, section: ReportSection) -> bool:
    """The team writes every section; an expert member writes the sections assigned to them."""
    if engagement.works_on(user):
        return True
    return MemberRole.expert in engagement.roles_of(user) and section.assignee_id == user.id


def edit_refusal(db: Session, engagement: Engagement, deliverable: str) -> str | None:
    """Why the sections of this deliverable cannot be edited now, or None."""
    if engagement.is_archived:
        return "项目已归档，内容只读"
    reason = locks.locked_reason(db, engagement, lock_kind(engagement, deliverable))
    if reason:
        return reason
    if deliverable == "report" and approved(db, engagement):
        return "报告已通过三级复核（已批准），如需修改请先由项目负责人撤销批准"
    return None


def _check_edit(db: Session, engagement: Engagement, actor: User, section: ReportSection) -> None:
    ensure_writable(engagement)
    if not is_writer(engagement, actor, section):
        raise NotAllowed("您不是该章节的撰写人，不能修改（专家只能撰写分配给自己的章节）")
    require_cleared(db, engagement, actor)
    reason = edit_refusal(db, engagement, section.deliverable)
    if reason:
        raise Locked(reason)


def save_section(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    section: ReportSection,
    content: str,
    version: int | None,
    autosave: bool = False,
    confirm_clear: bool = False,
) -> bool:
    """Save a section's text (sanitized); False when nothing changed. Stale versions conflict.

    A change of a report section once reviewed or approved clears those signatures: refused
    unless the writer confirmed it (`confirm_clear`), naming whose signatures would go.
    """
    _check_edit(db, engagement, actor, section)
    require_version(version, section.version, stale=STALE)
    try:
        html = text.clean(content or "")
    except text.SectionTextError as error:
        message = str(error)
        raise ValidationFailed.of_field("content", message) from None
    last = db.exec(
        select(SectionVersion).where(
            SectionVersion.section_id == section.id, SectionVersion.number == section.number
        )
    ).first()
    if html == section.html:
        return not autosave and _keep_own_autosave(db, actor, engagement, section, last)
    names = [] if confirm_clear else signatures_an_edit_clears(db, engagement, section)
    if names:
        raise Conflict(
            f"修改章节“{entry_of(db, engagement, section).heading}”将清除{'、'.join(names)}的签字，"
            "报告须重新复核和批准；请确认后再保存（页面勾选“确认清除签字”）"
        )
    plain = text.to_text(html)
    now = utcnow()
    coalesce = (
        autosave
        and last is not None
        and last.autosave
        and last.saved_by_id == actor.id
        and now - _aware(last.saved_at) < AUTOSAVE_WINDOW
    )
    if coalesce:
        last.html, last.text, last.saved_at = html, plain, now
        db.add(last)
    else:
        section.number += 1
        db.add(
            SectionVersion(
                section_id=section.id,
                engagement_id=engagement.id,
                number=section.number,
                html=html,
                text=plain,
                autosave=autosave,
                saved_by_id=actor.id,
                saved_at=now,
            )
        )
    before = {"number": section.number, "chars": len(section.text)}
    section.html, section.text = html, plain
    section.updated_by_id, section.updated_at = actor.id, now
    db.add(section)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.section.autosave" if autosave else "report.section.save",
        obj=section,
        engagement_id=engagement.id,
        before=before,
        after={"number": section.number, "chars": len(plain)},
        summary=f"{entry_of(db, engagement, section).heading}（第{section.number}稿）",
    )
    if section.deliverable == "report":
        clear_after_edit(
            db,
            actor=actor,
            engagement=engagement,
            heading=entry_of(db, engagement, section).heading,
        )
    return True


def signatures_an_edit_clears(
    db: Session, engagement: Engagement, section: ReportSection
) -> list[str]:
    """「王五（复核人）」…: the report's review and approval an edit of this section would clear."""
    if section.deliverable != "report":
        return []
    signed = active(db, engagement)
    later = [(level, signed[level]) for level in ("review", "approve") if level in signed]
    if not later:
        return []
    titles = {"review": "复核人", "approve": "项目负责人"}
    people = {i: u.display_name for i, u in users_by_id(db, {r.user_id for _, r in later}).items()}
    return [f"{people.get(row.user_id, '')}（{titles[level]}）" for level, row in later]


def _keep_own_autosave(
    db: Session,
    actor: User,
    engagement: Engagement,
    section: ReportSection,
    last: SectionVersion | None,
) -> bool:
    """保存 of what the writer's own autosave already stored makes that draft a saved one."""
    if last is None or not last.autosave or last.saved_by_id != actor.id:
        return False
    last.autosave = False  # a deliberate draft: later autosaves start a new one
    db.add(last)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.section.save",
        obj=section,
        engagement_id=engagement.id,
        after={"number": section.number, "kept_autosave": True},
        summary=f"{entry_of(db, engagement, section).heading}（第{section.number}稿，自动保存的内容）",
    )
    return True


def _aware(value):
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def section_versions(db: Session, section: ReportSection) -> list[SectionVersion]:
    return list(
        db.exec(
            select(SectionVersion)
            .where(SectionVersion.section_id == section.id)
            .order_by(col(SectionVersion.number).desc())
        ).all()
    )


def get_section_version(db: Session, section: ReportSection, number: int) -> SectionVersion:
    found = db.exec(
        select(SectionVersion).where(
            SectionVersion.section_id == section.id, SectionVersion.number == number
        )
    ).first()
    if found is None:
        raise NotFound(f"该章节没有第{number}稿")
    return found


def assign(
    db: Session, *, actor: User, engagement: Engagement, section: ReportSection, user_id: int | None
) -> ReportSection:
    """The lead assigns a section to a team member or expert (None: unassigned)."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以分配章节")
    if user_id:
        roles = {MemberRole(m.role) for m in engagement.members if m.user_id == user_id}
        if not roles & ASSIGNABLE_ROLES:
            raise ValidationFailed(
                "撰写人无效",
                details=[
                    {"field": "user_id", "message": "只能分配给本项目的评价人员、复核人或专家"}
                ],
            )
    before = {"assignee_id": section.assignee_id}
    section.assignee_id = user_id or None
    db.add(section)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.section.assign",
        obj=section,
        engagement_id=engagement.id,
        before=before,
        after={"assignee_id": section.assignee_id},
        summary=entry_of(db, engagement, section).heading,
    )
    return section
