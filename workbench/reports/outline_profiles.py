"""Which outline an engagement's report follows, and an agency's own profiles (versioned, audited).

An engagement follows its agency's latest active profile for its commissioning bureau and type;
without one, the profile shipped for its type (report_templates/outlines/<type>.yaml).
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from workbench.accounts.models import Organisation
from workbench.core import audit
from workbench.core.errors import NotFound, ValidationFailed
from workbench.engagements.models import Engagement
from workbench.reports import outlines
from workbench.reports.outline_models import OutlineProfile


def _latest(db: Session, *, agency_id: int, bureau_id: int, kind: str) -> OutlineProfile | None:
    return db.exec(
        select(OutlineProfile)
        .where(
            OutlineProfile.agency_id == agency_id,
            OutlineProfile.bureau_id == bureau_id,
            OutlineProfile.engagement_type == kind,
        )
        .order_by(col(OutlineProfile.version).desc())
    ).first()


def profile_for(db: Session, engagement: Engagement) -> outlines.Profile:
    """The profile the engagement's report follows (the agency's for its bureau, else shipped)."""
    row = _latest(
        db, agency_id=engagement.agency_id, bureau_id=engagement.bureau_id, kind=engagement.type
    )
    if row is not None and row.active:
        return outlines.parse(row.source)
    return outlines.shipped(engagement.type)


def bureaus(db: Session, agency_id: int) -> list[Organisation]:
    """The bureaus that commission the agency's engagements (whose outlines it may set)."""
    ids = select(Engagement.bureau_id).where(Engagement.agency_id == agency_id)
    return list(
        db.exec(
            select(Organisation).where(col(Organisation.id).in_(ids)).order_by(Organisation.name)
        )
    )


def _bureau(db: Session, agency_id: int, bureau_id: int) -> Organisation:
    for bureau in bureaus(db, agency_id):
        if bureau.id == bureau_id:
            return bureau
    raise ValidationFailed(
        "请选择委托本机构项目的委托单位",
        details=[{"field": "bureau_id", "message": "委托单位不存在或未委托本机构的项目"}],
    )


def of_agency(db: Session, agency_id: int) -> list[OutlineProfile]:
    """Every version the agency saved, newest first."""
    return list(
        db.exec(
            select(OutlineProfile)
            .where(OutlineProfile.agency_id == agency_id)
            .order_by(col(OutlineProfile.bureau_id), col(OutlineProfile.engagement_type),
                      col(OutlineProfile.version).desc())
        )
    )  # fmt: skip


def get(db: Session, agency_id: int, profile_id: int) -> OutlineProfile:
    row = db.get(OutlineProfile, profile_id)
    if row is None or row.agency_id != agency_id:
        raise NotFound("提纲不存在")
    return row


def save(
    db: Session, *, actor, agency_id: int, bureau_id: int, source: str | bytes, note: str = ""
) -> OutlineProfile:
    """Validate the YAML and store it as the next version for (bureau, its engagement type)."""
    bureau = _bureau(db, agency_id, bureau_id)
    try:
        profile = outlines.parse(source)
    except outlines.ProfileError as error:
        raise ValidationFailed(
            "提纲文件有误，未保存",
            details=[{"field": "source", "message": m} for m in error.errors],
        ) from error
    if profile.engagement_type == "ex_ante":
        message = "事前绩效评估报告的章节由评估报告模板和评估结论规则确定，暂不支持机构自定义"
        raise ValidationFailed.of_field("source", message)
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    previous = _latest(db, agency_id=agency_id, bureau_id=bureau_id, kind=profile.engagement_type)
    row = OutlineProfile(
        agency_id=agency_id,
        bureau_id=bureau_id,
        engagement_type=profile.engagement_type,
        version=(previous.version + 1) if previous else 1,
        name=profile.name,
        source=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        note=note.strip()[:500],
        created_by_id=actor.id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="outline_profile.save",
        obj=row,
        summary=f"保存{bureau.name}的{outlines.ENGAGEMENT_TYPES[row.engagement_type]}报告提纲"
        f"（第{row.version}版）",
        before={"version": previous.version, "sha256": previous.sha256} if previous else None,
        after={"version": row.version, "sha256": row.sha256, "name": row.name},
    )
    return row


def withdraw(db: Session, *, actor, agency_id: int, profile_id: int) -> OutlineProfile:
    """Stop using the agency's profile (the shipped one applies again); the version stays."""
    row = get(db, agency_id, profile_id)
    latest = _latest(db, agency_id=agency_id, bureau_id=row.bureau_id, kind=row.engagement_type)
    if latest is None or latest.id != row.id:
        raise ValidationFailed("只能停用最新版本的提纲")
    if row.active:
        row.active = False
        db.add(row)
        db.flush()
        audit.record(db, actor=actor, action="outline_profile.withdraw", obj=row,
                     summary=f"停用报告提纲“{row.name}”（第{row.version}版），恢复系统默认提纲",
                     before={"active": True}, after={"active": False})  # fmt: skip
    return row
