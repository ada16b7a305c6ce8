"""The 公开版 of the report (篇六 第三十五–三十七条: 评价结果及评价报告 are published, 涉密 and
personal information are not): sections the lead marks internal are withheld, personal data
is removed, and the version's record lists what was removed.

The public version is a deliverable of its own kind (`public_report`), numbered apart from the
report so it can never be sent for review or consultation in the report's place. It is built
from the current record like the report; the internal sections' text is replaced before the
context is built (their headings stay, so the numbering of the outline is unchanged), then
the rendered .docx is cleaned of personal data: patterns (ID numbers with check digits,
mobile and landline numbers, e-mail) and the values the record knows (the evaluated unit's
contacts, answers to the surveys' 姓名/联系方式 questions).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit, storage
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement, MemberRole
from workbench.reports import collect, context, context_report, redaction, toc
from workbench.reports import sections as text
from workbench.reports.models import KIND_NAMES, DeliverableKind, DeliverableVersion
from workbench.reports.models_public import InternalSection
from workbench.reports.render import ReportRenderError, render_docx
from workbench.reports.section_outline import outline
from workbench.reports.services import generation
from workbench.reports.services import outline as outlined
from workbench.surveys import services as surveys

PUBLIC_LABEL = "公开版"
WITHHELD_TEXT = "（本部分内容涉及内部管理信息，按规定不予公开。）"
_WITHHELD_HTML = f"<p>{WITHHELD_TEXT}</p>"


def markable(db: Session, engagement: Engagement) -> list[text.OutlineSection]:
    """The report's narrative sections, in outline order: what the lead may mark internal."""
    return outline(db, engagement, "report")


def internal_keys(db: Session, engagement: Engagement) -> set[str]:
    rows = db.exec(
        select(InternalSection.key).where(InternalSection.engagement_id == engagement.id)
    ).all()
    return set(rows)


