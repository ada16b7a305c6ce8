"""Working papers: create from a template with an index number, edit with a version, delete drafts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import guard_write
from workbench.fieldwork import catalog
from workbench.fieldwork.common import STALE_PAPER, flush
from workbench.fieldwork.models import (
    Evidence,
    Finding,
    FindingEvidence,
    PaperIndicator,
    PaperSignoff,
    ReviewNote,
    WorkingPaper,
)
from workbench.fieldwork.numbering import format_index
from workbench.fieldwork.request_models import DocumentRequest
from workbench.fieldwork.review import content_changed, require_clear_confirmed
from workbench.fieldwork.spec import FieldSpec, fields_from
from workbench.fieldwork.values import clean_values, initial_values
from workbench.indicators.models import Indicator

WRITERS = {MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer}


def get_paper(db: Session, *, engagement: Engagement, paper_id: int) -> WorkingPaper:
    """A paper of this engagement (404 otherwise)."""
    paper = db.get(WorkingPaper, paper_id)
    if paper is None or paper.engagement_id != engagement.id:
        raise NotFound("工作底稿不存在")
    return paper


def paper_fields(paper: WorkingPaper) -> tuple[FieldSpec, ...]:
    return fields_from(paper.spec)


def indicators(db: Session, engagement: Engagement) -> list[Indicator]:
    """The engagement's leaf indicators in tree order."""
    return list(
        db.exec(
            select(Indicator)
            .where(Indicator.engagement_id == engagement.id)
            .order_by(col(Indicator.position), col(Indicator.id))
        ).all()
    )


