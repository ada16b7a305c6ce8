"""Deliverable endpoints: generate a document (recorded as a version) and list the versions."""

from __future__ import annotations

from datetime import datetime

from flask import after_this_request, request, send_file
from flask_login import current_user
from pydantic import BaseModel

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, refuse_unstorable, respond
from workbench.core import storage
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.reports import services
from workbench.review.services import archive, seal


class VersionOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    number: int
    label: str
    filename: str
    mime: str
    size: int
    sha256: str
    pdf_sha256: str | None
    stage: str
    generated_by_id: int | None
    generated_at: datetime
    total: str | None
    grade: str | None


class VersionList(BaseModel):
    items: list[VersionOut]
    next_cursor: str | None = None


def load(id: int, **_):  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


def _out(version) -> VersionOut:
    figures = version.figures or {}
    return VersionOut(
        id=version.id,
        kind=version.kind,
        kind_name=version.kind_name,
        number=version.number,
        label=version.label,
        filename=version.filename,
        mime=version.mime,
        size=version.size,
        sha256=version.sha256,
        pdf_sha256=version.pdf_sha256,
        stage=version.stage,
        generated_by_id=version.generated_by_id,
        generated_at=version.generated_at,
        total=figures.get("total"),
        grade=figures.get("grade"),
    )


@operation(
    "/engagements/{id}/documents/{kind}",
    "POST",
    summary=(
        "生成成果文件并记录为新版本：kind ∈ plan, report, score_sheet, opinion_table, archive；"
        "可选 JSON {label: 初稿|征求意见稿|送审稿|正式稿}；返回文件（docx 或 zip），"
        "响应头 X-Deliverable-Version 为版本号。项目归档后 kind=archive 返回与页面“导出档案包”"
        "相同的文件（归档时封存的档案包原样 + 归档后补充件 addendum/），不再记录新版本，"
        "响应头 X-Archive-Addendum 为 1；其他 kind 归档后 409"
    ),
    binary="application/octet-stream",
    tag="reports",
)
@requires("engagement.team", load=load)
def generate_document(id: int, kind: str):  # noqa: A002
    body = request.get_json(silent=True) if request.data else {}
    if body is None or not isinstance(body, dict):
        raise ValidationFailed.of_field("body", "请求体须为 JSON 对象")
    refuse_unstorable(body)
    label = body.get("label") or ""
    if not isinstance(label, str):
        raise ValidationFailed(
            "版本说明无效", details=[{"field": "label", "message": "应为字符串"}]
        )
    engagement = load(id)
    if kind == "archive" and engagement.is_archived:
        return _archived_package(engagement)
    version = services.generate(
        db.session(), actor=current_user, engagement=load(id), kind=kind, label=label
    )
    response = storage.send(version.sha256, name=version.filename, mime=version.mime)
    response.headers["X-Deliverable-Version"] = str(version.number)
    response.headers["X-Deliverable-Id"] = str(version.id)
    return response


def _archived_package(engagement):
    """The same file as the archive page's export: sealed original plus the addendum."""
    path, addendum = seal.export_package(db.session(), engagement)

    @after_this_request
    def _remove(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    name = f"{archive.safe_name(engagement.code, 'engagement')}-档案包.zip"
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)
    response.headers["X-Archive-Addendum"] = "1" if addendum else "0"
    return response


@operation(
    "/engagements/{id}/documents",
    "GET",
    summary="项目已生成的成果文件版本（新的在前；分页：limit, cursor）",
    response=VersionList,
    tag="reports",
)
@requires("engagement.team", load=load)
def list_documents(id: int):  # noqa: A002
    rows, next_cursor = cursor.page_of(
        services.versions(db.session(), guarded_object()), lambda v: v.id
    )
    return respond(VersionList(items=[_out(v) for v in rows], next_cursor=next_cursor))
