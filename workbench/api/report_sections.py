"""The plan's and the report's narrative sections, and the report's internal review, through the API.

The same services as the 评价方案 / 评价报告 pages and the section page: the outline's sections
(`reports.services.drafting.ensure_sections`), one section's save with its version
(`save_section`: the writer, the locks and the sign-offs an edit clears are checked there), and
the 三级复核 sign-offs (`reports.services.signoffs.sign` / `withdraw`). The plan has no sign-off
of its own in the workbench: it is approved by the experts' review and the bureau's decision on a
submitted plan version.
"""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.report_sections_schemas import (
    ReportSectionIn,
    ReportSectionList,
    ReportSectionOut,
    ReportSectionSaved,
    ReportSignIn,
    ReportSignoffLevel,
    ReportSignoffOut,
    ReportSignoffState,
    ReportWithdrawIn,
)
from workbench.api.review_record import names_of
from workbench.api.versions import require_current, tagged
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.models import Engagement
from workbench.reports.models import ReportSection, ReportSignoff
from workbench.reports.services import drafting, signoffs

STATE_NAMES = {"written": "已撰写", "pending": "待撰写", "optional": "可选"}


def _section(
    engagement: Engagement,
    view: drafting.SectionView,
    names: dict[int, str],
) -> dict:
    entry, row = view.entry, view.row
    state = "written" if row.has_content else ("pending" if entry.required else "optional")
    return dict(
        id=row.id,
        deliverable=row.deliverable,
        key=row.key,
        chapter=entry.chapter,
        heading=entry.heading,
        hint=entry.hint,
        required=entry.required,
        state=state,
        state_name=STATE_NAMES[state],
        number=row.number,
        html=row.html,
        text=row.text,
        assignee_id=row.assignee_id,
        assignee_name=names.get(row.assignee_id or 0, ""),
        updated_by_id=row.updated_by_id,
        updated_by_name=names.get(row.updated_by_id or 0, ""),
        updated_at=row.updated_at if row.number else None,
        open_comments=view.open_comments,
        version=row.version,
    )


def _people(rows: list[ReportSection]) -> dict[int, str]:
    return names_of({r.assignee_id or 0 for r in rows} | {r.updated_by_id or 0 for r in rows})


def _list(engagement: Engagement, deliverable: str):
    session = db.session()
    views = drafting.ensure_sections(session, engagement, deliverable)
    names = _people([v.row for v in views])
    refusal = drafting.edit_refusal(session, engagement, deliverable)
    return respond(
        ReportSectionList(
            deliverable=deliverable,
            editable=refusal is None,
            refusal=refusal,
            items=[ReportSectionOut(**_section(engagement, v, names)) for v in views],
        )
    )


def _one(engagement: Engagement, row: ReportSection) -> drafting.SectionView:
    """The section with its outline entry and open comments, as the list shows it."""
    views = drafting.ensure_sections(db.session(), engagement, row.deliverable)
    found = next((v for v in views if v.row.id == row.id), None)
    return found or drafting.SectionView(drafting.entry_of(db.session(), engagement, row), row)


@operation(
    "/engagements/{id}/plan/sections",
    "GET",
    summary="评价方案的章节（按提纲顺序）：状态、第几稿、撰写人、最后修改人和时间、未处理批注数、version",
    response=ReportSectionList,
    tag="reports",
)
@requires("engagement.internal", load=load)
def list_plan_sections(id: int):  # noqa: A002 - the path parameter is called id in DESIGN.md
    return _list(guarded_object(), "plan")


@operation(
    "/engagements/{id}/report/sections",
    "GET",
    summary="评价报告的章节（按项目的报告提纲）：状态、第几稿、撰写人、最后修改人和时间、未处理批注数、version",
    response=ReportSectionList,
    tag="reports",
)
@requires("engagement.internal", load=load)
def list_report_sections(id: int):  # noqa: A002
    return _list(guarded_object(), "report")


@operation(
    "/engagements/{id}/sections/{section_id}",
    "GET",
    summary="一个方案或报告章节的内容；响应头 ETag 为修改该章节所需的 If-Match",
    response=ReportSectionOut,
    tag="reports",
)
@requires("engagement.internal", load=load)
def get_report_section(id: int, section_id: int):  # noqa: A002
    engagement = guarded_object()
    row = drafting.get_section(db.session(), engagement, section_id)
    view = _one(engagement, row)
    return tagged(
        respond(ReportSectionOut(**_section(engagement, view, _people([row])))), row.version
    )


