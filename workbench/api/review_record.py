"""The review loop's rectification (整改) through the API; the comments are in review_comments.py.

The same services as the follow-up pages: items are the follow-up page's (`rectification.add_item`,
`update_item`, `record_progress`, `delete_item`) and the evaluated unit's page's
(`unit_followup.report`); the unit gets its own list with only what its page shows. The
follow-up outlives the archive (the services say so).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_login import current_user
from sqlmodel import select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, refuse_unstorable, respond
from workbench.api.engagements import load
from workbench.api.review_record_schemas import (
    RectificationEvidenceOut,
    RectificationItemIn,
    RectificationItemOut,
    RectificationItemPage,
    RectificationItemPatch,
    RectificationProgressIn,
    RectificationReportIn,
    RectificationReportOut,
    UnitRectificationItemOut,
    UnitRectificationItemPage,
)
from workbench.api.versions import require_current, tagged
from workbench.core import storage, uploads
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.core.timeutil import today_local
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.review.models import RectificationItem
from workbench.review.services import Scope, rectification, unit_followup
from workbench.review.states import SHOWN_NAMES, UNIT_REPORT_NAMES, follow_up_state

# --- loaders and serialisers -----------------------------------------------------------------


def load_item(item_id: int, **_) -> Scope:
    """The item inside its engagement: whoever cannot see the engagement gets 404."""
    session = db.session()
    item = session.get(RectificationItem, item_id)
    if item is None:
        raise NotFound("整改事项不存在")
    return Scope(engagements.get(session, item.engagement_id), item)


def names_of(ids: set[int]) -> dict[int, str]:
    found = engagements.users_by_id(db.session(), ids - {0})
    return {i: u.display_name for i, u in found.items()}


def _reports(engagement: Engagement) -> dict[int, list[RectificationReportOut]]:
    """The unit's reports by item, with their files, as both follow-up pages list them."""
    session = db.session()
    reports = unit_followup.reports_by_item(session, engagement)
    files = unit_followup.files_by_report(session, engagement)
    names = names_of({r.author_id for rows in reports.values() for r in rows})
    return {
        item_id: [
            RectificationReportOut(
                id=r.id,
                kind=r.kind,
                kind_name=UNIT_REPORT_NAMES[r.kind],
                text=r.text,
                author_id=r.author_id,
                author_name=names.get(r.author_id, ""),
                created_at=r.created_at,
                files=[
                    RectificationEvidenceOut(
                        id=f.id, name=f.name, mime=f.mime, size=f.size, sha256=f.sha256
                    )
                    for f in files.get(r.id, [])
                ],
            )
            for r in rows
        ]
        for item_id, rows in reports.items()
    }


def _items(engagement: Engagement, items: Sequence[RectificationItem], shape: type) -> list:
    """Items as `shape` (RectificationItemOut or UnitRectificationItemOut), with the state their page shows (overdue too)."""
    reports = _reports(engagement)
    today = today_local()
    found = []
    for item in items:
        state = follow_up_state(item.status, item.feedback_due, item.rectify_due, today)
        fields = {
            **item.model_dump(include=set(shape.model_fields)),
            "state": state,
            "state_name": SHOWN_NAMES[state],
            # The note of a confirmation only: record_progress keeps feedback in feedback_note.
            "rectified_note": item.rectified_note if item.rectified_at else "",
            "reports": reports.get(item.id, []),
        }
        found.append(shape(**fields))
    return found


def _one(scope: Scope, status: int = 200):
    [out] = _items(scope.engagement, [scope.obj], RectificationItemOut)
    return tagged(respond(out, status), scope.obj.version)


def _page(engagement: Engagement, shape: type, page: type):
    stmt = select(RectificationItem).where(RectificationItem.engagement_id == engagement.id)
    rows, next_cursor = cursor.page(db.session(), stmt, RectificationItem.id)
    return respond(page(items=_items(engagement, rows, shape), next_cursor=next_cursor))


# --- rectification items ---------------------------------------------------------------------


@operation(
    "/engagements/{id}/rectification",
    "GET",
    summary=(
        "整改事项（新建的在前；分页：limit, cursor）：state 为页面所示状态，含逾期未反馈/逾期未整改，"
        "附被评价单位的报送及附件；评价机构和委托方可读"
    ),
    response=RectificationItemPage,
    tag="review",
)
@requires("review.view", load=load)
def list_rectification(id: int):  # noqa: A002
    return _page(guarded_object(), RectificationItemOut, RectificationItemPage)


@operation(
    "/engagements/{id}/rectification/unit",
    "GET",
    summary="被评价单位看到的整改事项（与其整改情况页相同，不含评价机构的反馈记录；分页：limit, cursor）",
    response=UnitRectificationItemPage,
    tag="review",
)
@requires("review.unit", load=load)
def list_unit_rectification(id: int):  # noqa: A002
    return _page(guarded_object(), UnitRectificationItemOut, UnitRectificationItemPage)


