"""Evidence (佐证材料) through the API: the lists with their metadata and the file itself.

Who may list and download is who may on the 佐证材料 page (`fieldwork.read`: the team, the agency
admin and the engagement's experts); anyone else gets 404 for another engagement's file. The file
is streamed from storage (`core.storage.send`, never read whole into memory) under its original
name (RFC 5987 for Chinese names), with its stored MIME type and its SHA-256 as the ETag.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, respond
from workbench.api.engagements import load
from workbench.api.evidence_schemas import EvidencePage, EvidenceRecordOut
from workbench.core import storage
from workbench.core.inputs import query_id
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.fieldwork.models import Evidence
from workbench.fieldwork.services import evidence, loaders


def _records(rows: Sequence[Evidence]) -> list[EvidenceRecordOut]:
    people = engagements.users_by_id(db.session(), {r.uploaded_by_id or 0 for r in rows})
    return [
        EvidenceRecordOut(
            **r.model_dump(exclude={"uploaded_by_name", "download"}),
            uploaded_by_name=people[r.uploaded_by_id].display_name
            if r.uploaded_by_id in people
            else "",
            download=url_for("api.download_evidence_get", id=r.engagement_id, evidence_id=r.id),
        )
        for r in rows
    ]


def _page(stmt) -> EvidencePage:
    rows, next_cursor = cursor.page(db.session(), stmt, Evidence.id)
    return EvidencePage(items=_records(rows), next_cursor=next_cursor)


@operation(
    "/engagements/{id}/evidence",
    "GET",
    summary=(
        "项目的全部佐证材料（底稿上的、项目资料清单的、资料清单收到的）及元数据（新的在前；"
        "分页：limit, cursor；筛选：paper_id）"
    ),
    response=EvidencePage,
    tag="fieldwork",
)
@requires("fieldwork.read", load=load)
def list_engagement_evidence(id: int):  # noqa: A002
    stmt = evidence.evidence_query(engagement=guarded_object(), paper_id=query_id("paper_id"))
    return respond(_page(stmt))


@operation(
    "/workpapers/{wid}/evidence",
    "GET",
    summary="工作底稿的佐证材料及元数据（新的在前；分页：limit, cursor）",
    response=EvidencePage,
    tag="fieldwork",
)
@requires("fieldwork.read", load=loaders.paper_by_wid)
def list_workpaper_evidence(wid: int):
    scope = guarded_object()
    return respond(
        _page(evidence.evidence_query(engagement=scope.engagement, paper_id=scope.paper.id))
    )


@operation(
    "/engagements/{id}/evidence/{evidence_id}",
    "GET",
    summary="一份佐证材料的元数据（文件名、类型、大小、SHA-256、来源、上传人、下载地址）",
    response=EvidenceRecordOut,
    tag="fieldwork",
)
@requires("fieldwork.read", load=load)
def get_evidence(id: int, evidence_id: int):  # noqa: A002
    item = evidence.get_evidence(db.session(), engagement=guarded_object(), evidence_id=evidence_id)
    [out] = _records([item])
    return respond(out)


@operation(
    "/engagements/{id}/evidence/{evidence_id}/file",
    "GET",
    summary=(
        "下载佐证材料（流式传输）：Content-Type 为文件类型，Content-Disposition 带原文件名"
        "（RFC 5987，中文名可用），ETag 为内容的 SHA-256，If-None-Match 相同时 304；支持 Range"
    ),
    binary="application/octet-stream",
    tag="fieldwork",
)
@requires("fieldwork.read", load=load)
def download_evidence(id: int, evidence_id: int):  # noqa: A002
    item = evidence.get_evidence(db.session(), engagement=guarded_object(), evidence_id=evidence_id)
    return storage.send(item.sha256, name=item.name, mime=item.mime, content_etag=True)