def marks_token(keys: set[str]) -> str:
    """A short hash of the marked keys: the form's version (a stale form is refused)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


def set_internal(
    db: Session, *, actor: User, engagement: Engagement, keys: list[str], seen: str
) -> set[str]:
    """Mark exactly ``keys`` internal (the lead or the agency admin); audited."""
    engagements.ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以标记内部章节")
    titles = {s.key: section_title(s) for s in markable(db, engagement)}
    unknown = [k for k in keys if k not in titles]
    if unknown:
        raise ValidationFailed(
            "内部章节标记无效",
            details=[
                {"field": "internal", "message": f"报告提纲中没有这些章节：{'、'.join(unknown)}"}
            ],
        )
    current = internal_keys(db, engagement)
    if not seen:
        raise ValidationFailed(
            "缺少版本号，请刷新页面后重试", details=[{"field": "seen", "message": "缺少版本号"}]
        )
    if seen != marks_token(current):
        raise Conflict("内部章节标记已被他人修改，请刷新页面查看后重新保存")
    wanted = set(keys)
    if wanted == current:
        return current
    rows = db.exec(
        select(InternalSection).where(InternalSection.engagement_id == engagement.id)
    ).all()
    for row in rows:
        if row.key not in wanted:
            db.delete(row)
    for key in sorted(wanted - current):
        db.add(InternalSection(engagement_id=engagement.id, key=key, marked_by_id=actor.id))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.internal_sections",
        object_type="engagement",
        object_id=engagement.id,
        engagement_id=engagement.id,
        before={"internal": sorted(current)},
        after={"internal": sorted(wanted)},
        summary="内部章节：" + ("、".join(titles[k] for k in sorted(wanted)) or "无"),
    )
    return wanted


def known_personal(db: Session, engagement: Engagement) -> list[str]:
    """Names and contact details the record holds of people outside the agency."""
    contacts = {m.user_id for m in engagement.members if m.role == MemberRole.unit}
    values: set[str] = set()
    for user in engagements.users_by_id(db, contacts).values():
        values.update(v for v in (user.display_name, getattr(user, "phone", "")) if v)
    values.update(surveys.respondent_values(db, engagement.id))
    return sorted(values)


def generate_public(db: Session, *, actor: User, engagement: Engagement) -> DeliverableVersion:
    """Build the public version from the current record, store it and record the removals."""
    engagements.ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以生成公开版")
    engagements.require_cleared(db, engagement, actor)
    withheld = internal_keys(db, engagement)
    outline = {s.key: section_title(s) for s in markable(db, engagement)}
    data, shot, figures = _build(db, engagement, withheld)
    names = known_personal(db, engagement)
    data, counts = redaction.redact_docx(data, names=names)
    # The record keeps what was published: the sections' text cleaned the same way.
    shot = {
        key: {
            "title": entry["title"],
            "html": "",
            "text": redaction.redact(entry["text"], names=names)[0],
        }
        for key, entry in shot.items()
    }
    data = toc.with_page_numbers(data)
    blob = storage.store(db, data, mime=generation.DOCX)
    removals = {
        "personal": {kind: counts[kind] for kind in redaction.KIND_NAMES if counts.get(kind)},
        "personal_text": redaction.describe(counts) or "未发现个人信息",
        "sections": [{"key": key, "title": outline[key]} for key in outline if key in withheld],
    }
    version = _insert(
        db, engagement, actor, data, blob.sha256, shot, figures | {"public": removals}
    )
    audit.record(
        db,
        actor=actor,
        action="deliverable.generate_public",
        obj=version,
        engagement_id=engagement.id,
        after={"number": version.number, "sha256": blob.sha256, "removed": removals},
        summary=f"{title(engagement)}第{version.number}版（删除{removals['personal_text']}；"
        f"不予公开章节{len(removals['sections'])}个）",
    )
    return version


def title(engagement: Engagement) -> str:
    """评价报告（公开版）, or 事前绩效评估报告（公开版） for an ex-ante engagement."""
    return f"{KIND_NAMES[generation.report_kind(engagement)]}（{PUBLIC_LABEL}）"


def public_versions(db: Session, engagement: Engagement) -> list[DeliverableVersion]:
    return generation.versions(db, engagement, [DeliverableKind.public_report])


def _build(db: Session, engagement: Engagement, withheld: set[str]) -> tuple[bytes, dict, dict]:
    """The report (or ex-ante report) with the withheld sections' text replaced."""
    inputs = collect.inputs(db, engagement, deliverable="report", label=PUBLIC_LABEL)
    sections = {k: (_WITHHELD_HTML if k in withheld else v) for k, v in inputs.sections.items()}
    for key in withheld - set(sections):
        sections[key] = _WITHHELD_HTML
    inputs = dataclasses.replace(inputs, sections=sections)
    figures = context.figures(inputs)
    if engagement.type == "ex_ante":
        missing = context_report.ex_ante_missing(inputs)
        if missing:
            raise Conflict("事前绩效评估报告缺少以下内容，暂不能生成", details=missing)
        ctx, template = context_report.ex_ante_context(inputs), "ex_ante_report"
    else:
        ctx = outlined.report_context(db, engagement, inputs, generation.report_charts(inputs))
        template = "evaluation_report"
    try:
        data = render_docx(template, ctx)
    except ReportRenderError as error:
        raise Conflict(f"生成文件失败：{error}") from error
    shot = generation.snapshot(db, engagement, "report", sections)
    return data, shot, figures


def _insert(db, engagement, actor, data, sha256, shot, figures) -> DeliverableVersion:
    """The next number of the public versions (a number taken meanwhile: the next one)."""
    kind = DeliverableKind.public_report
    stem = re.sub(r'[\\/:*?"<>|\s]+', "", engagement.title)[:60] or engagement.code
    for _attempt in range(5):
        number = (
            db.exec(
                select(func.max(DeliverableVersion.number)).where(
                    DeliverableVersion.engagement_id == engagement.id,
                    col(DeliverableVersion.kind) == kind,
                )
            ).one()
            or 0
        ) + 1
        version = DeliverableVersion(
            engagement_id=engagement.id,
            kind=kind,
            number=number,
            label=PUBLIC_LABEL,
            sha256=sha256,
            filename=f"{stem}-{title(engagement)}-第{number}版.docx",
            mime=generation.DOCX,
            size=len(data),
            stage=engagement.stage,
            generated_by_id=actor.id,
            sections=shot,
            figures=figures,
        )
        try:
            with db.begin_nested():
                db.add(version)
                db.flush()
        except IntegrityError:
            continue
        return version
    raise Conflict("同一时间生成的版本过多，请稍后重试")


def section_title(section: text.OutlineSection) -> str:
    """ "五、… （一）主要经验及做法"; a chapter without sub-sections by its own title ("六、有关建议")."""
    heading = section.heading
    if section.chapter.split("、", 1)[-1] == heading:
        return section.chapter
    return f"{section.chapter} {heading}"
