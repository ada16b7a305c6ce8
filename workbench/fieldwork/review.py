"""The review chain (三级复核): sign-offs with content hashes, returns, threaded review notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write, users_by_id
from workbench.fieldwork.common import flush
from workbench.fieldwork.content import content_hash
from workbench.fieldwork.models import (
    Evidence,
    Finding,
    FindingEvidence,
    PaperIndicator,
    PaperSignoff,
    ReviewNote,
    WorkingPaper,
)
from workbench.fieldwork.permissions import may_approve, may_review
from workbench.fieldwork.review_rules import (
    LEVEL_NAMES,
    SIGNER_NAMES,
    Level,
    Refusal,
    Status,
    return_refusal,
    sign_refusal,
    status_for,
)
from workbench.fieldwork.spec import fields_from
from workbench.fieldwork.values import missing_required


def active_signoffs(db: Session, paper_ids: list[int]) -> dict[int, dict[Level, PaperSignoff]]:
    """The active (not cleared) sign-offs of each paper, by level (one query)."""
    found: dict[int, dict[Level, PaperSignoff]] = {pid: {} for pid in paper_ids}
    if not paper_ids:
        return found
    rows = db.exec(
        select(PaperSignoff).where(
            col(PaperSignoff.paper_id).in_(paper_ids), col(PaperSignoff.cleared_at).is_(None)
        )
    ).all()
    for row in rows:
        found[row.paper_id][Level(row.level)] = row
    return found


def current_hash(db: Session, paper: WorkingPaper) -> str:
    """SHA-256 of the paper's content as it is now (fields, indicators, findings, evidence)."""
    return current_hashes(db, [paper])[paper.id]


def current_hashes(db: Session, papers: list[WorkingPaper]) -> dict[int, str]:
    """`current_hash` of many papers in four queries (a check-in settles a thousand at once)."""
    ids = sorted({p.id for p in papers})
    indicators: dict[int, list[int]] = {i: [] for i in ids}
    findings: dict[int, list[Finding]] = {i: [] for i in ids}
    evidence: dict[int, list[str]] = {i: [] for i in ids}
    linked: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for paper_id, indicator_id in db.exec(
            select(PaperIndicator.paper_id, PaperIndicator.indicator_id).where(
                col(PaperIndicator.paper_id).in_(chunk)
            )
        ).all():
            indicators[paper_id].append(indicator_id)
        for finding in db.exec(select(Finding).where(col(Finding.paper_id).in_(chunk))).all():
            findings[finding.paper_id].append(finding)
        for paper_id, sha in db.exec(
            select(Evidence.paper_id, Evidence.sha256).where(col(Evidence.paper_id).in_(chunk))
        ).all():
            evidence[paper_id].append(sha)
        finding_ids = [f.id for i in chunk for f in findings[i]]
        for part in range(0, len(finding_ids), 500):
            for finding_id, sha in db.exec(
                select(FindingEvidence.finding_id, Evidence.sha256)
                .join(Evidence, col(Evidence.id) == FindingEvidence.evidence_id)
                .where(col(FindingEvidence.finding_id).in_(finding_ids[part : part + 500]))
            ).all():
                linked.setdefault(finding_id, []).append(sha)
    return {
        paper.id: content_hash(
            title=paper.title,
            template_key=paper.template_key,
            values=paper.values,
            indicator_ids=indicators[paper.id],
            findings=[
                {
                    "indicator_id": f.indicator_id,
                    "kind": f.kind,
                    "text": f.text,
                    "points": f.points,
                    "element_index": f.element_index,
                    "met": f.met,
                    "money": f.money,
                    "evidence": sorted(linked.get(f.id, [])),
                }
                for f in findings[paper.id]
            ],
            evidence=evidence[paper.id],
        )
        for paper in papers
    }


def _clear(db: Session, signoffs: list[PaperSignoff], reason: str) -> None:
    now = utcnow()
    for signoff in signoffs:
        signoff.cleared_at, signoff.cleared_reason = now, reason
        db.add(signoff)


