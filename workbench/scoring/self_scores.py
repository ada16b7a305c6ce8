"""自评复核: the evaluated unit's self-score per indicator and the explanation of a large gap."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import missing_version
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.indicators.models import Indicator
from workbench.scoring import self_gaps

CENT = Decimal("0.01")
MAX_NOTE = 2000


@dataclass(frozen=True)
class SelfScore:
    score: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class Entry:
    """What the page sends for one indicator: the score as typed, the note, the version seen."""

    score: str
    note: str
    version: int | None


@dataclass(frozen=True)
class Row:
    """One line of the self-score page: the indicator, its review score and the gap."""

    indicator: Indicator
    review: Decimal | None
    gap: self_gaps.Gap


def leaves(db: Session, engagement: Engagement) -> list[Indicator]:
    return list(
        db.exec(
            select(Indicator)
            .where(Indicator.engagement_id == engagement.id)
            .order_by(col(Indicator.position), col(Indicator.id))
        )
    )


def of_engagement(db: Session, engagement: Engagement) -> dict[tuple[str, str, str], SelfScore]:
    """(一级, 二级, 三级) → the self-score and its gap explanation."""
    return {i.path: SelfScore(i.self_score, i.self_gap_note) for i in leaves(db, engagement)}


def rows(
    items: list[Indicator], reviews: dict[int, Decimal | None], threshold: Decimal
) -> tuple[list[Row], self_gaps.Gap, Decimal, Decimal]:
    """The page's rows (applicable indicators), the total gap, the self and review sums."""
    out, own_sum, review_sum, weight = [], Decimal(0), Decimal(0), Decimal(0)
    for item in items:
        if item.not_applicable:
            continue
        review = reviews.get(item.id)
        gap = self_gaps.indicator_gap(
            weight=item.weight, self_score=item.self_score, review=review, threshold=threshold
        )
        out.append(Row(item, review, gap))
        own_sum += item.self_score or 0
        review_sum += review or 0
        weight += item.weight
    total = self_gaps.total_gap(
        self_sum=own_sum, review_sum=review_sum, weight=weight, threshold=threshold
    )
    return out, total, own_sum, review_sum


def _parse(item: Indicator, entry: Entry, errors: list[dict]) -> tuple[Decimal | None, str] | None:
    raw, note = (entry.score or "").strip(), (entry.note or "").strip()
    score = None
    if raw:
        try:
            score = Decimal(raw.replace("，", "").replace(",", "")).quantize(CENT)
        except InvalidOperation:
            errors.append({"field": f"self_{item.id}", "message": f"“{item.name}”的自评得分“{raw}”不是数字"})  # fmt: skip
            return None
        if not score.is_finite() or not Decimal(0) <= score <= item.weight:
            errors.append({"field": f"self_{item.id}", "message": f"“{item.name}”的自评得分应在0到{item.weight}分之间"})  # fmt: skip
            return None
    if len(note) > MAX_NOTE:
        errors.append({"field": f"note_{item.id}", "message": f"“{item.name}”的差异说明过长（上限{MAX_NOTE}字）"})  # fmt: skip
        return None
    return score, note


def save(db: Session, *, actor, engagement: Engagement, entries: dict[int, Entry]) -> int:
    """Validate every row first (indicator id → entry), then write them all; returns changes."""
    ensure_writable(engagement)
    require_cleared(db, engagement, actor)
    items = {i.id: i for i in leaves(db, engagement)}
    errors: list[dict] = []
    parsed: dict[int, tuple[Decimal | None, str]] = {}
    stale = []
    for indicator_id, entry in entries.items():
        item = items.get(indicator_id)
        if item is None:
            continue
        if entry.version is None:
            raise missing_version()
        if int(entry.version) != item.version:
            stale.append(item.name)
        value = _parse(item, entry, errors)
        if value is not None:
            parsed[indicator_id] = value
    if errors:
        raise ValidationFailed("自评得分有误，未保存", details=errors)
    if stale:
        raise Conflict(f"“{'、'.join(stale)}”已被他人修改，请刷新页面后重新录入（本次未保存）")
    changed = 0
    for indicator_id, (score, note) in parsed.items():
        item = items[indicator_id]
        if (item.self_score, item.self_gap_note) == (score, note):
            continue
        before = {"self_score": _text(item.self_score), "self_gap_note": item.self_gap_note}
        item.self_score, item.self_gap_note = score, note
        item.updated_by_id = actor.id
        db.add(item)
        audit.record(
            db,
            actor=actor,
            action="indicators.self_score",
            obj=item,
            engagement_id=engagement.id,
            summary=f"录入“{item.name}”的单位自评得分",
            before=before,
            after={"self_score": _text(score), "self_gap_note": note},
        )
        changed += 1
    db.flush()
    return changed


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
