"""Findings on a paper: observations, deductions and 评价要点 judgements, with their evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import NotFound, ValidationFailed
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.fieldwork.models import (
    Evidence,
    Finding,
    FindingEvidence,
    PaperIndicator,
    WorkingPaper,
)
from workbench.fieldwork.review import content_changed, require_clear_confirmed
from workbench.indicators.models import Indicator
from workbench.scoring.params import ElementsParams, ParamError, parse_params


class FindingKind(StrEnum):
    observation = "observation"
    deduction = "deduction"
    element = "element"


KIND_NAMES = {
    FindingKind.observation: "问题或说明（不直接影响得分）",
    FindingKind.deduction: "扣分",
    FindingKind.element: "评价要点判断",
}


@dataclass
class FindingInput:
    """What the form or the API sends for one finding."""

    text: str
    kind: str = FindingKind.observation
    indicator_id: int | None = None
    points: Decimal | None = None
    element_index: int | None = None
    met: Decimal | None = None
    money: Decimal | None = None
    evidence_ids: list[int] = field(default_factory=list)


def element_count(indicator: Indicator) -> int | None:
    """How many 评价要点 an `elements` indicator has (None when its 参数 cannot be read)."""
    try:
        params = parse_params("elements", indicator.params)
    except ParamError:
        return None
    return len(params.items) if isinstance(params, ElementsParams) else None


def _err(errors: list[dict], name: str, message: str) -> None:
    errors.append({"field": name, "message": message})


def _validate(
    db: Session, paper: WorkingPaper, data: FindingInput
) -> tuple[list[dict], Indicator | None]:
    errors: list[dict] = []
    text = (data.text or "").strip()
    if not text:
        _err(errors, "text", "请填写发现的问题")
    elif len(text) > 2000:
        _err(errors, "text", "发现的问题不能超过 2000 个字符")
    if data.kind not in FindingKind.__members__:
        _err(errors, "kind", "发现类型无效")
        return errors, None
    kind = FindingKind(data.kind)
    indicator = None
    if data.indicator_id:
        linked = db.get(PaperIndicator, (paper.id, data.indicator_id))
        indicator = db.get(Indicator, data.indicator_id) if linked else None
        if indicator is None:
            _err(errors, "indicator_id", "所选指标不在本底稿涉及的指标中，请先在底稿中关联该指标")
    elif kind != FindingKind.observation:
        _err(errors, "indicator_id", f"“{KIND_NAMES[kind]}”须选择对应的指标")
    if data.money is not None and data.money < 0:
        _err(errors, "money", "涉及金额不能为负数")
    if kind == FindingKind.deduction and indicator is not None:
        if indicator.rule != "deduction":
            _err(
                errors,
                "kind",
                f"指标“{indicator.name}”不按“扣分”规则计分，不能录入扣分；"
                "要素计分的指标请选择“评价要点判断”，其他指标请记为问题或说明",
            )
        if data.points is None or data.points <= 0:
            _err(errors, "points", "扣分须大于 0")
        elif data.points > indicator.weight:
            _err(errors, "points", f"扣分 {data.points} 超过该指标的分值 {indicator.weight}")
    if kind == FindingKind.element and indicator is not None:
        count = element_count(indicator) if indicator.rule == "elements" else None
        if indicator.rule != "elements":
            _err(errors, "kind", f"指标“{indicator.name}”不按“要素计分”规则计分，不能判断评价要点")
        elif count is None:
            _err(
                errors,
                "element_index",
                f"指标“{indicator.name}”的参数无法读取评价要点，请先修正指标体系",
            )
        elif data.element_index is None or not 1 <= data.element_index <= count:
            _err(errors, "element_index", f"评价要点序号应在 1 到 {count} 之间")
        if data.met is None or not Decimal(0) <= data.met <= Decimal(1):
            _err(errors, "met", "达成度应在 0 到 1 之间（如 0.5 或 1）")
    wanted = set(data.evidence_ids)
    if wanted:
        known = set(
            db.exec(
                select(Evidence.id).where(
                    Evidence.paper_id == paper.id, col(Evidence.id).in_(wanted)
                )
            ).all()
        )
        if wanted - known:
            _err(errors, "evidence_ids", "所选佐证材料不属于本底稿")
    return errors, indicator


def add_finding(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    data: FindingInput,
    confirm_clear: bool = False,
) -> Finding:
    """Record a finding; on a signed paper this clears the later sign-offs (once confirmed)."""
    guard_write(db, engagement, actor)
    require_clear_confirmed(db, paper, confirmed=confirm_clear, action="记录发现的问题")
    errors, indicator = _validate(db, paper, data)
    if errors:
        raise ValidationFailed("发现的问题有误，未保存", details=errors)
    kind = FindingKind(data.kind)
    finding = Finding(
        paper_id=paper.id,
        indicator_id=indicator.id if indicator else None,
        kind=kind,
        text=data.text.strip(),
        points=data.points if kind == FindingKind.deduction else None,
        element_index=data.element_index if kind == FindingKind.element else None,
        met=data.met if kind == FindingKind.element else None,
        money=data.money,
        created_by_id=actor.id,
    )
    db.add(finding)
    db.flush()
    for evidence_id in sorted(set(data.evidence_ids)):
        db.add(FindingEvidence(finding_id=finding.id, evidence_id=evidence_id))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finding.add",
        obj=finding,
        engagement_id=engagement.id,
        after=audit.snapshot(
            finding, ["kind", "text", "indicator_id", "points", "element_index", "met", "money"]
        ),
        summary=f"{paper.label}：{finding.text[:80]}",
    )
    content_changed(db, actor=actor, engagement=engagement, paper=paper, what="发现的问题")
    return finding


def delete_finding(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    paper: WorkingPaper,
    finding_id: int,
    confirm_clear: bool = False,
) -> None:
    """Remove a finding; on a signed paper this clears the later sign-offs (once confirmed)."""
    guard_write(db, engagement, actor)
    finding = db.get(Finding, finding_id)
    if finding is None or finding.paper_id != paper.id:
        raise NotFound("发现的问题不存在")
    require_clear_confirmed(db, paper, confirmed=confirm_clear, action="删除发现的问题")
    before = audit.snapshot(
        finding, ["kind", "text", "indicator_id", "points", "element_index", "met"]
    )
    for link in db.exec(
        select(FindingEvidence).where(FindingEvidence.finding_id == finding.id)
    ).all():
        db.delete(link)
    db.flush()  # link rows first: without relationships the unit of work does not order them
    db.delete(finding)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finding.delete",
        object_type="paper_finding",
        object_id=finding_id,
        engagement_id=engagement.id,
        before=before,
        summary=f"{paper.label}：删除“{before['text'][:60]}”",
    )
    content_changed(db, actor=actor, engagement=engagement, paper=paper, what="删除发现的问题")


def findings_of(db: Session, paper_id: int) -> list[tuple[Finding, list[Evidence]]]:
    """The paper's findings with the evidence each rests on (two queries)."""
    rows = db.exec(
        select(Finding).where(Finding.paper_id == paper_id).order_by(col(Finding.id))
    ).all()
    linked: dict[int, list[Evidence]] = {r.id: [] for r in rows}
    if rows:
        for finding_id, evidence in db.exec(
            select(FindingEvidence.finding_id, Evidence)
            .join(Evidence, col(Evidence.id) == FindingEvidence.evidence_id)
            .where(col(FindingEvidence.finding_id).in_(list(linked)))
        ).all():
            linked[finding_id].append(evidence)
    return [(r, linked[r.id]) for r in rows]