@operation(
    "/engagements/{id}/sections/{section_id}",
    "PUT",
    summary=(
        "保存章节内容 {content, confirm_clear_signoffs?}（与章节页的“保存”相同：内容变化时存为新一稿）；"
        "须带 If-Match（该章节的 ETag），过期 412；不是撰写人 403；报告审核中或已批准 409；"
        "修改已复核或批准的报告章节须 confirm_clear_signoffs=true，否则 409 并列出将被清除的签字"
    ),
    body=ReportSectionIn,
    response=ReportSectionSaved,
    tag="reports",
    versioned=True,
)
@requires("engagement.internal", load=load)
def put_report_section(id: int, section_id: int):  # noqa: A002
    engagement = guarded_object()
    session = db.session()
    row = drafting.get_section(session, engagement, section_id)
    body = parse_body(ReportSectionIn)
    version = require_current(row.version)
    changed = drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=body.content,
        version=version,
        confirm_clear=body.confirm_clear_signoffs,
    )
    view = _one(engagement, row)
    out = ReportSectionSaved(**_section(engagement, view, _people([row])), changed=changed)
    return tagged(respond(out), row.version)


# --- the report's internal review (三级复核) -----------------------------------------------------


def _signoff(row: ReportSignoff, names: dict[int, str], current_hash: str) -> ReportSignoffOut:
    return ReportSignoffOut(
        id=row.id,
        level=row.level,
        level_name=signoffs.LEVEL_NAMES[row.level],
        user_id=row.user_id,
        user_name=names.get(row.user_id, ""),
        signed_at=row.signed_at,
        comment=row.comment,
        holds=row.active and row.sections_hash == current_hash,
        cleared_at=row.cleared_at,
        cleared_reason=row.cleared_reason,
    )


def _state(engagement: Engagement) -> ReportSignoffState:
    session = db.session()
    history = signoffs.history(session, engagement)
    signed = {row.level: row for row in history if row.active}
    names = names_of({row.user_id for row in history})
    current_hash = signoffs.sections_hash(session, engagement)
    return ReportSignoffState(
        levels=[
            ReportSignoffLevel(
                level=level,
                level_name=signoffs.LEVEL_NAMES[level],
                signer_title=signoffs.SIGNER_NAMES[level],
                who_may_sign=signoffs.WHO_MAY_SIGN[level],
                signoff=_signoff(signed[level], names, current_hash) if level in signed else None,
            )
            for level in signoffs.LEVELS
        ],
        approved="approve" in signed,
        sections_hash=current_hash,
        missing_sections=signoffs.missing_sections(session, engagement),
        history=[_signoff(row, names, current_hash) for row in history],
    )


@operation(
    "/engagements/{id}/report/signoffs",
    "GET",
    summary=(
        "评价报告三级复核（编制、复核、批准）的签字状态：每级的签字人、时间、签字后内容是否未再修改"
        "（holds），尚未撰写的必写章节，全部签字历史（含已清除的）"
    ),
    response=ReportSignoffState,
    tag="reports",
)
@requires("engagement.internal", load=load)
def get_report_signoffs(id: int):  # noqa: A002
    return respond(_state(guarded_object()))


@operation(
    "/engagements/{id}/report/signoffs",
    "POST",
    summary=(
        "评价报告签字 {level, comment?}：按编制→复核→批准的顺序，三级须由三个不同的人签；"
        "无权签该级 403；重复签字、顺序不对、同一人签两级、必写章节未撰写、下级签字后内容有修改、"
        "报告审核中时 409"
    ),
    body=ReportSignIn,
    response=ReportSignoffOut,
    status=201,
    tag="reports",
)
@requires("engagement.team", load=load)
def sign_report(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(ReportSignIn)
    session = db.session()
    row = signoffs.sign(
        session, actor=current_user, engagement=engagement, level=body.level, comment=body.comment
    )
    current_hash = signoffs.sections_hash(session, engagement)
    return respond(_signoff(row, names_of({row.user_id}), current_hash), 201)


@operation(
    "/engagements/{id}/report/signoffs/withdraw",
    "POST",
    summary=(
        "撤销评价报告某级签字 {level}（签字人本人或项目负责人；须先撤销更高一级的签字，否则 409）；"
        "返回撤销后的签字状态"
    ),
    body=ReportWithdrawIn,
    response=ReportSignoffState,
    tag="reports",
)
@requires("engagement.team", load=load)
def withdraw_report_signoff(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(ReportWithdrawIn)
    signoffs.withdraw(db.session(), actor=current_user, engagement=engagement, level=body.level)
    return respond(_state(engagement))
