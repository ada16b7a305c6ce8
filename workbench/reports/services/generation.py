"""Generating the deliverables (.docx, the archive zip) and keeping every file as a numbered version.

`generate` builds the context from the engagement (collect → context), draws the charts,
renders the template, stores the bytes content-addressed and records a DeliverableVersion with
the sections and figures it was made from. PDFs are converted on request with LibreOffice, in
the background (a few seconds): `request_pdf` marks the version, `run_pdf` converts it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit, jobs, storage
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports import charts, collect, context, context_plan, context_report, textdiff
from workbench.reports import sections as text
from workbench.reports.consultation import opinion_table_context
from workbench.reports.models import (
    KIND_NAMES,
    DeliverableKind,
    DeliverableVersion,
    report_kind,
)
from workbench.reports.render import ReportRenderError, docx_to_pdf, render_docx
from workbench.reports.section_outline import outline
from workbench.reports.services import checkup as checkups
from workbench.reports.services import outline as outlined

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
PDF = "application/pdf"
LABELS = ("初稿", "征求意见稿", "送审稿", "正式稿")
# What the API and the pages may ask for; `report` means the ex-ante report for ex_ante work.
REQUESTABLE = ("plan", "report", "score_sheet", "opinion_table", "archive")
_CHART_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CHART_CACHE_SIZE = 64
_CHART_LOCK = Lock()
# matplotlib's rc_context changes global settings: one chart at a time per process.
_DRAW_LOCK = Lock()


@dataclass
class Built:
    """A rendered file before it is stored."""

    data: bytes
    mime: str
    extension: str
    sections: dict | None = None
    figures: dict | None = None


def version_kind(engagement: Engagement, kind: str) -> str:
    if kind not in REQUESTABLE:
        raise NotFound(f"没有“{kind}”这种成果文件（可选：{'、'.join(REQUESTABLE)}）")
    return report_kind(engagement) if kind == "report" else kind


def pdf_available() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


# --- charts ----------------------------------------------------------------------------------


def draw(spec: context_report.ChartSpec) -> bytes:
    """The chart's PNG, from a small in-process cache keyed by the chart's inputs.

    Regenerating a report after editing text redraws nothing; changed numbers give a new key.
    """
    key = hashlib.sha256(repr((spec.function, spec.arguments)).encode()).hexdigest()
    with _CHART_LOCK:
        if key in _CHART_CACHE:
            _CHART_CACHE.move_to_end(key)
            return _CHART_CACHE[key]
    arguments = {name: list(value) if isinstance(value, tuple) else value
                 for name, value in spec.arguments}  # fmt: skip
    if "counts" in arguments:
        arguments["counts"] = [list(row) for row in arguments["counts"]]
    with _DRAW_LOCK:
        png = getattr(charts, spec.function)(**arguments)
    with _CHART_LOCK:
        _CHART_CACHE[key] = png
        while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
            _CHART_CACHE.popitem(last=False)
    return png


def report_charts(inputs: context.Inputs) -> list[dict]:
    return [{"title": s.title, "image": draw(s)} for s in context_report.chart_specs(inputs)]


# --- building --------------------------------------------------------------------------------


def snapshot(db: Session, engagement: Engagement, deliverable: str, html: dict[str, str]) -> dict:
    """{key: {title, html, text}} in outline order: what a version's text was."""
    found = {}
    for entry in outline(db, engagement, deliverable):
        value = html.get(entry.key, "")
        found[entry.key] = {"title": entry.heading, "html": value, "text": text.to_text(value)}
    return found


def _render(template: str, ctx: dict) -> bytes:
    try:
        return render_docx(template, ctx)
    except ReportRenderError as error:
        raise Conflict(f"生成文件失败：{error}") from error


def build(db: Session, engagement: Engagement, *, kind: str, label: str = "") -> Built:
    """Render one deliverable of the engagement (nothing is stored)."""
    if kind == DeliverableKind.archive:
        return Built(_archive(db, engagement), ZIP, "zip")
    if kind == DeliverableKind.opinion_table:
        return Built(_render("opinion_table", opinion_table_context(db, engagement)), DOCX, "docx")
    deliverable = "plan" if kind == DeliverableKind.plan else "report"
    inputs = collect.inputs(db, engagement, deliverable=deliverable, label=label)
    figures = context.figures(inputs)
    if kind == DeliverableKind.score_sheet:
        signers = collect.score_signers(db, engagement, signed=inputs.scores_signed)
        ctx = context.score_sheet_context(inputs, signoffs=signers)
        return Built(_render("score_sheet", ctx), DOCX, "docx", None, figures)
    if kind == DeliverableKind.plan:
        ctx, template = context_plan.plan_context(inputs), "evaluation_plan"
    elif kind == DeliverableKind.ex_ante_report:
        missing = context_report.ex_ante_missing(inputs)
        if missing:
            raise Conflict("事前绩效评估报告缺少以下内容，暂不能生成", details=missing)
        ctx, template = context_report.ex_ante_context(inputs), "ex_ante_report"
    else:
        ctx = outlined.report_context(db, engagement, inputs, report_charts(inputs))
        template = "evaluation_report"
    shot = snapshot(db, engagement, deliverable, inputs.sections)
    return Built(_render(template, ctx), DOCX, "docx", shot, figures)