def content_changed(
    db: Session, *, actor: Any, engagement: Engagement, paper: WorkingPaper, what: str
) -> list[Level]:
    """After an edit of a signed paper: clear the review and approval, mark it edited after review."""
    active = active_signoffs(db, [paper.id])[paper.id]
    if not active:
        return []
    later = [s for level, s in active.items() if level != Level.prepare]
    _clear(db, later, f"签字后底稿被修改：{what}"[:200])
    remaining = {level for level in active if level == Level.prepare}
    before = {"status": paper.status}
    paper.status = status_for(remaining)
    paper.edited_after_review = True
    paper.updated_at = utcnow()
    db.add(paper)
    flush(db)
    cleared = [Level(s.level) for s in later]
    audit.record(
        db,
        actor=actor,
        action="working_paper.signoffs_cleared"
        if cleared
        else "working_paper.edited_after_signoff",
        obj=paper,
        engagement_id=engagement.id,
        before=before,
        after={"status": paper.status, "cleared": [c.value for c in cleared], "change": what},
        summary=f"{paper.label}：签字后修改（{what}）"
        + (f"，已清除{'、'.join(LEVEL_NAMES[c] for c in cleared)}签字" if cleared else ""),
    )
    return cleared


def signatures_an_edit_clears(db: Session, paper: WorkingPaper) -> list[str]:
    """「张三（复核人）」…: the review and approval an edit of the paper would clear."""
    active = active_signoffs(db, [paper.id])[paper.id]
    later = [(level, s) for level, s in active.items() if level != Level.prepare]
    people = users_by_id(db, {s.user_id for _, s in later})
    return [
        f"{people[s.user_id].display_name if s.user_id in people else ''}（{SIGNER_NAMES[level]}）"
        for level, s in later
    ]


def require_clear_confirmed(
    db: Session, paper: WorkingPaper, *, confirmed: bool, action: str
) -> None:
    """An action that would clear signatures proceeds only when the user said yes to it first."""
    if confirmed:
        return
    names = signatures_an_edit_clears(db, paper)
    if names:
        message = (
            f"{action}将清除{'、'.join(names)}的签字，底稿须重新复核和批准；"
            "请确认后再操作（页面勾选“确认清除签字”，接口传 confirm_clear_signoffs=true）"
        )
        raise Conflict(message)


def open_note_count(db: Session, paper_id: int) -> int:
    return db.exec(
        select(func.count())
        .select_from(ReviewNote)
        .where(
            ReviewNote.paper_id == paper_id,
            col(ReviewNote.parent_id).is_(None),
            ReviewNote.status == "open",
        )
    ).one()


def _raise(refusal: Refusal) -> None:
    if refusal.kind == "not_allowed":
        raise NotAllowed(refusal.message)
    if refusal.kind == "invalid":
        raise ValidationFailed.of_field("level", refusal.message)
    raise Conflict(refusal.message)


def sign(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    level: str,
    comment: str = "",
) -> PaperSignoff:
    """Sign the paper at one level, storing the SHA-256 of what was signed."""
    guard_write(db, engagement, actor)
    if level not in Level.__members__:
        raise ValidationFailed.of_field(
            "level", "签字级次无效，应为 prepare（编制）、review（复核）或 approve（批准）"
        )
    level = Level(level)
    if len(comment) > 1000:
        raise ValidationFailed.of_field("comment", "签字意见不能超过 1000 个字符")
    active = active_signoffs(db, [paper.id])[paper.id]
    now_hash = current_hash(db, paper)
    stale = {lvl for lvl, s in active.items() if s.content_hash != now_hash}
    refusal = sign_refusal(
        level=level,
        stale=stale,
        status=Status(paper.status),
        signers={lvl: s.user_id for lvl, s in active.items()},
        user_id=actor.id,
        may_review=may_review(actor, engagement),
        may_approve=may_approve(actor, engagement),
        missing=missing_required(fields_from(paper.spec), paper.values)
        if level == Level.prepare
        else (),
        open_notes=open_note_count(db, paper.id) if level == Level.approve else 0,
    )
    if refusal is not None:
        _raise(refusal)
    resign = level in active and level in stale
    if resign:  # the signer confirms the edited paper: the stale signature becomes history
        _clear(db, [active[level]], "签字后底稿内容有修改，签字人核对后重新签字")
        flush(db)
    signoff = PaperSignoff(
        paper_id=paper.id,
        level=level,
        user_id=actor.id,
        content_hash=now_hash,
        comment=comment.strip(),
    )
    db.add(signoff)
    before = {"status": paper.status}
    paper.status = status_for(set(active) | {level})
    if level == Level.prepare:
        paper.returned_reason = ""
    if level == Level.approve:
        paper.edited_after_review = False
    paper.updated_at = utcnow()
    db.add(paper)
    flush(db)
    audit.record(
        db,
        actor=actor,
        action=f"working_paper.{level.value}",
        obj=paper,
        engagement_id=engagement.id,
        before=before,
        after={
            "status": paper.status,
            "hash": signoff.content_hash,
            "comment": signoff.comment,
            "resigned": resign,
        },
        summary=f"{paper.label}：{SIGNER_NAMES[level]}签字"
        + ("（签字后修改，重新签字）" if resign else ""),
    )
    return signoff


