"""报告体检 against the database: gather what the documents state, run the pure check, record it.

Run on the report page, acknowledged by the lead (warnings), and before every generation: errors
refuse the 送审稿 and 正式稿, unacknowledged warnings too; the findings go with the version.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, users_by_id
from workbench.facts import services as facts
from workbench.reports import checkup, collect, sections
from workbench.reports.checkup import CheckInputs, CheckResult
from workbench.reports.checkup_models import ReportCheck
from workbench.reports.section_outline import outline
from workbench.scoring.params import ParamError, parse_params
from workbench.scoring.services import compute

GENERATED = {"overview", "goals", "methodology", "process", "basic", "work"}
MISSING_PAPER = "取值的底稿或其合计数已不存在，请在基本信息页重新选择来源或录入"
SIGNER_ROLES = {"prepare": "报告编制人", "review": "报告复核人", "approve": "报告审定人"}


def _expert_count(row) -> int:
    """How many experts' scores an expert-rule leaf was scored on (in the app, else its 参数)."""
    if row.leaf.expert_scores:
        return len(row.leaf.expert_scores)
    try:
        return len(parse_params("expert", row.indicator.params or "").scores)
    except ParamError:
        return 0


def gather(db: Session, engagement: Engagement) -> CheckInputs:
    """What the generated documents would state, as plain values for `checkup.check`."""
    options = facts.paper_options(db, engagement)
    current = facts.current(db, engagement, options)
    links = facts.bindings(db, engagement)
    _result, rows = compute(db, engagement)
    indicators = []
    for row in rows:
        item, outcome, link = row.indicator, row.result, links.get(row.indicator.id)
        scored = outcome.not_applicable or outcome.score is not None
        unscored = "" if scored else (outcome.error or "缺少计分所需数据")
        indicators.append(
            checkup.IndicatorValue(
                name=item.name,
                target=item.target,
                actual=item.actual,
                target_key=link.target_key if link else "",
                actual_key=link.actual_key if link else "",
                unscored=unscored,
                expert_scores=_expert_count(row) if item.rule == "expert" else 0,
            )
        )  # fmt: skip
    deliverable = "report"
    html = collect.section_html(db, engagement, deliverable)
    texts = [
        checkup.SectionText(
            title=entry.heading,
            text=sections.to_text(html.get(entry.key, "")),
            required=entry.required,
            generated=entry.key in GENERATED,
        )
        for entry in outline(db, engagement, deliverable)
    ]
    inputs = collect.inputs(db, engagement, deliverable=deliverable)
    planned = inputs.planned_sample.required if inputs.planned_sample else None
    surveys = [
        checkup.SurveyCount(s.title, s.valid, s.required or planned, s.alpha)
        for s in inputs.survey_appendix
        if s.indicators
    ]
    member_names = set(
        u.display_name for u in users_by_id(db, {m.user_id for m in engagement.members}).values()
    )
    signers = [
        (SIGNER_ROLES.get(level, level), name, name in member_names)
        for level, name in inputs.report_signers.items()
    ]
    return CheckInputs(
        facts=[
            checkup.FactValue(
                f.key,
                f.label,
                f.definition.kind,
                f.value,
                f.text,
                f.definition.aliases,
                f.source_label,
                MISSING_PAPER if f.source == "paper" and f.value is None else "",
            )
            for f in current
        ],
        indicators=indicators,
        papers=[
            checkup.PaperFigure(option.index_no, v.label, v.value, v.fact_key)
            for option in options
            for v in option.values
            if v.fact_key
        ],
        sections=texts,
        surveys=surveys,
        # The expert group the plan lists: the assigned experts (with or without an account).
        expert_members=[person.name for person in collect.experts(db, engagement)],
        signers=signers,
        scores_signed=inputs.scores_signed,
    )


def run(db: Session, engagement: Engagement) -> CheckResult:
    """The check of the engagement as it stands now (nothing is written)."""
    return checkup.check(gather(db, engagement))