# The archive zip is made by the review domain, which sits above reports: review.archive registers
# its exporter here when it is imported (the app and the job worker import it at start).
_archive_exporter: list[Callable[[Session, Engagement], Path]] = []


def register_archive_exporter(export: Callable[[Session, Engagement], Path]) -> None:
    _archive_exporter[:] = [export]


def _archive(db: Session, engagement: Engagement) -> bytes:
    """The archive zip from the review domain's exporter (a temporary file, removed here)."""
    if not _archive_exporter:
        raise RuntimeError("review.archive was not imported: no archive exporter")
    path = _archive_exporter[0](db, engagement)
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def _filename(engagement: Engagement, kind: str, number: int, label: str, extension: str) -> str:
    title = re.sub(r'[\\/:*?"<>|\s]+', "", engagement.title)[:60] or engagement.code
    suffix = f"（{label}）" if label else ""
    return f"{title}-{KIND_NAMES[DeliverableKind(kind)]}{suffix}-第{number}版.{extension}"


def generate(
    db: Session, *, actor: User, engagement: Engagement, kind: str, label: str = ""
) -> DeliverableVersion:
    """Render a deliverable and record it as the next numbered version of its kind."""
    ensure_writable(engagement)
    authorize(actor, "engagement.team", engagement, message="只有本项目工作组成员可以生成成果文件")
    require_cleared(db, engagement, actor)
    kind = version_kind(engagement, kind)
    label = (label or "").strip()
    if label and label not in LABELS:
        raise ValidationFailed(
            "版本说明无效", details=[{"field": "label", "message": f"请选择：{'、'.join(LABELS)}"}]
        )
    if kind not in (DeliverableKind.report, DeliverableKind.ex_ante_report, DeliverableKind.plan):
        label = ""
    checked = None
    if kind in (DeliverableKind.report, DeliverableKind.ex_ante_report):
        checked = checkups.before_generation(db, actor=actor, engagement=engagement, label=label)
    built = build(db, engagement, kind=kind, label=label)
    blob = storage.store(db, built.data, mime=built.mime)
    version = _insert_next_version(db, engagement, kind, label, built, blob, actor)
    if checked is not None:
        checkups.record(
            db, actor=actor, engagement=engagement, version_id=version.id, result=checked[0],
            ack=checked[1],
        )  # fmt: skip
    number = version.number
    audit.record(
        db,
        actor=actor,
        action="deliverable.generate",
        obj=version,
        engagement_id=engagement.id,
        after={"kind": kind, "number": number, "label": label, "sha256": blob.sha256}
        | ({"total": built.figures["total"], "grade": built.figures["grade"]}
           if built.figures else {}),
        summary=f"{version.kind_name}第{number}版{label}",
    )  # fmt: skip
    return version


def _insert_next_version(db, engagement, kind, label, built, blob, actor) -> DeliverableVersion:
    """Insert the next number of this kind; two requests racing for a number: the loser takes the next."""
    for _attempt in range(5):
        number = (
            db.exec(
                select(func.max(DeliverableVersion.number)).where(
                    DeliverableVersion.engagement_id == engagement.id,
                    DeliverableVersion.kind == kind,
                )
            ).one()
            or 0
        ) + 1
        version = DeliverableVersion(
            engagement_id=engagement.id,
            kind=kind,
            number=number,
            label=label,
            sha256=blob.sha256,
            filename=_filename(engagement, kind, number, label, built.extension),
            mime=built.mime,
            size=len(built.data),
            stage=engagement.stage,
            generated_by_id=actor.id,
            sections=built.sections,
            figures=built.figures,
        )
        try:
            with db.begin_nested():
                db.add(version)
                db.flush()
        except IntegrityError:
            continue
        return version
    raise Conflict("同一时间生成的版本过多，请稍后重试")


def versions(db: Session, engagement: Engagement, kinds: list[str] | None = None) -> list:
    """The engagement's versions, newest first (optionally of some kinds)."""
    stmt = select(DeliverableVersion).where(DeliverableVersion.engagement_id == engagement.id)
    if kinds:
        stmt = stmt.where(col(DeliverableVersion.kind).in_(kinds))
    return list(db.exec(stmt.order_by(col(DeliverableVersion.id).desc())).all())


