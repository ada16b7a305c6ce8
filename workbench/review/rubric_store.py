"""Rubrics as data: the agency's own (firm-wide or per bureau), else the built-in defaults."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from workbench.accounts.models import Organisation, OrgKind, User
from workbench.core import audit
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.review import rubrics
from workbench.review.models import QualityRubric
from workbench.review.saving import flush


@dataclass(frozen=True)
class Choice:
    """A rubric a bureau reviewer may fill for an engagement."""

    ref: str
    rubric: rubrics.Rubric
    scope: str


def parse_row(row: QualityRubric) -> rubrics.Rubric:
    return rubrics.rubric_from_data(row.definition, name=row.name)


def agency_rows(db: Session, agency_id: int) -> list[QualityRubric]:
    return list(
        db.exec(
            select(QualityRubric)
            .where(QualityRubric.agency_id == agency_id)
            .order_by(col(QualityRubric.bureau_id).is_not(None), col(QualityRubric.id))
        ).all()
    )


def choices_for(db: Session, engagement: Engagement) -> list[Choice]:
    """The bureau's own rubrics if any, else the firm's, else the built-in defaults."""
    rows = agency_rows(db, engagement.agency_id)
    own = [r for r in rows if r.bureau_id == engagement.bureau_id]
    if own:
        return [Choice(f"db:{r.id}", parse_row(r), "委托方专用") for r in own]
    firm = [r for r in rows if r.bureau_id is None]
    if firm:
        return [Choice(f"db:{r.id}", parse_row(r), "本机构默认") for r in firm]
    return [Choice(ref, rubric, "系统默认") for ref, rubric in rubrics.BUILTINS.items()]


def get_row(db: Session, *, actor: User, rubric_id: int) -> QualityRubric:
    row = db.get(QualityRubric, rubric_id)
    if row is None or not row.visible_to(actor):
        raise NotFound("考核表不存在")
    return row


def _validate(
    db: Session, *, name: str, text: str, bureau_id: int | None
) -> tuple[rubrics.Rubric, int | None]:
    errors: list[dict] = []
    rubric = None
    try:
        rubric = rubrics.rubric_from_text(text, name=name)
    except rubrics.RubricError as error:
        errors.extend(error.details)
    if bureau_id:
        bureau = db.get(Organisation, bureau_id)
        if bureau is None or bureau.kind != OrgKind.bureau:
            errors.append({"field": "bureau_id", "message": "适用委托方无效"})
    if errors:
        raise ValidationFailed("考核表内容有误", details=errors)
    return rubric, bureau_id or None


def _require_admin(actor: User) -> None:
    authorize(actor, "admin", message="只有机构管理员可以维护质量考核表")


def create(
    db: Session, *, actor: User, name: str, text: str, bureau_id: int | None = None
) -> QualityRubric:
    """Add a firm-wide rubric, or a bureau's override (bureau_id)."""
    _require_admin(actor)
    rubric, bureau_id = _validate(db, name=name, text=text, bureau_id=bureau_id)
    row = QualityRubric(
        agency_id=actor.org_id,
        bureau_id=bureau_id,
        name=rubric.name,
        definition=rubrics.rubric_to_data(rubric),
        updated_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="review.rubric_create",
        obj=row,
        after={"name": row.name, "bureau_id": bureau_id, "definition": row.definition},
        summary=row.name,
    )
    return row


def update(
    db: Session,
    *,
    actor: User,
    row: QualityRubric,
    name: str,
    text: str,
    bureau_id: int | None,
    version: int,
) -> QualityRubric:
    """Edit a rubric; past ratings keep the snapshot they were made with."""
    _require_admin(actor)
    if row.agency_id != actor.org_id:
        raise NotFound("考核表不存在")
    require_version(version, row.version, stale="该考核表已被他人修改，请刷新后重试")
    rubric, bureau_id = _validate(db, name=name, text=text, bureau_id=bureau_id)
    before = {"name": row.name, "bureau_id": row.bureau_id, "definition": row.definition}
    row.name = rubric.name
    row.bureau_id = bureau_id
    row.definition = rubrics.rubric_to_data(rubric)
    row.updated_by_id = actor.id
    row.updated_at = utcnow()
    db.add(row)
    flush(db, "该考核表已被他人修改，请刷新后重试")
    audit.record(
        db,
        actor=actor,
        action="review.rubric_update",
        obj=row,
        before=before,
        after={"name": row.name, "bureau_id": bureau_id, "definition": row.definition},
        summary=row.name,
    )
    return row


def delete(db: Session, *, actor: User, row: QualityRubric) -> None:
    """Remove a rubric (ratings already made keep their copy of it)."""
    _require_admin(actor)
    if row.agency_id != actor.org_id:
        raise NotFound("考核表不存在")
    audit.record(
        db,
        actor=actor,
        action="review.rubric_delete",
        obj=row,
        before={"name": row.name, "bureau_id": row.bureau_id, "definition": row.definition},
        summary=row.name,
    )
    db.delete(row)
    db.flush()
