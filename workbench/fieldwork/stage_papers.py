"""Working papers each stage's gate asks for (篇三: a paper for every step of the flowchart).

The firm chooses, per stage, which templates must have an approved paper before the stage is
completed; until its admin saves a choice, DEFAULTS apply: the papers of the stages before
fieldwork, whose work no other record of the workbench holds (the acceptance and independence
assessments, the preliminary research, the indicator justification). Later stages' own records
(score sheet, opinion table, bureau decisions, archive checklist) already gate them; their papers
are there to be required where a firm's practice wants them too.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.stages import ORDER, STAGE_NAMES, DerivedItem, Stage, registry
from workbench.fieldwork import catalog
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.review_rules import STATUS_NAMES, Status
from workbench.fieldwork.spec import TemplateSpec
from workbench.fieldwork.stage_paper_models import StagePaperSetting

DEFAULTS: dict[Stage, tuple[str, ...]] = {
    Stage.commission: ("engagement_acceptance", "independence"),
    Stage.plan: ("preliminary_research",),
    Stage.indicators: ("indicator_justification",),
}


def required(db: Session, agency_id: int) -> dict[Stage, list[str]]:
    """The template keys each stage requires for this agency (saved choice, else the default)."""
    found = {stage: list(DEFAULTS.get(stage, ())) for stage in ORDER}
    rows = db.exec(select(StagePaperSetting).where(StagePaperSetting.agency_id == agency_id)).all()
    for row in rows:
        if row.stage in Stage.__members__:
            found[Stage(row.stage)] = list(row.template_keys)
    return found


def choices(db: Session, agency_id: int) -> dict[Stage, list[TemplateSpec]]:
    """The active templates of each stage (shipped and the agency's own) an admin may require."""
    found: dict[Stage, list[TemplateSpec]] = {stage: [] for stage in ORDER}
    for spec in catalog.available(db, agency_id=agency_id):
        if spec.stage in Stage.__members__:
            found[Stage(spec.stage)].append(spec)
    return found


def save(db: Session, *, actor: User, chosen: dict[str, list[str]]) -> dict[Stage, list[str]]:
    """Store the admin's choice for every stage; an unknown template or stage is refused whole."""
    agency_id = actor.org_id
    options = choices(db, agency_id)
    errors = []
    for stage_key in chosen:
        if stage_key not in Stage.__members__:
            errors.append({"field": "stage", "message": f"阶段“{stage_key}”无效"})
            continue
        known = {t.key for t in options[Stage(stage_key)]}
        for key in chosen[stage_key]:
            if key not in known:
                name = STAGE_NAMES[Stage(stage_key)]
                errors.append(
                    {"field": stage_key, "message": f"“{name}”阶段没有可用的底稿模板“{key}”"}
                )
    if errors:
        raise ValidationFailed("底稿要求未保存", details=errors)
    before = {s.value: keys for s, keys in required(db, agency_id).items()}
    rows = {
        row.stage: row
        for row in db.exec(
            select(StagePaperSetting).where(StagePaperSetting.agency_id == agency_id)
        ).all()
    }
    for stage in ORDER:
        keys = sorted(set(chosen.get(stage.value, [])))
        row = rows.get(stage.value) or StagePaperSetting(agency_id=agency_id, stage=stage.value)
        row.template_keys, row.updated_by_id, row.updated_at = keys, actor.id, utcnow()
        db.add(row)
    db.flush()
    after = {s.value: keys for s, keys in required(db, agency_id).items()}
    audit.record(
        db,
        actor=actor,
        action="stage_papers.update",
        object_type="stage_paper_setting",
        object_id=agency_id,
        before=before,
        after=after,
        summary="修改各阶段须编制的工作底稿",
    )
    return {Stage(k): v for k, v in after.items()}


def _item(stage: Stage):
    def check(db: Session, engagement: Engagement) -> list[DerivedItem]:
        keys = required(db, engagement.agency_id)[stage]
        if not keys:
            return []
        papers = db.exec(
            select(WorkingPaper.id, WorkingPaper.index_no, WorkingPaper.template_key,
                   WorkingPaper.status)
            .where(WorkingPaper.engagement_id == engagement.id,
                   col(WorkingPaper.template_key).in_(keys))
            .order_by(col(WorkingPaper.index_no))
        ).all()  # fmt: skip
        names = {t.key: t for t in choices(db, engagement.agency_id)[stage]}
        base = f"/engagements/{engagement.id}/papers"
        items = []
        for key in keys:
            spec = names.get(key)
            label = f"{spec.name}（{spec.letter}-{spec.area}）" if spec else key
            text = f"工作底稿“{label}”已批准"
            mine = [p for p in papers if p.template_key == key]
            approved = [p.index_no for p in mine if p.status == Status.approved]
            if approved:
                items.append(DerivedItem(text, True, f"底稿 {'、'.join(approved)}", base))
            elif mine:
                states = "、".join(f"{p.index_no} {STATUS_NAMES[Status(p.status)]}" for p in mine)
                link = f"{base}/{mine[0].id}"
                items.append(DerivedItem(text, False, f"{states}，须完成编制、复核和批准", link))
            else:
                items.append(
                    DerivedItem(text, False, "尚未编制（本机构要求本阶段编制该底稿）", base)
                )
        return items

    check.__doc__ = f"The approved papers the firm requires at {stage.value}."
    return check


for _stage in ORDER:
    registry.derived(_stage)(_item(_stage))