def return_paper(
    db: Session, *, actor: User, engagement: Engagement, paper: WorkingPaper, reason: str
) -> WorkingPaper:
    """Send a prepared or reviewed paper back to its preparer; the reason opens a review note."""
    guard_write(db, engagement, actor)
    refusal = return_refusal(
        status=Status(paper.status), may_review=may_review(actor, engagement), reason=reason
    )
    if refusal is not None:
        _raise(refusal)
    reason = reason.strip()[:1000]
    active = active_signoffs(db, [paper.id])[paper.id]
    _clear(db, list(active.values()), "退回修改")
    before = {"status": paper.status}
    paper.status = Status.returned
    paper.returned_reason = reason
    paper.updated_at = utcnow()
    db.add(paper)
    db.add(ReviewNote(paper_id=paper.id, author_id=actor.id, text=f"退回原因：{reason}"))
    flush(db)
    audit.record(
        db,
        actor=actor,
        action="working_paper.return",
        obj=paper,
        engagement_id=engagement.id,
        before=before,
        after={"status": paper.status, "reason": reason},
        summary=f"{paper.label}：退回修改（{reason}）",
    )
    return paper


@dataclass
class NoteThread:
    """A review note and its replies."""

    note: ReviewNote
    replies: list[ReviewNote] = field(default_factory=list)


def threads(db: Session, paper_id: int) -> list[NoteThread]:
    """The paper's review notes as threads, open ones first (one query)."""
    rows = db.exec(
        select(ReviewNote).where(ReviewNote.paper_id == paper_id).order_by(col(ReviewNote.id))
    ).all()
    by_id = {r.id: NoteThread(r) for r in rows if r.parent_id is None}
    for row in rows:
        if row.parent_id is not None and row.parent_id in by_id:
            by_id[row.parent_id].replies.append(row)
    return sorted(by_id.values(), key=lambda t: (t.note.status != "open", t.note.id))


def add_note(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    text: str,
    parent_id: int | None = None,
) -> ReviewNote:
    """Raise a review note, or reply to one (a reply to a resolved thread reopens it)."""
    guard_write(db, engagement, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.of_field("text", "复核意见内容不能为空")
    if len(text) > 4000:
        raise ValidationFailed.of_field("text", "复核意见不能超过 4000 个字符")
    parent = None
    if parent_id:
        parent = db.get(ReviewNote, parent_id)
        if parent is None or parent.paper_id != paper.id or parent.parent_id is not None:
            raise NotFound("复核意见不存在")
    note = ReviewNote(
        paper_id=paper.id,
        parent_id=parent.id if parent else None,
        author_id=actor.id,
        text=text,
        status="reply" if parent else "open",
    )
    db.add(note)
    if parent is not None and parent.status == "resolved":
        parent.status, parent.resolved_at, parent.resolved_by_id = "open", None, None
        db.add(parent)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review_note.reply" if parent else "review_note.add",
        obj=note,
        engagement_id=engagement.id,
        after={"paper": paper.index_no, "text": text},
        summary=f"{paper.label}：{text[:80]}",
    )
    return note


def set_note_status(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    note_id: int,
    resolved: bool,
) -> ReviewNote:
    """Resolve or reopen a thread: its author, a reviewer or the lead."""
    guard_write(db, engagement, actor)
    note = db.get(ReviewNote, note_id)
    if note is None or note.paper_id != paper.id or note.parent_id is not None:
        raise NotFound("复核意见不存在")
    if note.author_id != actor.id and not may_review(actor, engagement):
        raise NotAllowed("只有提出意见的人、复核人或项目负责人可以关闭或重开复核意见")
    wanted = "resolved" if resolved else "open"
    if note.status == wanted:
        raise Conflict("该复核意见已解决" if resolved else "该复核意见尚未解决")
    note.status = wanted
    note.resolved_by_id = actor.id if resolved else None
    note.resolved_at = utcnow() if resolved else None
    db.add(note)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review_note.resolve" if resolved else "review_note.reopen",
        obj=note,
        engagement_id=engagement.id,
        after={"status": wanted},
        summary=f"{paper.label}：{note.text[:80]}",
    )
    return note
