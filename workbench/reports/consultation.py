"""征求意见: the consultation draft goes to the evaluated unit's contact, who enters opinions point
by point; the agency answers each (采纳 / 部分采纳 / 不采纳 with the reason); the opinion table.

The unit sees only the draft sent to it and its own opinions. A round ends when the unit marks
its feedback complete, or when the lead records (with a note) that the unit had no opinions.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit, itemised
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.itemised_rows import item_of, items_of, last_number
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import local, utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import ensure_writable, require_cleared, visible_query
from workbench.engagements.stages import Blocker
from workbench.reports import collect, context
from workbench.reports import models as kinds
from workbench.reports.collect_signers import approved
from workbench.reports.models import Adoption, Consultation, DeliverableVersion, Opinion

ADOPTIONS = tuple(a.value for a in Adoption)
# An answer may be revised to any adoption (the reason changes with it) until the archive.
ANSWER_MOVES = itemised.moves_among(ADOPTIONS, again=True, unanswered="")
REASON_REFUSALS = {
    itemised.Refusal.note_missing: "请填写理由及修改情况",
    itemised.Refusal.note_too_long: "理由及修改情况不能超过2000字",
}


def current(db: Session, engagement: Engagement) -> Consultation | None:
    """The latest consultation round of the engagement."""
    return db.exec(
        select(Consultation)
        .where(Consultation.engagement_id == engagement.id)
        .order_by(col(Consultation.id).desc())
    ).first()


def rounds(db: Session, engagement: Engagement) -> list[Consultation]:
    return list(
        db.exec(
            select(Consultation)
            .where(Consultation.engagement_id == engagement.id)
            .order_by(col(Consultation.id).desc())
        ).all()
    )


def opinions(db: Session, consultation: Consultation | None) -> list[Opinion]:
    if consultation is None:
        return []
    return items_of(db, Opinion, owner="consultation_id", owner_id=consultation.id, number="number")


def drafts(db: Session, engagement: Engagement) -> list[DeliverableVersion]:
    """Report versions labelled 征求意见稿, newest first (what may be sent)."""
    return list(
        db.exec(
            select(DeliverableVersion)
            .where(
                DeliverableVersion.engagement_id == engagement.id,
                DeliverableVersion.kind == kinds.report_kind(engagement),
                DeliverableVersion.label == kinds.CONSULTATION_LABEL,
            )
            .order_by(col(DeliverableVersion.id).desc())
        ).all()
    )


def unit_contacts(engagement: Engagement) -> list[int]:
    return engagement.member_ids(MemberRole.unit)


def send(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    version_id: int,
    recipient_id: int,
    message: str = "",
    due_date: date | None = None,
) -> Consultation:
    """The lead sends a 征求意见稿 of the approved report to the unit's contact."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以发送征求意见稿")
    require_cleared(db, engagement, actor)
    version = next((v for v in drafts(db, engagement) if v.id == version_id), None)
    if version is None:
        raise ValidationFailed.of_field(
            "version_id", "请选择一份“征求意见稿”版本（在评价报告页生成）"
        )
    if recipient_id not in unit_contacts(engagement):
        raise ValidationFailed.of_field(
            "recipient_id", "请选择本项目的被评价单位联系人（在工作组中添加）"
        )
    if len(message or "") > 2000:
        raise ValidationFailed.of_field("message", "说明不能超过2000字")
    if not approved(db, engagement):
        raise Conflict("评价报告尚未完成三级复核（批准），不能发送征求意见稿")
    open_round = current(db, engagement)
    if open_round is not None and not open_round.closed:
        raise Conflict("上一轮征求意见尚未结束，请等待被评价单位反馈或记录无意见后再发送")
    row = Consultation(
        engagement_id=engagement.id,
        deliverable_version_id=version.id,
        recipient_id=recipient_id,
        message=(message or "").strip(),
        due_date=due_date,
        sent_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consultation.send",
        obj=row,
        engagement_id=engagement.id,
        after={"version": version.number, "recipient_id": recipient_id, "due_date": due_date},
        summary=f"发送征求意见稿（第{version.number}版）",
    )
    return row