def indicators_by_paper(db: Session, paper_ids: Sequence[int]) -> dict[int, list[Indicator]]:
    """Each paper's supported indicators (one query)."""
    found: dict[int, list[Indicator]] = {pid: [] for pid in paper_ids}
    if not paper_ids:
        return found
    rows = db.exec(
        select(PaperIndicator.paper_id, Indicator)
        .join(Indicator, col(Indicator.id) == PaperIndicator.indicator_id)
        .where(col(PaperIndicator.paper_id).in_(paper_ids))
        .order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    for paper_id, indicator in rows:
        found[paper_id].append(indicator)
    return found


def indicator_ids_for_paths(
    db: Session, *, engagement: Engagement, paths: Iterable[Sequence[str]]
) -> list[int]:
    """Ids of the indicators named by [一级, 二级, 三级] paths; 422 naming every unknown path."""
    by_path = {i.path: i.id for i in indicators(db, engagement)}
    ids, errors = [], []
    for number, path in enumerate(paths, start=1):
        key = tuple(str(p).strip() for p in path)
        if len(key) != 3 or key not in by_path:
            shown = "/".join(key)
            errors.append(
                {
                    "field": "indicator_paths",
                    "row": number,
                    "message": f"第{number}个指标“{shown}”不在本项目的指标体系中（须为 [一级, 二级, 三级]）",
                }
            )
        else:
            ids.append(by_path[key])
    if errors:
        raise ValidationFailed("指标路径有误", details=errors)
    return list(dict.fromkeys(ids))


def _check_indicators(db: Session, engagement: Engagement, ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return []
    known = set(
        db.exec(
            select(Indicator.id).where(
                Indicator.engagement_id == engagement.id, col(Indicator.id).in_(wanted)
            )
        ).all()
    )
    if set(wanted) - known:
        raise ValidationFailed.of_field(
            "indicator_ids", "所选指标不属于本项目的指标体系，请刷新后重选"
        )
    return wanted


def writers(db: Session, engagement: Engagement) -> list[User]:
    """Team members who may be assigned papers (lead, evaluators, reviewers)."""
    ids = [m.user_id for m in engagement.members if m.role in WRITERS]
    if not ids:
        return []
    return list(db.exec(select(User).where(col(User.id).in_(ids)).order_by(User.id)).all())


def _check_assignee(engagement: Engagement, assignee_id: int | None) -> int | None:
    if not assignee_id:
        return None
    if not any(m.user_id == assignee_id and m.role in WRITERS for m in engagement.members):
        raise ValidationFailed.of_field(
            "assignee_id", "编制人须是本项目的项目负责人、评价人员或复核人"
        )
    return assignee_id


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed.of_field("title", "底稿名称不能为空")
    if len(title) > 200:
        raise ValidationFailed.of_field("title", "底稿名称不能超过 200 个字符")
    return title


def _values(fields: tuple[FieldSpec, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
    values, errors = clean_values(fields, raw)
    if errors:
        raise ValidationFailed("底稿内容有误，未保存", details=errors)
    return values


def _next_seq(db: Session, engagement_id: int, stage: str, area: str) -> int:
    top = db.exec(
        select(func.max(WorkingPaper.seq)).where(
            WorkingPaper.engagement_id == engagement_id,
            WorkingPaper.stage == stage,
            WorkingPaper.area == area,
        )
    ).one()
    return (top or 0) + 1


def create_paper(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    template_key: str,
    title: str = "",
    indicator_ids: Iterable[int] = (),
    values: Mapping[str, Any] | None = None,
    assignee_id: int | None = None,
) -> WorkingPaper:
    """A new draft paper from a template, numbered automatically (e.g. D-03-02)."""
    guard_write(db, engagement, actor)
    template = catalog.get_template(db, agency_id=engagement.agency_id, key=template_key)
    title = _title(title or template.name)
    ids = _check_indicators(db, engagement, indicator_ids)
    if assignee_id:
        assignee = _check_assignee(engagement, assignee_id)
    else:  # by default the creator prepares the paper, when they are on the team
        writer = any(m.user_id == actor.id and m.role in WRITERS for m in engagement.members)
        assignee = actor.id if writer else None
    start = initial_values(template.fields)
    stored = _values(template.fields, {**start, **(values or {})})
    paper = None
    for _attempt in range(5):  # a colleague may take the same number at the same moment
        seq = _next_seq(db, engagement.id, template.stage, template.area)
        paper = WorkingPaper(
            engagement_id=engagement.id,
            index_no=format_index(template.stage, template.area, seq),
            stage=template.stage,
            area=template.area,
            seq=seq,
            template_key=template.key,
            template_name=template.name,
            spec=template.as_dict(),
            title=title,
            values=stored,
            assignee_id=assignee,
            created_by_id=actor.id,
            updated_by_id=actor.id,
        )
        try:
            with db.begin_nested():
                db.add(paper)
                db.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("底稿索引号分配冲突，请重试")
    for indicator_id in ids:
        db.add(PaperIndicator(paper_id=paper.id, indicator_id=indicator_id))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="working_paper.create",
        obj=paper,
        engagement_id=engagement.id,
        after={
            "index": paper.index_no,
            "title": title,
            "template": template.key,
            "indicators": ids,
        },
        summary=paper.label,
    )
    return paper


def update_paper(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    version: int,
    title: str,
    values: Mapping[str, Any],
    indicator_ids: Iterable[int],
    assignee_id: int | None = None,
    confirm_clear: bool = False,
) -> WorkingPaper:
    """Save a paper; a stale version is refused and a signed paper loses its later sign-offs.

    A change of content that clears the review and approval is refused unless the user confirmed
    it (`confirm_clear`), with the names of whose signatures would go.
    """
    guard_write(db, engagement, actor)
    require_version(version, paper.version, stale=STALE_PAPER)
    title = _title(title)
    stored = _values(paper_fields(paper), values)
    ids = _check_indicators(db, engagement, indicator_ids)
    assignee = _check_assignee(engagement, assignee_id)
    old_ids = set(
        db.exec(
            select(PaperIndicator.indicator_id).where(PaperIndicator.paper_id == paper.id)
        ).all()
    )
    changed = [
        name
        for name, differs in (
            ("名称", title != paper.title),
            ("内容", stored != paper.values),
            ("涉及指标", set(ids) != old_ids),
        )
        if differs
    ]
    before = {"title": paper.title, "values": paper.values, "indicators": sorted(old_ids)}
    if not changed and assignee == paper.assignee_id:
        return paper
    if changed:
        require_clear_confirmed(db, paper, confirmed=confirm_clear, action="保存对底稿的修改")
    paper.title, paper.values, paper.assignee_id = title, stored, assignee
    paper.updated_at, paper.updated_by_id = utcnow(), actor.id
    db.add(paper)
    flush(db)
    for indicator_id in old_ids - set(ids):
        link = db.get(PaperIndicator, (paper.id, indicator_id))
        if link is not None:
            db.delete(link)
    for indicator_id in set(ids) - old_ids:
        db.add(PaperIndicator(paper_id=paper.id, indicator_id=indicator_id))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="working_paper.update",
        obj=paper,
        engagement_id=engagement.id,
        before=before,
        after={"title": title, "values": stored, "indicators": sorted(ids), "assignee": assignee},
        summary=f"{paper.label}：修改{'、'.join(changed) or '编制人'}",
    )
    if changed:
        content_changed(
            db, actor=actor, engagement=engagement, paper=paper, what="、".join(changed)
        )
    return paper


def delete_paper(db: Session, *, actor: User, engagement: Engagement, paper: WorkingPaper) -> None:
    """Delete a draft that was never signed (its creator or the lead); its evidence rows go too."""
    guard_write(db, engagement, actor)
    if paper.created_by_id != actor.id and not engagement.can_manage(actor):
        raise NotAllowed("只有底稿创建人或项目负责人可以删除底稿")
    signed = db.exec(select(PaperSignoff.id).where(PaperSignoff.paper_id == paper.id)).first()
    if paper.status != "draft" or signed is not None:
        raise Conflict("只能删除从未签字的草稿底稿；已签字的底稿须保留以备查")
    paper_id = paper.id
    snapshot = audit.snapshot(paper, ["index_no", "title", "template_key", "values"])
    findings = db.exec(select(Finding.id).where(Finding.paper_id == paper_id)).all()
    for link in db.exec(
        select(FindingEvidence).where(col(FindingEvidence.finding_id).in_(findings or [0]))
    ).all():
        db.delete(link)
    db.flush()  # link rows first: without relationships the unit of work does not order them
    replies = select(ReviewNote).where(
        ReviewNote.paper_id == paper_id, col(ReviewNote.parent_id).is_not(None)
    )
    for row in db.exec(replies).all():
        db.delete(row)
    db.flush()
    for model in (Finding, ReviewNote, PaperIndicator):
        for row in db.exec(select(model).where(model.paper_id == paper_id)).all():
            db.delete(row)
    removed = 0
    for row in db.exec(select(Evidence).where(Evidence.paper_id == paper_id)).all():
        if row.request_item_id is not None:  # the unit's delivery stays on the engagement's list
            row.paper_id = None
            db.add(row)
        else:
            removed += 1
            db.delete(row)
    for request in db.exec(
        select(DocumentRequest).where(
            (col(DocumentRequest.paper_id) == paper_id)
            | (col(DocumentRequest.receipt_paper_id) == paper_id)
        )
    ).all():
        if request.paper_id == paper_id:
            request.paper_id = None
        if request.receipt_paper_id == paper_id:
            request.receipt_paper_id = None
        db.add(request)
    db.flush()
    db.delete(paper)
    flush(db)
    audit.record(
        db,
        actor=actor,
        action="working_paper.delete",
        object_type="working_paper",
        object_id=paper_id,
        engagement_id=engagement.id,
        before=snapshot,
        summary=f"删除草稿底稿 {snapshot['index_no']} {snapshot['title']}（含 {removed} 个佐证材料）",
    )