@operation(
    "/engagements/{id}/rectification",
    "POST",
    summary=(
        "项目负责人新建一项整改事项 {problem, requirement?, feedback_due?, rectify_due?}（ISO 日期，"
        "省略则按默认天数）；正式报告审核通过前 409，整改期限早于反馈期限 422；通知委托方和被评价单位"
    ),
    body=RectificationItemIn,
    response=RectificationItemOut,
    status=201,
    tag="review",
)
@requires("review.manage", load=load)
def create_rectification_item(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(RectificationItemIn)
    session = db.session()
    item = rectification.add_item(
        session,
        actor=current_user,
        engagement=engagement,
        problem=body.problem,
        requirement=body.requirement,
        feedback_due=body.feedback_due,
        rectify_due=body.rectify_due,
    )
    rectification.announce(session, engagement=engagement, items=[item])
    return _one(Scope(engagement, item), 201)


@operation(
    "/rectification/{item_id}",
    "GET",
    summary="一项整改事项；响应头 ETag 为修改、登记进展和报送所需的 If-Match",
    response=RectificationItemOut,
    tag="review",
)
@requires("review.view", load=load_item)
def get_rectification_item(item_id: int):
    return _one(guarded_object())


@operation(
    "/rectification/{item_id}",
    "PATCH",
    summary=(
        "项目负责人修改整改事项（只改所给字段）：problem, requirement, feedback_due, rectify_due；"
        "须带 If-Match，过期 412；整改期限早于反馈期限 422"
    ),
    body=RectificationItemPatch,
    response=RectificationItemOut,
    tag="review",
    versioned=True,
)
@requires("review.manage", load=load_item)
def patch_rectification_item(item_id: int):
    scope = guarded_object()
    item = scope.obj
    body = parse_body(RectificationItemPatch)
    version = require_current(item.version)
    fields = {
        "problem": item.problem,
        "requirement": item.requirement,
        "feedback_due": item.feedback_due,
        "rectify_due": item.rectify_due,
        **body.model_dump(exclude_unset=True),
    }
    rectification.update_item(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        item_id=item.id,
        problem=fields["problem"] or "",
        requirement=fields["requirement"] or "",
        feedback_due=fields["feedback_due"],
        rectify_due=fields["rectify_due"],
        version=version,
    )
    return _one(scope)


@operation(
    "/rectification/{item_id}",
    "DELETE",
    summary="项目负责人删除误建的整改事项；已登记进展或单位已报送的 409",
    status=204,
    tag="review",
)
@requires("review.manage", load=load_item)
def delete_rectification_item(item_id: int):
    scope = guarded_object()
    rectification.delete_item(
        db.session(), actor=current_user, engagement=scope.engagement, item_id=scope.obj.id
    )
    return "", 204


@operation(
    "/rectification/{item_id}/progress",
    "POST",
    summary=(
        "项目负责人或委托方登记进展 {status: feedback_received|rectified, note}（已整改须说明）："
        "不能回退的状态 409；须带 If-Match，过期 412；归档后仍可登记"
    ),
    body=RectificationProgressIn,
    response=RectificationItemOut,
    tag="review",
    versioned=True,
)
@requires("review.follow_up", load=load_item)
def record_rectification_progress(item_id: int):
    scope = guarded_object()
    body = parse_body(RectificationProgressIn)
    version = require_current(scope.obj.version)
    rectification.record_progress(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        item_id=scope.obj.id,
        status=body.status,
        note=body.note,
        version=version,
    )
    return _one(scope)


def _unit_report_input() -> tuple[str, str, list[tuple[str, bytes]]]:
    """JSON {kind, text}, or multipart with the same fields and the evidence as `files`.

    The multipart fields are checked by the service itself (kind, text required, length), as
    the unit's page form does.
    """
    if request.mimetype != "multipart/form-data":
        body = parse_body(RectificationReportIn)
        return body.kind, body.text, []
    kind, text = request.form.get("kind", ""), request.form.get("text", "")
    refuse_unstorable({"kind": kind, "text": text})
    return kind, text, uploads.received_files()


@operation(
    "/rectification/{item_id}/reports",
    "POST",
    summary=(
        "被评价单位报送整改情况 {kind: feedback|progress|done, text}：JSON，或 multipart 同名字段加"
        "佐证材料 files（可多个；申报整改完成 done 时必传）；已确认整改的事项 422；"
        '须带 If-Match（单位整改列表中该事项的 version，如 W/"3"），过期 412；'
        "通知项目负责人和委托方；归档后仍可报送"
    ),
    body=RectificationReportIn,
    response=UnitRectificationItemOut,
    status=201,
    multipart="files",
    tag="review",
    versioned=True,
)
@requires("review.unit", load=load_item)
def report_rectification(item_id: int):
    scope = guarded_object()
    kind, text, files = _unit_report_input()
    version = require_current(scope.obj.version)
    unit_followup.report(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        item_id=scope.obj.id,
        kind=kind,
        text=text,
        files=files,
        max_mb=uploads.max_upload_mb(),
        version=version,
    )
    [out] = _items(scope.engagement, [scope.obj], UnitRectificationItemOut)
    return tagged(respond(out, 201), scope.obj.version)


@operation(
    "/engagements/{id}/rectification/files/{file_id}",
    "GET",
    summary="被评价单位报送的一份佐证材料（被评价单位、评价机构和委托方可下载）",
    binary="application/octet-stream",
    tag="review",
)
@requires("review.rectification_file", load=load)
def get_rectification_file(id: int, file_id: int):  # noqa: A002
    row = unit_followup.get_file(
        db.session(), actor=current_user, engagement=guarded_object(), file_id=file_id
    )
    return storage.send(row.sha256, name=row.name, mime=row.mime)