def _unit_round(db: Session, engagement: Engagement, actor: User) -> Consultation:
    """The open round the unit contact may write to."""
    ensure_writable(engagement)
    authorize(actor, "reports.unit", engagement, message="只有被评价单位联系人可以填写反馈意见")
    row = current(db, engagement)
    if row is None:
        raise Conflict("评价机构尚未发送征求意见稿")
    if row.closed:
        raise Conflict("本轮征求意见已结束，不能再修改意见")
    return row


def _clean_opinion(reference: str, content: str) -> tuple[str, str]:
    reference, content = (reference or "").strip(), (content or "").strip()
    error = itemised.text_error(
        content,
        field="content",
        limit=4000,
        missing="请填写意见内容",
        too_long="意见内容不能超过{limit}字（当前{n}字）",
    ) or itemised.text_error(
        reference, field="reference", limit=200, too_long="章节/页码不能超过{limit}字"
    )
    if error:
        raise ValidationFailed.of_field(**error)
    return reference, content


def add_opinion(
    db: Session, *, actor: User, engagement: Engagement, reference: str, content: str
) -> Opinion:
    """The unit adds one opinion (section/page reference and text)."""
    row = _unit_round(db, engagement, actor)
    reference, content = _clean_opinion(reference, content)
    last = last_number(db, Opinion, owner="consultation_id", owner_id=row.id, number="number")
    [number] = itemised.numbers_after(last, 1)
    opinion = Opinion(
        consultation_id=row.id,
        engagement_id=engagement.id,
        number=number,
        reference=reference,
        content=content,
        created_by_id=actor.id,
    )
    db.add(opinion)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consultation.opinion.add",
        obj=opinion,
        engagement_id=engagement.id,
        after={"number": number, "reference": reference, "content": content},
        summary=f"第{number}条意见",
    )
    return opinion


def get_opinion(db: Session, engagement: Engagement, opinion_id: int) -> Opinion:
    return item_of(
        db, Opinion, opinion_id, owner="engagement_id", owner_id=engagement.id, missing="意见不存在"
    )


def _own_open(db: Session, engagement: Engagement, actor: User, opinion: Opinion) -> None:
    row = _unit_round(db, engagement, actor)
    if opinion.consultation_id != row.id:
        raise Conflict("只能修改本轮征求意见中的意见")
    if itemised.refuse_edit(answered=opinion.answered):
        raise Conflict(f"第{opinion.number}条意见已由评价机构答复，不能再修改")


def update_opinion(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    opinion: Opinion,
    reference: str,
    content: str,
    version: int | None,
) -> Opinion:
    _own_open(db, engagement, actor, opinion)
    require_version(version, opinion.version, stale="该意见已被他人修改，请刷新后重试")
    reference, content = _clean_opinion(reference, content)
    before = {"reference": opinion.reference, "content": opinion.content}
    opinion.reference, opinion.content, opinion.updated_at = reference, content, utcnow()
    db.add(opinion)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consultation.opinion.update",
        obj=opinion,
        engagement_id=engagement.id,
        before=before,
        after={"reference": reference, "content": content},
        summary=f"第{opinion.number}条意见",
    )
    return opinion


def delete_opinion(db: Session, *, actor: User, engagement: Engagement, opinion: Opinion) -> None:
    _own_open(db, engagement, actor, opinion)
    audit.record(
        db,
        actor=actor,
        action="consultation.opinion.delete",
        obj=opinion,
        engagement_id=engagement.id,
        before={"number": opinion.number, "content": opinion.content},
        summary=f"删除第{opinion.number}条意见",
    )
    db.delete(opinion)
    db.flush()


def complete(db: Session, *, actor: User, engagement: Engagement) -> Consultation:
    """The unit marks its feedback complete (with or without opinions)."""
    row = _unit_round(db, engagement, actor)
    row.completed_by_id, row.completed_at = actor.id, utcnow()
    db.add(row)
    db.flush()
    count = len(opinions(db, row))
    audit.record(
        db,
        actor=actor,
        action="consultation.complete",
        obj=row,
        engagement_id=engagement.id,
        after={"opinions": count},
        summary=f"被评价单位反馈完毕（{count}条意见）",
    )
    return row


