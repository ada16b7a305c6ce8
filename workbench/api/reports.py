"""Deliverable endpoints: generate a document (recorded as a version) and list the versions."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask_login import current_user
from pydantic import BaseModel

from workbench import db
from workbench.api.blueprint import operation, refuse_unstorable, respond
from workbench.core import storage
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import requires
from workbench.engagements import services as engagements
from workbench.reports import services


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
        "响应头 X-Deliverable-Version 为版本号"
    ),
    binary="application/octet-stream",
    tag="reports",
)
@requires("engagement.team", load=load)
def generate_document(id: int, kind: str):  # noqa: A002
    body = request.get_json(silent=True) if request.data else {}
    if body is None or not isinstance(body, dict):
        raise ValidationFailed(
            "请求体须为 JSON 对象", details=[{"field": "body", "message": "请求体须为 JSON 对象"}]
        )
    refuse_unstorable(body)
    label = body.get("label") or ""
    if not isinstance(label, str):
        raise ValidationFailed(
            "版本说明无效", details=[{"field": "label", "message": "应为字符串"}]
        )
    version = services.generate(
        db.session(), actor=current_user, engagement=load(id), kind=kind, label=label
    )
    response = storage.send(version.sha256, name=version.filename, mime=version.mime)
    response.headers["X-Deliverable-Version"] = str(version.number)
    response.headers["X-Deliverable-Id"] = str(version.id)
    return response


@operation(
    "/engagements/{id}/documents",
    "GET",
    summary="项目已生成的成果文件版本（新的在前）",
    response=VersionList,
    tag="reports",
)
@requires("engagement.team", load=load)
def list_documents(id: int):  # noqa: A002
    rows = services.versions(db.session(), load(id))
    return respond(VersionList(items=[_out(v) for v in rows]))
