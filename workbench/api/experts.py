"""The agency's expert pool (专家库) through the API, by the pool pages' own services.

Experts are personal data: as on the pages, the agency's staff list and read their own pool, an
expert account reads only its own profile, and only the agency's admin adds or edits a profile.
Another agency's expert is not found (404), never refused: the caller may not know it exists.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.experts_schemas import (
    ExpertConflictOut,
    ExpertDetail,
    ExpertIn,
    ExpertOut,
    ExpertPage,
    ExpertPatch,
)
from workbench.api.versions import require_current, tagged
from workbench.core.permissions import guarded_object, requires
from workbench.experts import services
from workbench.experts.models import TAG_SEPARATOR, Expert


def load_expert(expert_id: int, **_) -> Expert:
    """The expert of the path; its visible_to hides another agency's (404)."""
    return services.get_expert(db.session(), expert_id)


def _out(expert: Expert, counts: dict[int, int]) -> dict:
    return dict(
        **expert.model_dump(
            include={
                "id", "name", "title", "organisation", "phone", "email", "user_id", "note",
                "active", "created_at", "updated_at", "version",
            }
        ),
        field_tags=expert.tags,
        assignment_count=counts.get(expert.id, 0),
    )  # fmt: skip


def _detail(expert: Expert, status: int = 200):
    session = db.session()
    conflicts = [
        ExpertConflictOut(
            id=c.id,
            org_name=c.org_name,
            relation=c.relation,
            declared_at=c.declared_at,
            withdrawal_pending=c.withdrawal_pending,
        )
        for c in services.conflicts_of(session, expert)
    ]
    counts = services.assignment_counts(session, [expert])
    out = ExpertDetail(**_out(expert, counts), conflicts=conflicts)
    return tagged(respond(out, status), expert.version)


@operation(
    "/experts",
    "GET",
    summary=(
        "本机构专家库（新的在前；分页：limit, cursor；筛选：q（姓名、职称、专业领域、工作单位包含，"
        "多个词以空格分隔）、tag（专业领域，完全一致））"
    ),
    response=ExpertPage,
    tag="experts",
)
@requires("agency")
def list_experts():
    session = db.session()
    stmt = services.search_query(
        agency_id=current_user.org_id,
        q=request.args.get("q", ""),
        tag=request.args.get("tag", ""),
    )
    rows, next_cursor = cursor.page(session, stmt, Expert.id)
    counts = services.assignment_counts(session, rows)
    return respond(
        ExpertPage(items=[ExpertOut(**_out(e, counts)) for e in rows], next_cursor=next_cursor)
    )


@operation(
    "/experts",
    "POST",
    summary=(
        "机构管理员向专家库新增专家 {name, title, field_tags: [专业领域], organisation, phone, email, "
        "user_id（关联本机构的专家账号或人员账号）, note, active}；信息有误时 422 并指明字段"
    ),
    body=ExpertIn,
    response=ExpertDetail,
    status=201,
    tag="experts",
)
@requires("admin")
def create_expert():
    body = parse_body(ExpertIn)
    expert = services.create_expert(
        db.session(),
        actor=current_user,
        data=services.ExpertInput(
            **body.model_dump(exclude={"field_tags"}),
            field_tags=TAG_SEPARATOR.join(body.field_tags),
        ),
    )
    return _detail(expert, 201)


@operation(
    "/experts/{expert_id}",
    "GET",
    summary="一位专家的档案及申报的关联单位；本机构人员和专家本人可读；响应头 ETag 为修改所需的 If-Match",
    response=ExpertDetail,
    tag="experts",
)
@requires("expert.view", load=load_expert)
def get_expert(expert_id: int):
    return _detail(guarded_object())


@operation(
    "/experts/{expert_id}",
    "PATCH",
    summary=(
        "机构管理员修改专家档案（只改所给字段；user_id 为 null 即取消关联账号）：须带 If-Match，"
        "记录已被他人修改时 412，不做任何修改"
    ),
    body=ExpertPatch,
    response=ExpertDetail,
    tag="experts",
    versioned=True,
)
@requires("expert.manage", load=load_expert)
def patch_expert(expert_id: int):
    expert = guarded_object()
    version = require_current(expert.version)
    body = parse_body(ExpertPatch)
    changes = body.model_dump(exclude_unset=True)
    if "field_tags" in changes:
        changes["field_tags"] = TAG_SEPARATOR.join(changes["field_tags"])
    current = services.profile_input(expert)
    data = services.ExpertInput(**{**current.__dict__, **changes})
    expert = services.update_expert(
        db.session(), actor=current_user, expert=expert, data=data, version=version
    )
    return _detail(expert)
