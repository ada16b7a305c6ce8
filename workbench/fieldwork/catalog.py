"""The template catalogue: shipped templates (files) plus an agency's own (database)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.core.uploads import safe_name
from workbench.fieldwork.models import PaperTemplate
from workbench.fieldwork.spec import (
    TemplateError,
    TemplateSpec,
    load_yaml,
    parse_template,
    shipped_templates,
)

MAX_TEMPLATE_BYTES = 256 * 1024


def spec_of(row: PaperTemplate) -> TemplateSpec:
    spec = parse_template(row.spec, source="agency", id=row.id)
    return replace(spec, active=row.active)


def available(
    db: Session, *, agency_id: int | None, include_inactive: bool = False
) -> list[TemplateSpec]:
    """Shipped templates then the agency's own, ordered by stage letter and area."""
    found = list(shipped_templates().values())
    if agency_id:
        rows = db.exec(select(PaperTemplate).where(PaperTemplate.agency_id == agency_id)).all()
        found += [spec_of(r) for r in rows if include_inactive or r.active]
    return sorted(found, key=lambda t: (t.letter, t.area, t.source != "shipped", t.key))


def get_template(db: Session, *, agency_id: int, key: str) -> TemplateSpec:
    """An active template by key; ValidationFailed (field template) when unknown."""
    shipped = shipped_templates().get(key)
    if shipped is not None:
        return shipped
    row = db.exec(
        select(PaperTemplate).where(PaperTemplate.agency_id == agency_id, PaperTemplate.key == key)
    ).first()
    if row is None or not row.active:
        message = f"底稿模板“{key}”不存在或已停用"
        raise ValidationFailed.of_field("template", message)
    return spec_of(row)


def template_row_any(db: Session, *, template_id: int) -> PaperTemplate:
    row = db.get(PaperTemplate, template_id)
    if row is None:
        raise NotFound("底稿模板不存在")
    return row


def template_row(db: Session, *, actor: User, template_id: int) -> PaperTemplate:
    """An agency template of the actor's agency (404 otherwise)."""
    row = db.get(PaperTemplate, template_id)
    if row is None or row.agency_id != actor.org_id:
        raise NotFound("底稿模板不存在")
    return row


def parse_text(text: str) -> TemplateSpec:
    """A template from YAML text; ValidationFailed listing every issue."""
    try:
        return parse_template(load_yaml(text))
    except TemplateError as error:
        raise ValidationFailed(
            "模板定义有误，未保存",
            details=[{"field": "definition", "message": issue} for issue in error.issues],
        ) from None


def parse_upload(name: str, data: bytes) -> TemplateSpec:
    """A template from an uploaded .yaml/.yml file (UTF-8, at most 256 KB)."""
    name = safe_name(name)
    if not name.lower().endswith((".yaml", ".yml")):
        raise ValidationFailed.of_field("file", f"“{name}”不是 YAML 文件（.yaml 或 .yml）")
    if not data:
        raise ValidationFailed.of_field("file", f"“{name}”是空文件")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationFailed.of_field("file", f"“{name}”超过 256 KB，模板文件不应这么大")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.of_field("file", f"“{name}”不是 UTF-8 编码的文本文件") from None
    return parse_text(text)


def _check_key(db: Session, agency_id: int, spec: TemplateSpec, own_id: int | None) -> None:
    if spec.key in shipped_templates():
        raise ValidationFailed.of_field(
            "definition", f"key“{spec.key}”与随附模板重名，请换一个 key"
        )
    clash = db.exec(
        select(PaperTemplate).where(
            PaperTemplate.agency_id == agency_id, PaperTemplate.key == spec.key
        )
    ).first()
    if clash is not None and clash.id != own_id:
        raise ValidationFailed.of_field("definition", f"本机构已有 key 为“{spec.key}”的模板")


def create_template(db: Session, *, actor: User, spec: TemplateSpec) -> PaperTemplate:
    """Store an agency template (admins only)."""
    authorize(actor, "admin", message="只有机构管理员可以维护底稿模板")
    _check_key(db, actor.org_id, spec, None)
    row = PaperTemplate(
        agency_id=actor.org_id,
        key=spec.key,
        name=spec.name,
        stage=spec.stage,
        area=spec.area,
        spec=spec.as_dict(),
        created_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="paper_template.create",
        obj=row,
        after=row.spec,
        summary=f"{spec.name}（{spec.key}）",
    )
    return row


def update_template(
    db: Session, *, actor: User, row: PaperTemplate, spec: TemplateSpec, version: int
) -> PaperTemplate:
    """Replace an agency template's definition; papers keep the snapshot they were made with."""
    authorize(actor, "fieldwork.template", row, message="只有机构管理员可以维护底稿模板")
    require_version(version, row.version, stale="该模板已被他人修改，请刷新后重试")
    _check_key(db, actor.org_id, spec, row.id)
    before = dict(row.spec)
    row.key, row.name, row.stage, row.area = spec.key, spec.name, spec.stage, spec.area
    row.spec = spec.as_dict()
    row.updated_at = utcnow()
    db.add(row)
    try:
        db.flush()
    except StaleDataError:
        raise Conflict("该模板已被他人修改，请刷新后重试") from None
    audit.record(
        db,
        actor=actor,
        action="paper_template.update",
        obj=row,
        before=before,
        after=row.spec,
        summary=spec.name,
    )
    return row


def set_active(db: Session, *, actor: User, row: PaperTemplate, active: bool) -> PaperTemplate:
    """Enable or retire an agency template (existing papers are unaffected)."""
    authorize(actor, "fieldwork.template", row, message="只有机构管理员可以维护底稿模板")
    row.active = active
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="paper_template.enable" if active else "paper_template.disable",
        obj=row,
        after={"active": active},
        summary=row.name,
    )
    return row