def get_version(db: Session, engagement: Engagement, version_id: int) -> DeliverableVersion:
    version = db.get(DeliverableVersion, version_id)
    if version is None or version.engagement_id != engagement.id:
        raise NotFound("文件版本不存在")
    return version


def request_pdf(
    db: Session, *, actor: User, engagement: Engagement, version: DeliverableVersion
) -> DeliverableVersion:
    """Mark a .docx version for conversion to PDF (the conversion itself is `run_pdf`)."""
    ensure_writable(engagement)
    authorize(actor, "engagement.team", engagement, message="只有本项目工作组成员可以转换 PDF")
    if version.mime != DOCX:
        raise Conflict("只有 Word 文件可以转换为 PDF")
    if version.pdf_sha256:
        raise Conflict("该版本已有 PDF，可直接下载")
    if not pdf_available():
        raise Conflict("服务器未安装 LibreOffice（soffice），无法转换 PDF")
    if version.pdf_pending:
        raise Conflict("该版本正在转换为 PDF，请稍候")
    version.pdf_status, version.pdf_error, version.pdf_requested_at = "pending", "", utcnow()
    db.add(version)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="deliverable.pdf.request",
        obj=version,
        engagement_id=engagement.id,
        summary=f"{version.kind_name}第{version.number}版申请转换为 PDF",
    )
    return version


def run_pdf(db: Session, *, version_id: int, actor_id: int | None) -> DeliverableVersion | None:
    """Convert a pending version with LibreOffice and keep the PDF beside the .docx.

    LibreOffice crashing or timing out raises jobs.Transient (the job tries again later); no
    LibreOffice, or the .docx gone, fails the conversion at once.
    """
    version = db.get(DeliverableVersion, version_id)
    if version is None or version.pdf_status != "pending":
        return version
    try:
        pdf = docx_to_pdf(storage.read(version.sha256))
    except ReportRenderError as error:
        raise jobs.Transient(str(error)) from error
    except NotFound as error:
        return fail_pdf(db, version_id=version_id, message=error.message)
    if pdf is None:
        return fail_pdf(
            db, version_id=version_id, message="服务器未安装 LibreOffice（soffice），无法转换 PDF"
        )
    blob = storage.store(db, pdf, mime=PDF)
    version.pdf_sha256, version.pdf_status, version.pdf_error = blob.sha256, "", ""
    db.add(version)
    db.flush()
    audit.record(
        db,
        actor=db.get(User, actor_id) if actor_id else None,
        action="deliverable.pdf",
        obj=version,
        engagement_id=version.engagement_id,
        after={"pdf_sha256": blob.sha256},
        summary=f"{version.kind_name}第{version.number}版转换为 PDF",
    )
    return version


def fail_pdf(db: Session, *, version_id: int, message: str) -> DeliverableVersion | None:
    """The conversion failed: the row says why and offers to convert again."""
    version = db.get(DeliverableVersion, version_id)
    if version is not None and version.pdf_status == "pending":
        version.pdf_status, version.pdf_error = "failed", message[:500]
        db.add(version)
        db.flush()
    return version


def convert_pdf(
    db: Session, *, actor: User, engagement: Engagement, version: DeliverableVersion
) -> DeliverableVersion:
    """Request and run the conversion in this transaction (API, tests, the CLI)."""
    request_pdf(db, actor=actor, engagement=engagement, version=version)
    try:
        run_pdf(db, version_id=version.id, actor_id=actor.id)
    except jobs.Transient as error:
        fail_pdf(db, version_id=version.id, message=str(error))
    if version.pdf_status == "failed":
        raise Conflict(f"PDF 转换失败：{version.pdf_error}")
    return version


def pdf_name(version: DeliverableVersion) -> str:
    return version.filename.rsplit(".", 1)[0] + ".pdf"


def compare(
    older: DeliverableVersion, newer: DeliverableVersion
) -> list[tuple[str, list[textdiff.DiffRow]]]:
    """Per section (in the newer version's order), the diff of the section texts."""
    if older.kind != newer.kind:
        raise ValidationFailed(
            "只能比较同一成果的两个版本", details=[{"field": "b", "message": "成果类型不同"}]
        )
    a, b = older.sections or {}, newer.sections or {}
    out = []
    for key in [*b, *(k for k in a if k not in b)]:
        left, right = a.get(key) or {}, b.get(key) or {}
        title = right.get("title") or left.get("title") or key
        out.append((title, textdiff.diff_rows(left.get("text", ""), right.get("text", ""))))
    return out
