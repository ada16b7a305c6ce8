"""我的项目 as an Excel workbook: every engagement the dashboard lists, with its search and stage.

The columns are the dashboard's, with 项目 split into number, name and type, plus what the
engagement's own page shows everyone who may open it (year, unit, budget, planned start). The
agency's people also get the scores as the lead signed them (`scoring.services.signed_scores`:
one query however many engagements; whether a sign-off still holds takes scoring the tree, which
the scoring page does), on the rows whose scoring page they may open; an unsigned
engagement says 未签字 and shows no figure. Bureau, unit and expert accounts have no scoring page,
so their sheet has no score columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.permissions import allowed
from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.core.timeutil import local
from workbench.engagements import services
from workbench.engagements.models import Engagement
from workbench.scoring import services as scoring

COLUMNS = [
    Column("项目编号", 16),
    Column("项目名称", 36, "wrap"),
    Column("评价类型", 14),
    Column("预算年度", 10, "number"),
    Column("委托方", 26, "wrap"),
    Column("被评价单位", 26, "wrap"),
    Column("预算金额（元）", 16, "money"),
    Column("当前阶段", 12),
    Column("项目负责人", 12),
    Column("计划开始", 12, "date"),
    Column("计划完成", 12, "date"),
]
# What the lead signed, as signed (a list cannot score every tree to see whether it still holds:
# the scoring page says so when it no longer does).
SCORE_COLUMNS = [
    Column("评分签字", 10),
    Column("签字日期", 12, "date"),
    Column("签字时得分", 12, "money"),
    Column("签字时等级", 10),
]
HEADERS = headers(COLUMNS)
SCORE_HEADERS = headers(SCORE_COLUMNS)


@dataclass(frozen=True)
class ListRow:
    """One engagement with the names the sheet shows; `score` is None where the user may not see it."""

    engagement: Engagement
    bureau: str
    unit: str
    lead: str
    score: scoring.SignedScore | None


@dataclass(frozen=True)
class EngagementList:
    rows: list[ListRow]
    with_scores: bool  # the score columns are there (the agency's people)


def engagement_list(db: Session, *, user: User, q: str = "", stage: str = "") -> EngagementList:
    """Every engagement of the user's dashboard with these filters, with names and signed scores
    (a bounded number of queries however many engagements)."""
    engagements, _total = services.list_for(db, user=user, q=q, stage=stage, per_page=None)
    lead_ids = {e.id: lead.user_id for e in engagements if (lead := e.lead())}
    people = services.users_by_id(db, set(lead_ids.values()))
    orgs = services.orgs_by_id(db, {i for e in engagements for i in (e.bureau_id, e.unit_id)})
    with_scores = allowed("agency", user=user)
    # The scoring page's own predicate decides whose scores each person sees.
    scorable = [e for e in engagements if with_scores and allowed("indicators.edit", e, user)]
    scores = scoring.signed_scores(db, scorable)
    rows = [
        ListRow(
            engagement=e,
            bureau=orgs[e.bureau_id].name if e.bureau_id in orgs else "",
            unit=orgs[e.unit_id].name if e.unit_id in orgs else "",
            lead=people[lead_ids[e.id]].display_name if lead_ids.get(e.id) in people else "",
            score=scores.get(e.id),
        )
        for e in engagements
    ]
    return EngagementList(rows, with_scores)


def _score(score: scoring.SignedScore | None) -> list:
    if score is None:
        return ["", None, None, None]
    if not score.signed:
        return ["未签字", None, None, None]
    return ["已签字", local(score.signed_at).date(), score.total, score.grade]


def _values(row: ListRow, *, with_scores: bool) -> list:
    e = row.engagement
    values = [
        e.code,
        e.title,
        e.type_name,
        e.budget_year,
        row.bureau,
        row.unit,
        e.budget_amount,
        "已归档" if e.is_archived else e.stage_name,
        row.lead,
        e.planned_start,
        e.planned_end,
    ]
    return values + _score(row.score) if with_scores else values


def workbook(listing: EngagementList) -> bytes:
    """One sheet 项目清单, a row per engagement in the dashboard's order."""
    columns = COLUMNS + SCORE_COLUMNS if listing.with_scores else COLUMNS
    rows = (_values(row, with_scores=listing.with_scores) for row in listing.rows)
    return table_workbook("项目清单", columns, rows)