def acknowledgement(db: Session, engagement: Engagement, fingerprint: str) -> ReportCheck | None:
    """The lead's acknowledgement of exactly these warnings, if there is one."""
    return db.exec(
        select(ReportCheck)
        .where(
            ReportCheck.engagement_id == engagement.id,
            col(ReportCheck.version_id).is_(None),
            ReportCheck.fingerprint == fingerprint,
            col(ReportCheck.acknowledged_by_id).is_not(None),
        )
        .order_by(col(ReportCheck.id).desc())
    ).first()


def acknowledge(
    db: Session, *, actor: User, engagement: Engagement, fingerprint: str
) -> ReportCheck:
    """The lead confirms having read the current warnings (a changed list needs a new confirmation)."""
    ensure_writable(engagement)
    authorize(
        actor,
        "engagement.manage",
        engagement,
        message="报告体检的警告只能由项目负责人（或本机构管理员）确认",
    )
    result = run(db, engagement)
    if fingerprint != result.fingerprint:
        raise Conflict("体检结果已变化，请查看最新的体检结果后再确认")
    if not result.warnings:
        raise Conflict("当前没有需要确认的警告")
    row = ReportCheck(
        engagement_id=engagement.id,
        fingerprint=result.fingerprint,
        findings=result.as_records(),
        errors=len(result.errors),
        warnings=len(result.warnings),
        acknowledged_by_id=actor.id,
        acknowledged_at=utcnow(),
        created_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report_check.acknowledge",
        obj=row,
        engagement_id=engagement.id,
        after={"warnings": [f.message for f in result.warnings]},
        summary=f"项目负责人确认报告体检警告{len(result.warnings)}项",
    )
    return row


def before_generation(
    db: Session, *, actor: User, engagement: Engagement, label: str
) -> tuple[CheckResult, ReportCheck | None]:
    """Sync bound indicators, run the check; refuse a 送审稿/正式稿 with errors or unacknowledged warnings."""
    facts.apply_bindings(db, actor=actor, engagement=engagement)
    result = run(db, engagement)
    ack = acknowledgement(db, engagement, result.fingerprint) if result.warnings else None
    if checkup.blocks(label):
        if result.errors:
            raise Conflict(
                f"报告体检发现{len(result.errors)}项错误，不能生成{label}",
                details=[f"{f.where}：{f.message}" for f in result.errors],
            )
        if result.warnings and ack is None:
            raise Conflict(
                f"报告体检有{len(result.warnings)}项警告尚未经项目负责人确认，不能生成{label}",
                details=[f"{f.where}：{f.message}" for f in result.warnings],
            )
    return result, ack


def record(
    db: Session, *, actor: User, engagement: Engagement, version_id: int, result: CheckResult,
    ack: ReportCheck | None,
) -> ReportCheck:  # fmt: skip
    """Keep the findings (and who acknowledged the warnings) with the generated version."""
    row = ReportCheck(
        engagement_id=engagement.id,
        version_id=version_id,
        fingerprint=result.fingerprint,
        findings=result.as_records(),
        errors=len(result.errors),
        warnings=len(result.warnings),
        acknowledged_by_id=ack.acknowledged_by_id if ack else None,
        acknowledged_at=ack.acknowledged_at if ack else None,
        created_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    return row


def by_version(db: Session, version_ids: list[int]) -> dict[int, ReportCheck]:
    """Version id → its recorded check (for the version list; one query, also for none)."""
    rows = db.exec(select(ReportCheck).where(col(ReportCheck.version_id).in_(version_ids))).all()
    return {r.version_id: r for r in rows}


def acknowledger_names(db: Session, rows: list[ReportCheck]) -> dict[int, str]:
    """Who acknowledged the warnings of these checks (one query, also when there are none)."""
    ids = [r.acknowledged_by_id for r in rows if r.acknowledged_by_id]
    found = db.exec(select(User).where(col(User.id).in_(ids))).all()
    return {u.id: u.display_name for u in found}
