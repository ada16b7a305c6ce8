"""The whole binder (底稿卷宗) as a zip: an Excel index, every paper as .docx, every evidence file.

Written into a file object (a temporary file in the view) so a large binder never sits in memory;
evidence files are copied from storage one by one.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlmodel import Session, col, func, select

from workbench.core import storage
from workbench.core.spreadsheet import CellStyle, append_row, new_workbook, xlsx_bytes
from workbench.core.timeutil import local
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.fieldwork.export import _UNSAFE, file_name, paper_docx
from workbench.fieldwork.models import Evidence, Finding, WorkingPaper
from workbench.fieldwork.numbering import sort_key
from workbench.fieldwork.papers import indicators_by_paper
from workbench.fieldwork.request_models import (
    ITEM_STATUS_NAMES,
    DocumentRequest,
    ItemStatus,
    RequestItem,
)
from workbench.fieldwork.review import active_signoffs
from workbench.fieldwork.review_rules import STATUS_NAMES, Level, Status

LOOSE = "项目资料（未归入底稿）"
_STORED = {"jpg", "jpeg", "png", "zip", "docx", "xlsx", "pptx", "ofd", "pdf"}
_HEAD = CellStyle(font=Font(bold=True))
_BODY = CellStyle(alignment=Alignment(wrap_text=True, vertical="top"))


def summary(db: Session, *, engagement: Engagement) -> dict[str, int]:
    """How many papers and files a binder holds and their size (for the waiting message)."""
    papers = db.exec(
        select(func.count())
        .select_from(WorkingPaper)
        .where(WorkingPaper.engagement_id == engagement.id)
    ).one()
    files, size = db.exec(
        select(func.count(), func.coalesce(func.sum(Evidence.size), 0)).where(
            Evidence.engagement_id == engagement.id
        )
    ).one()
    return {"papers": papers, "files": files, "bytes": int(size)}


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, ext) if dot else (name, "")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}（{n}）.{ext}" if ext else f"{name}（{n}）"
    taken.add(candidate)
    return candidate


def _copy_in(zf: zipfile.ZipFile, sha256: str, arcname: str, kind: int) -> None:
    """Stream one stored file into the binder (from the folder or the bucket alike)."""
    info = zipfile.ZipInfo(arcname, date_time=time.localtime()[:6])
    info.compress_type = kind
    info.external_attr = 0o644 << 16  # rw-r--r-- when unpacked, as zf.write gave a plain file
    with storage.open(sha256) as src, zf.open(info, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], widths: list[int]):
    sheet = book.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    append_row(sheet, headers, style=_HEAD)
    for row in rows:
        append_row(sheet, row, style=_BODY)
    return sheet


def write_binder(
    db: Session,
    *,
    engagement: Engagement,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the binder zip into `out`; returns the counts written."""
    root = _UNSAFE.sub("_", f"{engagement.code} 工作底稿卷宗")
    papers = sorted(
        db.exec(select(WorkingPaper).where(WorkingPaper.engagement_id == engagement.id)).all(),
        key=lambda p: sort_key(p.index_no),
    )
    ids = [p.id for p in papers]
    links = indicators_by_paper(db, ids)
    signed = active_signoffs(db, ids)
    people = users_by_id(db, {s.user_id for by in signed.values() for s in by.values()})
    evidence = db.exec(
        select(Evidence).where(Evidence.engagement_id == engagement.id).order_by(col(Evidence.id))
    ).all()
    finding_counts = dict(
        db.exec(
            select(Finding.paper_id, func.count())
            .where(col(Finding.paper_id).in_(ids or [0]))
            .group_by(Finding.paper_id)
        ).all()
    )
    by_paper = {p.id: p for p in papers}
    steps, done = len(papers) + len(evidence), 0
    index_rows, evidence_rows = [], []
    taken: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for paper in papers:
            arcname = _unique(f"{root}/底稿/{file_name(paper)}", taken)
            zf.writestr(arcname, paper_docx(db, engagement=engagement, paper=paper))
            row = [
                paper.index_no,
                paper.title,
                paper.template_name,
                "；".join(f"{i.level1}/{i.level2}/{i.name}" for i in links[paper.id]),
                STATUS_NAMES[Status(paper.status)]
                + ("（签字后修改）" if paper.edited_after_review else ""),
            ]
            for level in (Level.prepare, Level.review, Level.approve):
                s = signed[paper.id].get(level)
                user = people.get(s.user_id) if s else None
                row += [
                    user.display_name if user else "",
                    f"{local(s.signed_at):%Y-%m-%d}" if s else "",
                ]
            row += [
                sum(1 for e in evidence if e.paper_id == paper.id),
                finding_counts.get(paper.id, 0),
                arcname.removeprefix(f"{root}/"),
            ]
            index_rows.append(row)
            done += 1
            if progress:
                progress(done, steps)
        for item in evidence:
            paper = by_paper.get(item.paper_id)
            folder = paper.index_no if paper else LOOSE
            arcname = _unique(f"{root}/佐证材料/{folder}/{_UNSAFE.sub('_', item.name)}", taken)
            state = "已打包"
            try:
                if storage.exists(item.sha256):
                    kind = zipfile.ZIP_STORED if item.extension in _STORED else zipfile.ZIP_DEFLATED
                    _copy_in(zf, item.sha256, arcname, kind)
                else:
                    state = "文件缺失"
            except Exception:  # noqa: BLE001 - one unreadable file must not lose the binder
                state = "文件无法读取"
            evidence_rows.append(
                [
                    paper.index_no if paper else "",
                    item.name,
                    arcname.removeprefix(f"{root}/") if state == "已打包" else "",
                    item.size,
                    item.sha256,
                    item.source,
                    f"{local(item.captured_at):%Y-%m-%d %H:%M}" if item.captured_at else "",
                    f"{local(item.created_at):%Y-%m-%d %H:%M}",
                    state,
                ]
            )
            done += 1
            if progress:
                progress(done, steps)
        zf.writestr(f"{root}/底稿索引.xlsx", _index(db, engagement, index_rows, evidence_rows))
    return {"papers": len(papers), "files": len(evidence)}


