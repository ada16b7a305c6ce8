"""Gather the plain inputs of the documents from the other domains' services and tables.

Every domain ships with the others, so each is imported directly: engagements, indicators and the
scoring engine (`scoring.services.compute`: the report shows exactly the numbers of the scoring
page), working papers (fieldwork), the experts' pool (experts) and the survey summary (surveys).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core.errors import Conflict
from workbench.core.timeutil import local, today_local
from workbench.engagements.models import ROLE_NAMES, Engagement, MemberRole
from workbench.engagements.services import flow, orgs_by_id, users_by_id
from workbench.engagements.stages import STAGE_NAMES, STAGE_WORK, Stage
from workbench.experts.models import Expert, ExpertAssignment
from workbench.facts import services as facts
from workbench.facts.catalog import render_tokens
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.numbering import sort_key
from workbench.reports import context_report, ex_ante, schedule
from workbench.reports.collect_signers import report_signers, scores_signer
from workbench.reports.collect_signers import score_signers as score_signers  # services' way in
from workbench.reports.collect_surveys import appendix_surveys, planned_sample, survey_from_summary
from workbench.reports.context import (
    Finding,
    Inputs,
    LeafRow,
    Paper,
    Person,
    Project,
    SampleSettings,
    SurveySummary,
    Totals,
    Visit,
)
from workbench.reports.models import ReportSection, ReportSetting
from workbench.reports.prose_inputs import score_facts
from workbench.scoring.services import compute
from workbench.surveys.models import Survey
from workbench.surveys.services import report_summary

TEAM_ORDER = (MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer)


def project(db: Session, engagement: Engagement) -> Project:
    orgs = orgs_by_id(db, {engagement.agency_id, engagement.bureau_id, engagement.unit_id or 0})

    def name(org_id: int | None) -> str:
        return orgs[org_id].name if org_id in orgs else ""

    money = {f.key: f.value for f in facts.current(db, engagement)}

    return Project(
        title=engagement.title,
        type=engagement.type,
        code=engagement.code,
        bureau=name(engagement.bureau_id),
        unit=name(engagement.unit_id) or "（未指定）",
        agency=name(engagement.agency_id),
        budget_year=engagement.budget_year,
        today=today_local(),
        budget_amount=money.get("budget"),
        funds_available=money.get("received"),
        funds_spent=money.get("spent"),
        description=engagement.description,
        planned_start=engagement.planned_start,
        planned_end=engagement.planned_end,
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def scores(
    db: Session, engagement: Engagement, *, computed=None
) -> tuple[list[LeafRow], Totals, list]:
    """Leaf rows and totals from the scoring engine (the scoring page's numbers); `computed` is
    `scoring.services.compute`'s answer when the caller already has it."""
    result, rows = computed or compute(db, engagement)
    leaves = []
    for row in rows:
        item, outcome = row.indicator, row.result
        findings = [
            Finding(
                text=str(f.get("text", "")),
                paper_index=str(f.get("paper_index") or ""),
                amount=_decimal(f.get("amount")),
            )
            for f in row.inputs.findings
            if f.get("text")
        ]
        leaves.append(
            LeafRow(
                level1=item.level1,
                level2=item.level2,
                name=item.name,
                weight=item.weight,
                score=outcome.score,
                not_applicable=outcome.not_applicable,
                na_reason=item.na_reason or outcome.na_reason,
                explanation=""
                if outcome.not_applicable
                else (outcome.error or outcome.explanation),
                justification=item.justification,
                standard=item.standard,
                target=item.target,
                actual=item.actual,
                findings=findings,
                rule=item.rule,
                params=item.params,
                points=item.points,
                facts=score_facts(item, row.leaf, outcome, row.inputs),
            )
        )
    totals = Totals(
        sum_scores=result.sum_scores,
        total_weight=result.total_weight,
        applicable_weight=result.applicable_weight,
        total=result.total,
        grade=result.grade,
    )
    return leaves, totals, [row.indicator for row in rows]


def visits(db: Session, engagement: Engagement) -> list[Visit]:
    out = []
    for visit in flow.visits(db, engagement):
        stage = Stage(visit.stage)
        left = local(visit.left_at)
        out.append(
            Visit(
                stage=stage.value,
                name=STAGE_NAMES[stage],
                work=STAGE_WORK[stage],
                entered=local(visit.entered_at).date(),
                left=left.date() if left else None,
            )
        )
    return out


def papers(db: Session, engagement: Engagement) -> list[Paper]:
    """The engagement's working papers past draft, by index number (none without fieldwork)."""
    rows = db.exec(
        select(WorkingPaper).where(
            WorkingPaper.engagement_id == engagement.id, WorkingPaper.status != "draft"
        )
    ).all()
    return [
        Paper(
            index=row.index_no,
            title=row.title,
            stage=STAGE_NAMES.get(row.stage, row.stage),
            status=row.status,
        )
        for row in sorted(rows, key=lambda r: sort_key(r.index_no))
    ]


def _qualifications(user: User | None) -> str:
    """资格证书, one per line in the profile, as one line for the plan's team table."""
    lines = (user.qualifications if user else "").splitlines()
    return "、".join(line.strip() for line in lines if line.strip())


def team(db: Session, engagement: Engagement) -> list[Person]:
    members = sorted(
        (m for m in engagement.members if m.role in TEAM_ORDER),
        key=lambda m: (TEAM_ORDER.index(MemberRole(m.role)), m.id),
    )
    users = users_by_id(db, {m.user_id for m in members})
    return [
        Person(
            name=users[m.user_id].display_name if m.user_id in users else f"#{m.user_id}",
            role_name=ROLE_NAMES[MemberRole(m.role)],
            duty=m.duty,
            title=users[m.user_id].title if m.user_id in users else "",
            qualifications=_qualifications(users.get(m.user_id)),
        )
        for m in members
    ]


def experts(db: Session, engagement: Engagement) -> list[Person]:
    """Assigned experts from the pool (title, organisation, fields), else expert members."""
    rows = db.exec(
        select(Expert, ExpertAssignment)
        .join(ExpertAssignment, col(ExpertAssignment.expert_id) == Expert.id)
        .where(
            ExpertAssignment.engagement_id == engagement.id,
            col(ExpertAssignment.ended_at).is_(None),
        )
        .order_by(col(ExpertAssignment.id))
    ).all()
    if rows:
        return [
            Person(
                name=e.name,
                role_name="评审专家",
                duty=a.duty,
                title=e.title,
                organisation=e.organisation,
                field="、".join(t.strip() for t in e.field_tags.split(",") if t.strip()),
            )
            for e, a in rows
        ]
    members = [m for m in engagement.members if m.role == MemberRole.expert]
    users = users_by_id(db, {m.user_id for m in members})
    return [
        Person(name=users[m.user_id].display_name, role_name="评审专家", duty=m.duty)
        for m in members
        if m.user_id in users
    ]


def survey(db: Session, engagement: Engagement) -> SurveySummary | None:
    """The primary survey's section (the report's charts and older callers)."""
    return survey_from_summary(report_summary(db, engagement).primary)


def setting(db: Session, engagement: Engagement) -> ReportSetting | None:
    return db.exec(
        select(ReportSetting).where(ReportSetting.engagement_id == engagement.id)
    ).first()


def sample_settings(row: ReportSetting | None) -> SampleSettings:
    if row is None:
        return SampleSettings()
    return SampleSettings(
        confidence=row.confidence,
        margin=row.margin,
        proportion=row.proportion,
        population=row.population,
        target=row.target,
        strata=[(str(s["name"]), int(s["population"])) for s in row.strata or []],
    )


def survey_sample(db: Session, engagement: Engagement) -> tuple[bool, SampleSettings | None]:
    """(the engagement has a survey, the first survey's sample plan) from the surveys domain."""
    rows = db.exec(
        select(Survey).where(Survey.engagement_id == engagement.id).order_by(col(Survey.id))
    ).all()
    planned = next((r for r in rows if r.sample_planned_at), None)
    if planned is None:
        return bool(rows), None
    return True, SampleSettings(
        confidence=planned.sample_confidence,
        margin=planned.sample_margin,
        population=planned.sample_population,
    )


def section_html(db: Session, engagement: Engagement, deliverable: str) -> dict[str, str]:
    rows = db.exec(
        select(ReportSection).where(
            ReportSection.engagement_id == engagement.id,
            ReportSection.deliverable == deliverable,
        )
    ).all()
    # Fact fields ({{fact:budget}}) become the current value, escaped; never template-executed.
    values = facts.shown(facts.current(db, engagement))
    return {row.key: render_tokens(row.html, values) for row in rows}


def inputs(db: Session, engagement: Engagement, *, deliverable: str, label: str = "") -> Inputs:
    """Everything a document of the engagement is built from."""
    computed = compute(db, engagement)  # the numbers, and whether the lead's sign-off holds
    leaves, totals, indicators = scores(db, engagement, computed=computed)
    row = setting(db, engagement)
    surveys = report_summary(db, engagement) if deliverable != "plan" else None
    summary = survey_from_summary(surveys.primary if surveys else None)
    has_survey, planned = survey_sample(db, engagement)
    uses_survey = has_survey or any(i.rule == "satisfaction" or i.survey_link for i in indicators)
    # The plan's own settings win; until saved, the survey's sample plan (if any) is used.
    sample = sample_settings(row) if row is not None or planned is None else planned
    return Inputs(
        project=project(db, engagement),
        leaves=leaves,
        totals=totals,
        sections=section_html(db, engagement, deliverable),
        visits=visits(db, engagement),
        papers=papers(db, engagement) if deliverable != "plan" else [],
        team=team(db, engagement) if deliverable == "plan" else [],
        experts=experts(db, engagement) if deliverable == "plan" else [],
        survey=summary,
        sample=sample,
        has_survey=uses_survey or summary is not None,
        label=label,
        plan_date=row.plan_date if row else None,
        plan_schedule=schedule.from_record(row.schedule) if row else {},
        ex_ante_bands=ex_ante_bands(),
        scores_signed=scores_signer(db, engagement, computed=computed) is not None,
        report_signers=report_signers(db, engagement) if deliverable == "report" else {},
        survey_appendix=appendix_surveys(surveys.surveys if surveys else (), indicators),
        planned_sample=planned_sample(row),
    )


def ex_ante_bands() -> ex_ante.Bands:
    """The ex-ante conclusion bands: WORKBENCH_EX_ANTE_BANDS, else the documented default."""
    configured = current_app.config.get("EX_ANTE_BANDS") if has_app_context() else None
    try:
        return ex_ante.parse_bands(configured) if configured else ex_ante.DEFAULT_BANDS
    except ValueError as error:
        raise Conflict(f"评估结论分数线设置（WORKBENCH_EX_ANTE_BANDS）有误：{error}") from error


def ex_ante_conclusion(db: Session, engagement: Engagement) -> ex_ante.Conclusion:
    """The conclusion the ex-ante report prints now: from the signed total through the bands."""
    return context_report.ex_ante_conclusion(inputs(db, engagement, deliverable="report"))


def ex_ante_bands_text() -> str:
    """The configured bands as the sentence the report prints."""
    return ex_ante.describe_bands(ex_ante_bands())
