"""The flowchart service: gates, advance, move back, checklist confirmations."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements import stages
from workbench.engagements.archive_hooks import archive
from workbench.engagements.models import (
    DECLARATION_NAMES,
    DECLARING_ROLES,
    ChecklistConfirmation,
    DeclarationKind,
    Engagement,
    MemberRole,
    StageVisit,
    ensure_writable,
)
from workbench.engagements.stages import Blocker, DerivedItem, FlowStep, Stage, registry
from workbench.engagements.team import declarations, require_cleared


@registry.gate(Stage.commission, replaces_checklist=False)
def team_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """A lead, at least one more team member, and every declaration signed and clear."""
    link = f"/engagements/{engagement.id}/team"
    blockers = []
    if not any(m.role == MemberRole.lead for m in engagement.members):
        blockers.append(Blocker("项目尚未指定项目负责人", link))
    if not any(m.role in (MemberRole.evaluator, MemberRole.reviewer) for m in engagement.members):
        blockers.append(Blocker("工作组尚无评价人员或复核人", link))
    signed = declarations(db, engagement)
    users = {
        u.id: u
        for u in db.exec(
            select(User).where(User.id.in_([m.user_id for m in engagement.members]))
        ).all()
    }
    for member in engagement.members:
        if member.role not in DECLARING_ROLES:
            continue
        name = (
            users[member.user_id].display_name if member.user_id in users else f"#{member.user_id}"
        )
        for kind in DeclarationKind:
            found = signed.get((member.user_id, kind))
            if found is None:
                blockers.append(
                    Blocker(f"{name}（{member.role_name}）尚未签署{DECLARATION_NAMES[kind]}", link)
                )
            elif not found.clears:
                blockers.append(Blocker(f"{name} 申报了利益冲突，须回避或由机构管理员豁免", link))
    return blockers


def not_applicable(db: Session, engagement: Engagement) -> dict[Stage, str]:
    """Stages that do not apply to this engagement, with the reason."""
    found = {}
    for stage, check in registry.applicability.items():
        reason = check(db, engagement)
        if reason:
            found[stage] = reason
    return found


def confirmed_items(
    db: Session, engagement: Engagement, stage: Stage
) -> dict[str, ChecklistConfirmation]:
    rows = db.exec(
        select(ChecklistConfirmation).where(
            ChecklistConfirmation.engagement_id == engagement.id,
            ChecklistConfirmation.stage == stage,
        )
    ).all()
    return {row.item: row for row in rows}


def derived_items(db: Session, engagement: Engagement, stage: Stage) -> list[DerivedItem]:
    """The stage's conditions read from the record, met or not (shown on the flowchart)."""
    return [item for check in registry.items.get(stage, []) for item in check(db, engagement)]


def blockers_for(
    db: Session,
    engagement: Engagement,
    stage: Stage,
    *,
    derived: list[DerivedItem] | None = None,
) -> list[Blocker]:
    """Everything that keeps `stage` from being completed.

    `derived` is `derived_items()` of the stage when the caller has it already.
    """
    if derived is None:
        derived = derived_items(db, engagement, stage)
    found = [item.blocker() for item in derived if not item.ok]
    for check in registry.gates.get(stage, []):
        found.extend(check(db, engagement))
    items = registry.checklist(stage)
    if items:
        link = f"/engagements/{engagement.id}#checklist"
        confirmed = confirmed_items(db, engagement, stage)
        found.extend(
            Blocker(f"待项目负责人确认：{text}", link)
            for key, text in items
            if key not in confirmed
        )
    return found


def flow(
    db: Session,
    engagement: Engagement,
    *,
    skipped: dict[Stage, str] | None = None,
    derived: list[DerivedItem] | None = None,
) -> list[FlowStep]:
    """The ten steps with statuses and the blockers of the current stage.

    `skipped` is `not_applicable()` and `derived` the current stage's `derived_items()` when the
    caller has them already (the flowchart shows both; each is read once).
    """
    skip = set(not_applicable(db, engagement) if skipped is None else skipped)
    blockers = (
        []
        if engagement.is_archived
        else blockers_for(db, engagement, Stage(engagement.stage), derived=derived)
    )
    return stages.build_flow(
        Stage(engagement.stage),
        blockers=blockers,
        not_applicable=skip,
        archived=engagement.is_archived,
    )


def _enter(
    db: Session, engagement: Engagement, target: Stage, *, how: str, reason: str = ""
) -> None:
    now = utcnow()
    visit = db.exec(
        select(StageVisit).where(
            StageVisit.engagement_id == engagement.id, StageVisit.left_at.is_(None)
        )
    ).first()
    if visit is not None:
        visit.left_at, visit.left_by, visit.reason = now, how, reason
        db.add(visit)
    engagement.stage = target
    engagement.stage_entered_at = now
    engagement.updated_at = now
    db.add(engagement)
    db.add(StageVisit(engagement_id=engagement.id, stage=target, entered_at=now))
    db.flush()