def _index(db: Session, engagement: Engagement, papers: list, evidence: list) -> bytes:
    book = new_workbook(write_only=True)  # a large binder indexes thousands of files
    headers = ["索引号", "底稿名称", "模板", "涉及指标", "状态"]
    headers += ["编制人", "编制日期", "复核人", "复核日期", "批准人", "批准日期"]
    headers += ["佐证材料数", "发现问题数", "文件"]
    _sheet(book, "底稿索引", headers, papers, [10, 28, 14, 40, 16, 8, 11, 8, 11, 8, 11, 10, 10, 40])
    _sheet(
        book,
        "佐证材料",
        [
            "底稿索引号",
            "文件名",
            "压缩包内路径",
            "大小（字节）",
            "SHA-256",
            "来源",
            "拍摄时间",
            "上传时间",
            "状态",
        ],
        evidence,
        [10, 30, 50, 12, 66, 16, 17, 17, 10],
    )
    rows = []
    for item, request in db.exec(
        select(RequestItem, DocumentRequest)
        .join(DocumentRequest, col(DocumentRequest.id) == RequestItem.request_id)
        .where(DocumentRequest.engagement_id == engagement.id)
        .order_by(col(DocumentRequest.id), col(RequestItem.position))
    ).all():
        rows.append(
            [
                request.title,
                item.name,
                item.due_date.isoformat() if item.due_date else "",
                ITEM_STATUS_NAMES[ItemStatus(item.status)],
                item.waive_reason,
            ]
        )
    _sheet(
        book,
        "资料清单",
        ["清单", "资料名称", "截止日期", "状态", "免于提供原因"],
        rows,
        [30, 40, 12, 10, 40],
    )
    return xlsx_bytes(book)