def record_no_opinions(
    db: Session, *, actor: User, engagement: Engagement, note: str
) -> Consultation:
    """The lead records that the unit had no opinions on the draft (the note says how we know)."""
    ensure_writable(engagement)
    authorize(
        actor, "engagement.manage", engagement, message="只有项目负责人可以记录被评价单位无意见"
    )
    require_cleared(db, engagement, actor)
    row = current(db, engagement)
    if row is None:
        raise Conflict("尚未发送征求意见稿")
    if row.closed:
        raise Conflict("本轮征求意见已结束")
    if opinions(db, row):
        raise Conflict("被评价单位已提出意见，不能记录为无意见")
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise ValidationFailed.of_field(
            "note", "请说明被评价单位无意见的情况（如回函日期、电话确认人），不超过1000字"
        )
    row.no_opinions_note, row.no_opinions_by_id, row.no_opinions_at = note, actor.id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consultation.no_opinions",
        obj=row,
        engagement_id=engagement.id,
        after={"note": note},
        summary="记录被评价单位对征求意见稿无意见",
    )
    return row


def answer(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    opinion: Opinion,
    adoption: str,
    reason: str,
    version: int | None,
) -> Opinion:
    """The agency answers one opinion: 采纳 / 部分采纳 / 不采纳 and the reason or the change made."""
    ensure_writable(engagement)
    authorize(actor, "engagement.team", engagement, message="只有评价机构项目组成员可以答复意见")
    require_cleared(db, engagement, actor)
    require_version(version, opinion.version, stale="该意见已被他人修改或答复，请刷新后重试")
    if itemised.refuse_choice(opinion.adoption, adoption, ANSWER_MOVES):
        raise ValidationFailed.of_field("adoption", "请选择采纳、部分采纳或不采纳")
    reason = (reason or "").strip()
    refusal = itemised.refuse_note(adoption, reason, required_for=ADOPTIONS, limit=2000)
    if refusal:
        raise ValidationFailed.of_field("reason", REASON_REFUSALS[refusal])
    before = {"adoption": opinion.adoption, "reason": opinion.reason}
    opinion.adoption, opinion.reason = adoption, reason
    opinion.answered_by_id, opinion.answered_at = actor.id, utcnow()
    db.add(opinion)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consultation.answer",
        obj=opinion,
        engagement_id=engagement.id,
        before=before,
        after={"adoption": adoption, "reason": reason},
        summary=f"答复第{opinion.number}条意见：{adoption}",
    )
    return opinion


def blockers(db: Session, engagement: Engagement) -> list[Blocker]:
    """The `consultation` gate: a draft sent, the round closed, every opinion answered."""
    link = f"/engagements/{engagement.id}/consultation"
    row = current(db, engagement)
    if row is None:
        return [Blocker("尚未向被评价单位发送征求意见稿", link)]
    found = []
    if not row.closed:
        found.append(Blocker("被评价单位尚未确认反馈完毕（或由项目负责人记录其无意见）", link))
    unanswered = itemised.progress(opinions(db, row), answered=lambda o: o.answered).open
    found += [Blocker(f"第{o.number}条意见尚未答复", f"{link}#opinion-{o.id}") for o in unanswered]
    return found


def opinion_table_context(db: Session, engagement: Engagement) -> dict:
    """The opinion_table.docx context of the latest round."""
    row = current(db, engagement)
    if row is None:
        raise Conflict("尚未发送征求意见稿，无法生成意见采纳情况表")
    items = opinions(db, row)
    moments = [row.completed_at, row.no_opinions_at] + [o.created_at for o in items]
    latest = max((local(m) for m in moments if m is not None), default=None)
    return context.opinion_table_context(
        collect.project(db, engagement),
        feedback_date=latest.date() if latest else None,
        opinions=[
            {"reference": o.reference, "content": o.content, "adoption": o.adoption,
             "reason": o.reason}
            for o in items
        ],
    )  # fmt: skip


def pending_for(db: Session, user: User) -> list[tuple[Engagement, Consultation]]:
    """Open rounds addressed to a unit contact (their dashboard panel)."""
    if not user.is_unit:
        return []
    engagements = {e.id: e for e in db.exec(visible_query(user)).all()}
    if not engagements:
        return []
    rows = db.exec(
        select(Consultation)
        .where(
            col(Consultation.engagement_id).in_(list(engagements)),
            col(Consultation.completed_at).is_(None),
            col(Consultation.no_opinions_at).is_(None),
        )
        .order_by(col(Consultation.id).desc())
    ).all()
    return [(engagements[r.engagement_id], r) for r in rows]
