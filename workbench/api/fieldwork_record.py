"""Document requests (资料清单) and findings (问题) through the API, by the pages' own services.

Requests: list, create, one request with its items, add items, send to the unit's contact, mark an
item received / waived / requested again, and the unit's upload of files for an item. Findings:
the engagement's 问题清单 and recording a finding on a working paper.

The two lists come from services that return everything (`requests.list_requests`,
`registers.list_findings`); they are paged here over that result, newest id first, with the
cursors of `api/cursor.py`. A request is named alone in the API's paths, so whoever may not open it
(a unit contact it was not sent to, a bureau reviewer) gets 404, not 403: they may not know it
exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load as _load_engagement
from workbench.api.fieldwork_record_schemas import (
    DocumentRequestDetail,
    DocumentRequestIn,
    DocumentRequestOut,
    DocumentRequestPage,
    PaperFindingCreated,
    PaperFindingIn,
    PaperFindingOut,
    PaperFindingPage,
    RequestFileOut,
    RequestItemList,
    RequestItemOut,
    RequestItemsIn,
    RequestItemStatusIn,
    RequestSendIn,
    RequestUploadOut,
)
from workbench.api.versions import tagged
from workbench.core import uploads
from workbench.core.errors import NotFound
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.timeutil import today_local
from workbench.engagements import services as engagements
from workbench.fieldwork.models import DocumentRequest, Evidence, ItemStatus, RequestItem
from workbench.fieldwork.review_rules import STATUS_NAMES, Status
from workbench.fieldwork.services import FindingRow, Scope, findings, loaders, papers, registers
from workbench.fieldwork.services import requests as service
from workbench.indicators.models import Indicator


@dataclass
class RequestScope(Scope):
    """A request named alone in a path: hidden (404) from whoever may not open it."""

    def visible_to(self, user: Any) -> bool:
        return allowed("fieldwork.request", self, user)


def _load_request(rid: int, **_) -> RequestScope:
    session = db.session()
    found = session.get(DocumentRequest, rid)
    if found is None:
        raise NotFound("资料清单不存在")
    return RequestScope(engagements.get(session, found.engagement_id), request=found)


def _files(item_ids: list[int]) -> dict[int, list[RequestFileOut]]:
    found: dict[int, list[RequestFileOut]] = {i: [] for i in item_ids}
    if item_ids:
        stmt = select(Evidence).where(col(Evidence.request_item_id).in_(item_ids))
        for row in db.session().exec(stmt.order_by(col(Evidence.id))).all():
            found[row.request_item_id].append(
                RequestFileOut(**row.model_dump(include=set(RequestFileOut.model_fields)))
            )
    return found


def _item(item: RequestItem, number: int, files: list[RequestFileOut], today: date):
    return RequestItemOut(
        **item.model_dump(include=set(RequestItemOut.model_fields)),
        number=number,
        status_name=item.status_name(today),
        overdue=item.is_overdue(today),
        files=files,
    )


def _items(rows: list[RequestItem], *, numbered_from: int = 1) -> list[RequestItemOut]:
    files, today = _files([i.id for i in rows]), today_local()
    return [_item(i, n, files[i.id], today) for n, i in enumerate(rows, start=numbered_from)]


def _request(req: DocumentRequest, items: list[RequestItem], people: dict) -> dict:
    contact = people.get(req.contact_user_id) if req.contact_user_id else None
    today = today_local()
    return {
        **req.model_dump(include=set(DocumentRequestOut.model_fields)),
        "contact_name": contact.display_name if contact else "",
        "item_count": len(items),
        "received": sum(i.status == ItemStatus.received for i in items),
        "waived": sum(i.status == ItemStatus.waived for i in items),
        "overdue": sum(i.is_overdue(today) for i in items),
    }


def _detail(req: DocumentRequest, status: int = 200):
    session = db.session()
    items = service.items_of(session, [req.id])[req.id]
    people = engagements.users_by_id(session, {req.contact_user_id or 0})
    out = DocumentRequestDetail(**_request(req, items, people), items=_items(items))
    return tagged(respond(out, status), req.version)


def _item_inputs(body: RequestItemsIn) -> list[service.ItemInput]:
    return [
        service.ItemInput(
            name=i.name, description=i.description, due_date=i.due_date or body.due_date
        )
        for i in body.items
    ]


@operation(
    "/engagements/{id}/requests",
    "GET",
    summary="项目的资料清单（新的在前；分页：limit, cursor）；被评价单位联系人只看到发给自己的清单",
    response=DocumentRequestPage,
    tag="fieldwork",
)
@requires("fieldwork.requests", load=_load_engagement)
def list_document_requests(id: int):  # noqa: A002
    session = db.session()
    rows = service.list_requests(session, engagement=guarded_object(), user=current_user)
    chosen, next_cursor = cursor.page_of(rows, lambda r: r.id)
    items = service.items_of(session, [r.id for r in chosen])
    people = engagements.users_by_id(
        session, {r.contact_user_id for r in chosen if r.contact_user_id}
    )
    out = [DocumentRequestOut(**_request(r, items[r.id], people)) for r in chosen]
    return respond(DocumentRequestPage(items=out, next_cursor=next_cursor))


@operation(
    "/engagements/{id}/requests",
    "POST",
    summary=(
        "新建资料清单（未发送）{title, note, items: [{name, description, due_date}], due_date（未给"
        "截止日期的资料项用它）, paper_id（资料清单底稿）, receipt_paper_id（收到资料归入的底稿）}；"
        "项目负责人可建；底稿不属于本项目时 422"
    ),
    body=DocumentRequestIn,
    response=DocumentRequestDetail,
    status=201,
    tag="fieldwork",
)
@requires("fieldwork.manage", load=_load_engagement)
def create_document_request(id: int):  # noqa: A002
    body = parse_body(DocumentRequestIn)
    created = service.create_request(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        title=body.title,
        items=_item_inputs(body),
        note=body.note,
        paper_id=body.paper_id,
        receipt_paper_id=body.receipt_paper_id,
    )
    return _detail(created, 201)


@operation(
    "/requests/{rid}",
    "GET",
    summary="一份资料清单及其资料项（每项的状态、已上传文件）；响应头 ETag 为清单的版本",
    response=DocumentRequestDetail,
    tag="fieldwork",
)
@requires("fieldwork.request", load=_load_request)
def get_document_request(rid: int):
    return _detail(guarded_object().request)


@operation(
    "/requests/{rid}/items",
    "POST",
    summary="向资料清单追加资料项 {items: [{name, description, due_date}], due_date}；项目负责人可加",
    body=RequestItemsIn,
    response=RequestItemList,
    status=201,
    tag="fieldwork",
)
@requires("fieldwork.manage", load=_load_request)
def add_request_items(rid: int):
    scope = guarded_object()
    body = parse_body(RequestItemsIn)
    session = db.session()
    start = len(service.items_of(session, [scope.request.id])[scope.request.id]) + 1
    rows = service.add_items(
        session,
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        items=_item_inputs(body),
    )
    return respond(RequestItemList(items=_items(rows, numbered_from=start)), 201)


@operation(
    "/requests/{rid}/send",
    "POST",
    summary=(
        "把资料清单发送给被评价单位联系人 {contact_user_id}（须是本项目工作组中的被评价单位联系人，"
        "否则 422）；联系人随后可查看并上传；再次发送即改发给所给联系人"
    ),
    body=RequestSendIn,
    response=DocumentRequestDetail,
    tag="fieldwork",
)
@requires("fieldwork.manage", load=_load_request)
def send_document_request(rid: int):
    scope = guarded_object()
    body = parse_body(RequestSendIn)
    sent = service.send_request(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        contact_user_id=body.contact_user_id,
    )
    return _detail(sent)


@operation(
    "/requests/{rid}/items/{item_id}/status",
    "POST",
    summary=(
        "标记资料项 {action: received（已收到，如现场纸质资料）| waived（免于提供，须给 reason）| "
        "requested（重新要求提供）, reason}；已是该状态时 409；项目负责人可标记"
    ),
    body=RequestItemStatusIn,
    response=RequestItemOut,
    tag="fieldwork",
)
@requires("fieldwork.manage", load=_load_request)
def set_request_item_status(rid: int, item_id: int):
    scope = guarded_object()
    body = parse_body(RequestItemStatusIn)
    session = db.session()
    item = service.set_item_status(
        session,
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        item_id=item_id,
        action=body.action,
        reason=body.reason,
    )
    rows = service.items_of(session, [scope.request.id])[scope.request.id]
    return respond(_items([item], numbered_from=rows.index(item) + 1)[0])


@operation(
    "/requests/{rid}/items/{item_id}/files",
    "POST",
    summary=(
        "multipart 上传资料项的文件：files（可多个）；由清单发送到的被评价单位联系人或项目组上传，"
        "资料项随之记为已收到；类型按内容识别，与扩展名不符、超过大小限制、同一资料项已有相同内容"
        "的文件时 422，且一个文件也不保存"
    ),
    response=RequestUploadOut,
    status=201,
    multipart="files",
    tag="fieldwork",
)
@requires("fieldwork.request_upload", load=_load_request)
def upload_request_item_files(rid: int, item_id: int):
    scope = guarded_object()
    session = db.session()
    created = service.upload_to_item(
        session,
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        item_id=item_id,
        files=uploads.received_files(),
        max_mb=uploads.max_upload_mb(),
    )
    rows = service.items_of(session, [scope.request.id])[scope.request.id]
    item = service.get_item(session, scope.request, item_id)
    out = _items([item], numbered_from=rows.index(item) + 1)[0]
    uploaded = {e.id for e in created}
    return respond(
        RequestUploadOut(files=[f for f in out.files if f.id in uploaded], item=out), 201
    )


def finding_out(row: FindingRow) -> PaperFindingOut:
    f, indicator = row.finding, row.indicator
    return PaperFindingOut(
        **f.model_dump(include=set(PaperFindingOut.model_fields)),
        paper_index=row.index_no,
        paper_title=row.paper_title,
        kind_name=row.kind_name,
        indicator_path=list(indicator.path) if indicator else None,
        evidence_count=row.evidence,
        recorded_by_id=f.created_by_id,
        recorded_by_name=row.recorder.display_name if row.recorder else "",
    )


@operation(
    "/engagements/{id}/findings",
    "GET",
    summary=(
        "项目的问题清单：各工作底稿上记录的发现（新的在前；分页：limit, cursor），含底稿索引号、"
        "类型、指标路径、扣分、评价要点与达成度、涉及金额、依据的佐证材料数、记录人"
    ),
    response=PaperFindingPage,
    tag="fieldwork",
)
@requires("fieldwork.read", load=_load_engagement)
def list_engagement_findings(id: int):  # noqa: A002
    rows = registers.list_findings(db.session(), engagement=guarded_object())
    chosen, next_cursor = cursor.page_of(rows, lambda r: r.finding.id)
    return respond(
        PaperFindingPage(items=[finding_out(r) for r in chosen], next_cursor=next_cursor)
    )


@operation(
    "/workpapers/{wid}/findings",
    "POST",
    summary=(
        "在工作底稿上记录发现的问题 {text, kind: observation|deduction|element, indicator_id 或 "
        "indicator_path（[一级, 二级, 三级]，须是底稿关联的指标）, points（扣分，字符串）, "
        "element_index, met（达成度 0–1）, money（涉及金额，元）, evidence_ids（本底稿的佐证材料）}；"
        "规则不符时 422 并指明字段；底稿已复核或批准时须传 confirm_clear_signoffs=true，否则 409"
    ),
    body=PaperFindingIn,
    response=PaperFindingCreated,
    status=201,
    tag="fieldwork",
)
@requires("fieldwork.write", load=loaders.paper_by_wid)
def record_paper_finding(wid: int):
    scope = guarded_object()
    body = parse_body(PaperFindingIn)
    session = db.session()
    indicator_id = body.indicator_id
    if body.indicator_path is not None:
        found = papers.indicator_ids_for_paths(
            session, engagement=scope.engagement, paths=[body.indicator_path]
        )
        indicator_id = found[0]
    finding = findings.add_finding(
        session,
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        data=findings.FindingInput(
            text=body.text,
            kind=body.kind,
            indicator_id=indicator_id,
            points=body.points,
            element_index=body.element_index,
            met=body.met,
            money=body.money,
            evidence_ids=body.evidence_ids,
        ),
        confirm_clear=body.confirm_clear_signoffs,
    )
    row = FindingRow(
        finding=finding,
        paper_id=scope.paper.id,
        index_no=scope.paper.index_no,
        paper_title=scope.paper.title,
        indicator=session.get(Indicator, finding.indicator_id) if finding.indicator_id else None,
        recorder=current_user._get_current_object(),
        evidence=len(set(body.evidence_ids)),
    )
    status = scope.paper.status
    out = PaperFindingCreated(
        **finding_out(row).model_dump(),
        paper_status=status,
        paper_status_name=STATUS_NAMES[Status(status)],
    )
    return respond(out, 201)
