"""Engagement endpoints: list, create, detail with the flow, advance."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from workbench import db
from workbench.accounts.models import Organisation, OrgKind
from workbench.accounts.services import get_or_create_org
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.schemas import (
    AdvanceOut,
    EngagementDetail,
    EngagementIn,
    EngagementList,
    EngagementOut,
    EngagementPatch,
    FlowStepOut,
)
from workbench.api.versions import require_current, tagged
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services
from workbench.engagements.models import Engagement
from workbench.engagements.services import flow


def load(id: int, **_) -> Engagement:  # noqa: A002 - the path parameter is called id in DESIGN.md
    return services.get(db.session(), id)


def _out(engagement: Engagement, orgs: dict[int, Organisation]) -> dict:
    bureau, unit = orgs.get(engagement.bureau_id), orgs.get(engagement.unit_id or 0)
    return dict(
        id=engagement.id,
        code=engagement.code,
        title=engagement.title,
        type=engagement.type,
        bureau_id=engagement.bureau_id,
        bureau_name=bureau.name if bureau else "",
        unit_id=engagement.unit_id,
        unit_name=unit.name if unit else None,
        budget_year=engagement.budget_year,
        budget_amount=engagement.budget_amount,
        stage=engagement.stage,
        stage_name=engagement.stage_name,
        archived=engagement.is_archived,
    )


@operation(
    "/engagements",
    "GET",
    summary=(
        "我可见的项目列表（新的在前；分页：limit, cursor；筛选：q（名称或编号包含）、stage）；"
        "仍可用 page, per_page 按原顺序（未归档在前、计划完成日期先后）分页"
    ),
    response=EngagementList,
)
@requires("authenticated")
def list_engagements():
    session = db.session()
    q, stage = request.args.get("q", ""), request.args.get("stage", "")
    page = per_page = next_cursor = None
    if cursor.page_mode():
        page = query_int("page", 1)
        per_page = min(query_int("per_page", 50), 200)
        rows, total = services.list_for(
            session, user=current_user, q=q, stage=stage, page=page, per_page=per_page
        )
    else:
        stmt = services.list_query(user=current_user, q=q, stage=stage)
        rows, next_cursor = cursor.page(session, stmt, Engagement.id)
        total = cursor.count(session, stmt)
    orgs = services.orgs_by_id(
        session, {e.bureau_id for e in rows} | {e.unit_id or 0 for e in rows}
    )
    return respond(
        EngagementList(
            items=[EngagementOut(**_out(e, orgs)) for e in rows],
            total=total,
            next_cursor=next_cursor,
            page=page,
            per_page=per_page,
        )
    )


@operation(
    "/engagements",
    "POST",
    summary="新建项目",
    body=EngagementIn,
    response=EngagementOut,
    status=201,
)
@requires("agency")
def create_engagement():
    body = parse_body(EngagementIn)
    session = db.session()
    bureau_id = body.bureau_id
    if not bureau_id:
        bureau_id = get_or_create_org(
            session, actor=current_user, name=body.bureau_name, kind=OrgKind.bureau
        ).id
    unit_id = None
    if body.unit_name and body.unit_name.strip():
        unit_id = get_or_create_org(
            session, actor=current_user, name=body.unit_name, kind=OrgKind.unit
        ).id
    data = services.EngagementInput(
        title=body.title,
        type=body.type,
        bureau_id=bureau_id,
        unit_id=unit_id,
        budget_year=body.budget_year,
        budget_amount=body.budget_amount,
        code=body.code or "",
        planned_start=body.planned_start,
        planned_end=body.planned_end,
    )
    engagement = services.create(session, actor=current_user, data=data)
    orgs = services.orgs_by_id(session, {bureau_id, unit_id or 0})
    return respond(EngagementOut(**_out(engagement, orgs)), 201)


@operation("/engagements/{id}", "GET", summary="项目详情及流程状态", response=EngagementDetail)
@requires("engagement.view", load=load)
def get_engagement(id: int):  # noqa: A002
    session = db.session()
    engagement = guarded_object()
    orgs = services.orgs_by_id(session, {engagement.bureau_id, engagement.unit_id or 0})
    steps = flow.flow(session, engagement)
    internal = current_user.is_agency or current_user.is_expert
    out = [
        FlowStepOut(**{**s.as_dict(), "blockers": s.as_dict()["blockers"] if internal else []})
        for s in steps
    ]
    return tagged(respond(EngagementDetail(**_out(engagement, orgs), flow=out)), engagement.version)


@operation(
    "/engagements/{id}",
    "PATCH",
    summary=(
        "修改项目信息（只改所给字段；金额为字符串，单位元）：须带 If-Match（GET 项目详情的 ETag），"
        "记录已被他人修改时 412，不做任何修改"
    ),
    body=EngagementPatch,
    response=EngagementOut,
    versioned=True,
)
@requires("engagement.manage", load=load)
def patch_engagement(id: int):  # noqa: A002
    engagement = guarded_object()
    version = require_current(engagement.version)
    body = parse_body(EngagementPatch)
    session = db.session()
    current = {name: getattr(engagement, name) for name in services.EDITABLE_FIELDS}
    data = services.EngagementInput(**{**current, **body.model_dump(exclude_unset=True)})
    engagement = services.update(
        session, actor=current_user, engagement=engagement, data=data, version=version
    )
    orgs = services.orgs_by_id(session, {engagement.bureau_id, engagement.unit_id or 0})
    return tagged(respond(EngagementOut(**_out(engagement, orgs))), engagement.version)


@operation(
    "/engagements/{id}/advance",
    "POST",
    summary="进入下一阶段；条件未满足时 409 {blockers}",
    response=AdvanceOut,
)
@requires("engagement.manage", load=load)
def advance_engagement(id: int):  # noqa: A002
    engagement = guarded_object()
    flow.advance(db.session(), actor=current_user, engagement=engagement)
    return respond(AdvanceOut(stage=engagement.stage, archived=engagement.is_archived))