def advance(db: Session, *, actor: User, engagement: Engagement) -> Stage | None:
    """Complete the current stage and enter the next; archiving at the last stage locks the engagement."""
    ensure_writable(engagement)
    require_cleared(db, engagement, actor)
    current = Stage(engagement.stage)
    blockers = blockers_for(db, engagement, current)
    if blockers:
        raise Conflict(
            f"“{stages.STAGE_NAMES[current]}”尚未完成，不能进入下一阶段",
            details=[b.text for b in blockers],
        )
    target = stages.next_stage(current, set(not_applicable(db, engagement)))
    before = {"stage": current.value}
    if target is None:
        archive(db, actor=actor, engagement=engagement)
        audit.record(
            db,
            actor=actor,
            action="engagement.archive",
            obj=engagement,
            engagement_id=engagement.id,
            before=before,
            after={"archived_at": engagement.archived_at},
            summary="项目归档，转为只读",
        )
        return None
    _enter(db, engagement, target, how="advance")
    audit.record(
        db,
        actor=actor,
        action="stage.advance",
        obj=engagement,
        engagement_id=engagement.id,
        before=before,
        after={"stage": target.value},
        summary=f"{stages.STAGE_NAMES[current]} → {stages.STAGE_NAMES[target]}",
    )
    return target


def move_back(
    db: Session, *, actor: User, engagement: Engagement, target: str, reason: str
) -> Stage:
    """Return to an earlier stage (a returned report, a re-opened survey); a reason is required."""
    ensure_writable(engagement)
    require_cleared(db, engagement, actor)
    if target not in Stage.__members__:
        raise ValidationFailed.of_field("target", "目标阶段无效")
    target_stage = Stage(target)
    current = Stage(engagement.stage)
    if not stages.can_move_back(current, target_stage):
        raise Conflict("只能退回到之前的阶段")
    if target_stage in not_applicable(db, engagement):
        raise Conflict("该阶段不适用于本项目")
    if not reason.strip():
        raise ValidationFailed(
            "请填写退回原因", details=[{"field": "reason", "message": "退回须说明原因"}]
        )
    _enter(db, engagement, target_stage, how="back", reason=reason.strip()[:1000])
    audit.record(
        db,
        actor=actor,
        action="stage.back",
        obj=engagement,
        engagement_id=engagement.id,
        before={"stage": current.value},
        after={"stage": target_stage.value, "reason": reason.strip()},
        summary=f"{stages.STAGE_NAMES[current]} ← 退回 {stages.STAGE_NAMES[target_stage]}：{reason.strip()}",
    )
    return target_stage


def confirm_item(
    db: Session, *, actor: User, engagement: Engagement, stage: str, item: str, note: str = ""
) -> ChecklistConfirmation:
    """The lead confirms one checklist item of the current stage's gate."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以确认")
    require_cleared(db, engagement, actor)
    if stage != engagement.stage:
        raise Conflict("只能确认当前阶段的事项")
    keys = dict(registry.checklist(Stage(stage)))
    if item not in keys:
        raise ValidationFailed.of_field("item", "确认事项无效")
    if item in confirmed_items(db, engagement, Stage(stage)):
        raise Conflict("该事项已确认")
    row = ChecklistConfirmation(
        engagement_id=engagement.id,
        stage=Stage(stage),
        item=item,
        note=note.strip()[:1000],
        confirmed_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="checklist.confirm",
        obj=row,
        engagement_id=engagement.id,
        after={"stage": stage, "item": item, "note": row.note},
        summary=keys[item],
    )
    return row


def unconfirm_item(
    db: Session, *, actor: User, engagement: Engagement, stage: str, item: str
) -> None:
    """Withdraw a confirmation of the current stage."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以撤销确认")
    if stage != engagement.stage:
        raise Conflict("只能撤销当前阶段的确认")
    row = confirmed_items(db, engagement, Stage(stage)).get(item)
    if row is None:
        raise Conflict("该事项尚未确认")
    audit.record(
        db,
        actor=actor,
        action="checklist.unconfirm",
        obj=row,
        engagement_id=engagement.id,
        before={"stage": stage, "item": item, "note": row.note},
    )
    db.delete(row)
    db.flush()


# Built once: the flowchart lists the visits on every view (the engagement is a parameter).
_VISITS = (
    select(StageVisit)
    .where(StageVisit.engagement_id == bindparam("engagement_id"))
    .order_by(StageVisit.id)
)


def visits(db: Session, engagement: Engagement) -> list[StageVisit]:
    return list(db.exec(_VISITS, params={"engagement_id": engagement.id}).all())
