"""Working-paper endpoints: templates, list/create papers, one paper, sign-offs (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, RootModel

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.core import uploads
from workbench.core.errors import ValidationFailed
from workbench.core.inputs import query_id, query_int
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.review_rules import STATUS_NAMES, Level, Status
from workbench.fieldwork.services import (
    PaperFilters,
    catalog,
    evidence,
    list_papers,
    loaders,
    papers,
    queries,
    review,
)


class TemplateOut(BaseModel):
    key: str
    name: str
    stage: str


class TemplateList(RootModel[list[TemplateOut]]):
    pass


class WorkpaperIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(min_length=1, max_length=40)
    title: str = Field(default="", max_length=200)
    indicator_paths: list[list[str]] = Field(default_factory=list, max_length=500)
    fields: dict[str, Any] = Field(default_factory=dict)
    assignee_id: int | None = None


class SignoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["prepare", "review", "approve"]
    comment: str = Field(default="", max_length=1000)


class SignoffOut(BaseModel):
    level: str
    user_id: int
    user_name: str
    signed_at: datetime
    content_hash: str
    comment: str


class WorkpaperOut(BaseModel):
    id: int
    index: str
    title: str
    template: str
    template_name: str
    stage: str
    status: str
    status_name: str
    edited_after_review: bool
    indicator_paths: list[list[str]]
    fields: dict[str, Any]
    signoffs: list[SignoffOut]
    version: int


class WorkpaperList(BaseModel):
    """Cursor pages by default; the older `page`/`per_page` pages when the request names them."""

    items: list[WorkpaperOut]
    total: int
    next_cursor: str | None = None
    page: int | None = None
    per_page: int | None = None


class SignoffResult(SignoffOut):
    paper_status: str


def _load_engagement(id: int, **_):  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


def _out(paper, indicators, signoffs: dict, people: dict) -> WorkpaperOut:
    return WorkpaperOut(
        id=paper.id,
        index=paper.index_no,
        title=paper.title,
        template=paper.template_key,
        template_name=paper.template_name,
        stage=paper.stage,
        status=paper.status,
        status_name=STATUS_NAMES[Status(paper.status)],
        edited_after_review=paper.edited_after_review,
        indicator_paths=[list(i.path) for i in indicators],
        fields=paper.values,
        signoffs=[_signoff(s, people) for level in Level if (s := signoffs.get(level)) is not None],
        version=paper.version,
    )


def _signoff(signoff, people: dict) -> SignoffOut:
    user = people.get(signoff.user_id)
    return SignoffOut(
        level=signoff.level,
        user_id=signoff.user_id,
        user_name=user.display_name if user else "",
        signed_at=signoff.signed_at,
        content_hash=signoff.content_hash,
        comment=signoff.comment,
    )


def _detail(paper) -> WorkpaperOut:
    session = db.session()
    signed = review.active_signoffs(session, [paper.id])[paper.id]
    people = engagements.users_by_id(session, {s.user_id for s in signed.values()})
    links = papers.indicators_by_paper(session, [paper.id])[paper.id]
    return _out(paper, links, signed, people)


@operation(
    "/workpaper-templates",
    "GET",
    summary="可用的工作底稿模板（随附模板及本机构模板）",
    response=TemplateList,
    tag="fieldwork",
)
@requires("agency")
def list_workpaper_templates():
    rows = catalog.available(db.session(), agency_id=current_user.org_id)
    return respond(TemplateList([TemplateOut(key=t.key, name=t.name, stage=t.stage) for t in rows]))


@operation(
    "/engagements/{id}/workpapers",
    "GET",
    summary=(
        "项目的工作底稿（新的在前；分页：limit, cursor；筛选：stage, status, indicator_id, mine, "
        "ready）；仍可用 page, per_page 按索引号顺序分页"
    ),
    response=WorkpaperList,
    tag="fieldwork",
)
@requires("fieldwork.read", load=_load_engagement)
def list_workpapers(id: int):  # noqa: A002
    engagement = guarded_object()
    session = db.session()
    args = request.args
    filters = PaperFilters(
        stage=args.get("stage", ""),
        status=args.get("status", ""),
        indicator_id=query_id("indicator_id"),
        mine=args.get("mine") in ("1", "true"),
        ready=args.get("ready") in ("1", "true"),
    )
    page = per_page = next_cursor = None
    if cursor.page_mode():
        page = query_int("page", 1)
        per_page = min(query_int("per_page", 50), 200)
        rows, total = list_papers(
            session,
            engagement=engagement,
            user=current_user,
            filters=filters,
            page=page,
            per_page=per_page,
        )
    else:
        stmt = queries.filtered_query(engagement=engagement, user=current_user, filters=filters)
        chosen, next_cursor = cursor.page(session, stmt, WorkingPaper.id)
        rows, total = queries.paper_rows(session, chosen), cursor.count(session, stmt)
    people = {u.id: u for row in rows for u, _s in row.signers.values() if u is not None}
    items = [
        _out(row.paper, row.indicators, {lvl: s for lvl, (_u, s) in row.signers.items()}, people)
        for row in rows
    ]
    return respond(
        WorkpaperList(
            items=items, total=total, next_cursor=next_cursor, page=page, per_page=per_page
        )
    )


@operation(
    "/engagements/{id}/workpapers",
    "POST",
    summary="新建工作底稿 {template, title, indicator_paths: [[一级, 二级, 三级]], fields}",
    body=WorkpaperIn,
    response=WorkpaperOut,
    status=201,
    tag="fieldwork",
)
@requires("fieldwork.write", load=_load_engagement)
def create_workpaper(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(WorkpaperIn)
    session = db.session()
    ids = papers.indicator_ids_for_paths(session, engagement=engagement, paths=body.indicator_paths)
    paper = papers.create_paper(
        session,
        actor=current_user,
        engagement=engagement,
        template_key=body.template,
        title=body.title,
        indicator_ids=ids,
        values=body.fields,
        assignee_id=body.assignee_id,
    )
    return respond(_detail(paper), 201)


@operation(
    "/workpapers/{wid}", "GET", summary="一份工作底稿", response=WorkpaperOut, tag="fieldwork"
)
@requires("fieldwork.read", load=loaders.paper_by_wid)
def get_workpaper(wid: int):
    return respond(_detail(guarded_object().paper))


@operation(
    "/workpapers/{wid}/signoffs",
    "POST",
    summary="签字 {level: prepare|review|approve}；同一人担任两级或重复签字时 409",
    body=SignoffIn,
    response=SignoffResult,
    status=201,
    tag="fieldwork",
)
@requires("fieldwork.write", load=loaders.paper_by_wid)
def sign_workpaper(wid: int):
    scope = guarded_object()
    body = parse_body(SignoffIn)
    signoff = review.sign(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        level=body.level,
        comment=body.comment,
    )
    out = _signoff(signoff, {current_user.id: current_user})
    return respond(SignoffResult(**out.model_dump(), paper_status=scope.paper.status), 201)


class EvidenceOut(BaseModel):
    id: int
    name: str
    sha256: str
    size: int


class EvidenceUploadOut(BaseModel):
    items: list[EvidenceOut]
    paper_status: str
    cleared_levels: list[str]


@operation(
    "/workpapers/{wid}/evidence",
    "POST",
    summary=(
        "multipart 上传佐证材料到底稿：files（可多个）、可选 source、note；底稿已复核或批准时，"
        "上传会清除复核和批准签字，须同时传 confirm_clear_signoffs=true，否则 409 并列出将被清除的签字"
    ),
    response=EvidenceUploadOut,
    status=201,
    multipart="files",
    tag="fieldwork",
)
@requires("fieldwork.write", load=loaders.paper_by_wid)
def upload_workpaper_evidence(wid: int):
    scope = guarded_object()
    flag = (request.form.get("confirm_clear_signoffs") or "").strip().lower()
    if flag not in ("", "true", "false", "1", "0"):
        raise ValidationFailed(
            "confirm_clear_signoffs 应为 true 或 false",
            details=[{"field": "confirm_clear_signoffs", "message": "应为 true 或 false"}],
        )
    before = set(review.active_signoffs(db.session(), [scope.paper.id])[scope.paper.id])
    created = evidence.upload(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        files=uploads.received_files(),
        max_mb=uploads.max_upload_mb(),
        source=request.form.get("source", ""),
        note=request.form.get("note", ""),
        confirm_clear=flag in ("true", "1"),
    )
    after = set(review.active_signoffs(db.session(), [scope.paper.id])[scope.paper.id])
    out = EvidenceUploadOut(
        items=[EvidenceOut(id=e.id, name=e.name, sha256=e.sha256, size=e.size) for e in created],
        paper_status=scope.paper.status,
        cleared_levels=sorted(level.value for level in before - after),
    )
    return respond(out, 201)
