"""The archive checklist (档案目录), computed from what the engagement's records hold.

Each item is read from another domain's tables when that domain is installed (found through the
schema, so a missing domain never breaks the gate). Other domains may add precise items with
`@archive_check`: a function (db, engagement) -> [Item].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import Table, func
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from workbench.core import storage
from workbench.engagements.models import ChecklistConfirmation, Engagement
from workbench.engagements.services import flow
from workbench.engagements.stages import Stage
from workbench.reports.models import DeliverableVersion
from workbench.review.archive import blob_shas
from workbench.review.models import QualityRating, ReviewComment, Submission
from workbench.review.states import REPORT_VERSION_KINDS, ReviewKind, SubmissionStatus


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str
    link: str | None = None
    warning: bool = False  # ok for the gate, but worth a look (shown amber, never blocks)


CheckFn = Callable[[Session, Engagement], list[Item]]
CHECKS: list[CheckFn] = []


def archive_check(fn: CheckFn) -> CheckFn:
    """Register an extra archive check (other domains: precise items about their own records)."""
    if fn not in CHECKS:
        CHECKS.append(fn)
    return fn


def page(engagement: Engagement, *segments: str) -> str:
    """The engagement page of the first installed segment (e.g. "fieldwork"), else the flowchart."""
    base = f"/engagements/{engagement.id}"
    if has_app_context():
        rules = {rule.rule for rule in current_app.url_map.iter_rules()}
        for segment in segments:
            if f"/engagements/<int:engagement_id>/{segment}" in rules:
                return f"{base}/{segment}"
    return base


def _table(*names: str) -> Table | None:
    for name in names:
        table = SQLModel.metadata.tables.get(name)
        if table is not None and "engagement_id" in table.c:
            return table
    return None


def _count(db: Session, table: Table, engagement: Engagement) -> int:
    stmt = (
        table_select(func.count()).select_from(table).where(table.c.engagement_id == engagement.id)
    )
    return db.connection().execute(stmt).scalar_one()


def _children(db: Session, parent: Table, engagement: Engagement, hint: str) -> int | None:
    """Rows of the tables hanging off `parent` whose name contains `hint` (e.g. responses)."""
    total, found = 0, False
    for table in SQLModel.metadata.sorted_tables:
        if hint not in table.name or table is parent:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is parent:
                owned = table_select(parent.c.id).where(parent.c.engagement_id == engagement.id)
                stmt = table_select(func.count()).select_from(table).where(fk.parent.in_(owned))
                total += db.connection().execute(stmt).scalar_one()
                found = True
                break
    return total if found else None


def _contract(db: Session, engagement: Engagement) -> Item:
    table = _table("finance_contract", "contract")
    link = page(engagement, "finance", "contract")
    if table is not None:
        ok = _count(db, table, engagement) > 0
        return Item("contract", "委托合同", ok, "已登记" if ok else "尚未登记委托合同", link)
    confirmed = db.exec(
        select(ChecklistConfirmation).where(
            ChecklistConfirmation.engagement_id == engagement.id,
            ChecklistConfirmation.stage == Stage.commission,
            ChecklistConfirmation.item == "contract_signed",
        )
    ).first()
    ok = confirmed is not None
    return Item("contract", "委托合同", ok, "已确认签订" if ok else "尚未确认委托合同", link)


def _versions(db: Session, engagement: Engagement) -> list[DeliverableVersion]:
    return list(
        db.exec(
            select(DeliverableVersion).where(DeliverableVersion.engagement_id == engagement.id)
        ).all()
    )


def _deliverables(
    db: Session, engagement: Engagement, versions: list[DeliverableVersion]
) -> list[Item]:
    link = page(engagement, "reports", "report", "documents")
    plans = [v for v in versions if v.kind == "plan"]
    reports = [v for v in versions if v.kind in REPORT_VERSION_KINDS]
    return [
        Item("plan", "评价工作方案", bool(plans),
             f"共 {len(plans)} 个版本" if plans else "尚未生成评价工作方案", link),
        Item("reports", "评价报告各版本", bool(reports),
             f"共 {len(reports)} 个版本" if reports else "尚未生成评价报告", link),
    ]  # fmt: skip


def _indicators(db: Session, engagement: Engagement) -> Item:
    link = page(engagement, "indicators")
    system, leaves = _table("indicator_system"), _table("indicator")
    if system is None or leaves is None:
        return Item("indicators", "指标体系及评分标准", True, "未启用指标模块", link)
    count = _count(db, leaves, engagement)
    confirmed = (
        db.connection()
        .execute(table_select(system.c.confirmed_at).where(system.c.engagement_id == engagement.id))
        .scalar()
    )
    if not count:
        return Item("indicators", "指标体系及评分标准", False, "尚未建立指标体系", link)
    if confirmed is None:
        return Item("indicators", "指标体系及评分标准", False, "指标体系尚未经项目负责人确认", link)
    return Item("indicators", "指标体系及评分标准", True, f"{count} 个三级指标，已确认", link)


def _papers(db: Session, engagement: Engagement) -> Item | None:
    table = _table("working_paper", "fieldwork_paper", "workpaper")
    if table is None:
        return None
    count = _count(db, table, engagement)
    link = page(engagement, "fieldwork", "papers", "workpapers")
    return Item("papers", "工作底稿", count > 0,
                f"共 {count} 份" if count else "尚无工作底稿", link)  # fmt: skip


def _surveys(db: Session, engagement: Engagement) -> Item | None:

    table = _table("survey", "questionnaire")
    if table is None:
        return None
    link = page(engagement, "surveys", "survey")
    if Stage.survey in flow.not_applicable(db, engagement):
        return Item("surveys", "调查问卷及答卷", True, "本项目不涉及满意度调查", link)
    surveys = _count(db, table, engagement)
    answers = _children(db, table, engagement, "response") or _children(
        db, table, engagement, "answer"
    )
    if not surveys:
        return Item("surveys", "调查问卷及答卷", False, "尚无调查问卷", link)
    if not answers:
        return Item("surveys", "调查问卷及答卷", False, f"{surveys} 份问卷均无答卷", link)
    return Item("surveys", "调查问卷及答卷", True, f"{surveys} 份问卷，{answers} 份答卷", link)


def _files(db: Session, engagement: Engagement) -> Item:
    """Every stored file the records point to is still in storage at its size (hashed on export)."""
    shas = blob_shas(db, engagement)
    sizes = {
        b.sha256: b.size
        for b in db.exec(select(storage.Blob).where(col(storage.Blob.sha256).in_(shas))).all()
    }
    broken = []
    for sha in sorted(shas):
        if storage.size(sha) != sizes.get(sha):
            broken.append(sha[:12])
    detail = (
        f"{len(shas)} 个文件完好"
        if not broken
        else f"{len(broken)} 个文件丢失或损坏（SHA-256 前缀 {'、'.join(broken[:5])}）"
    )
    link = f"/engagements/{engagement.id}/archive"
    return Item("files", "佐证材料及各类文件", not broken, detail, link)


def _review(db: Session, engagement: Engagement) -> list[Item]:
    link = f"/engagements/{engagement.id}/review"
    subs = list(db.exec(select(Submission).where(Submission.engagement_id == engagement.id)).all())
    pending = [s for s in subs if s.status == SubmissionStatus.submitted]
    unanswered = db.exec(
        select(func.count())
        .select_from(ReviewComment)
        .join(Submission, col(Submission.id) == ReviewComment.submission_id)
        .where(
            ReviewComment.engagement_id == engagement.id,
            Submission.status == SubmissionStatus.returned,
            ReviewComment.answer == "",
        )
    ).one()
    finals = [s for s in subs if s.kind == ReviewKind.final_report]
    approved = any(s.status == SubmissionStatus.approved for s in finals)
    rated = db.exec(
        select(QualityRating).where(QualityRating.engagement_id == engagement.id)
    ).first()
    if pending:
        records = Item(
            "review_records", "审核记录", False, f"{len(pending)} 个版本仍在委托方审核中", link
        )
    elif unanswered:
        records = Item(
            "review_records", "审核记录", False, f"{unanswered} 条审核意见尚未回复", link
        )
    else:
        records = Item(
            "review_records",
            "审核记录",
            bool(subs),
            f"共 {len(subs)} 次提交审核" if subs else "尚无提交审核记录",
            link,
        )
    return [
        records,
        Item("bureau_decision", "委托方审核意见（正式报告）", approved,
             "已审核通过" if approved else "正式评价报告尚未经委托方审核通过", link),
        Item("rating", "委托方质量考核", rated is not None,
             f"{rated.total} 分" if rated else "委托方尚未进行质量考核", f"{link}/rating"),
    ]  # fmt: skip


def checklist(db: Session, engagement: Engagement) -> list[Item]:
    """Every item of the archive, in the DOMAIN.md order, then other domains' own checks."""
    versions = _versions(db, engagement)
    items = [_contract(db, engagement), _deliverables(db, engagement, versions)[0]]
    items.append(_indicators(db, engagement))
    items.extend(i for i in (_papers(db, engagement), _surveys(db, engagement)) if i is not None)
    items.append(_files(db, engagement))
    items.append(_deliverables(db, engagement, versions)[1])
    items.extend(_review(db, engagement))
    for check in CHECKS:
        items.extend(check(db, engagement))
    return items
