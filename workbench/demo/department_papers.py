"""The 部门整体 demo's 400 working papers: shipped templates, index numbers, sign-offs (bulk).

Papers are numbered as `papers.create_paper` numbers them (`<stage letter>-<area>-<seq>`), carry
the template's spec and values with the required fields filled, and are signed up to their
status (编制 → 复核 → 批准) with the hash of their content, as the review chain would leave them.
Tables that total money columns (the 财务核查表) are left empty: their totals would be facts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from workbench.accounts.models import User
from workbench.core.timeutil import utcnow
from workbench.demo import department_data as data
from workbench.engagements.models import Engagement
from workbench.fieldwork.content import content_hash
from workbench.fieldwork.numbering import format_index
from workbench.fieldwork.spec import FieldSpec, shipped_templates
from workbench.fieldwork.values import initial_values
from workbench.indicators.models import Indicator

PAPERS = 400
SIGNERS = (("prepare", "demo-evaluator"), ("review", "demo-reviewer"), ("approve", "demo-lead"))
STATUS_LEVELS = {"draft": 0, "prepared": 1, "reviewed": 2, "approved": 3}


def _status(n: int) -> str:
    """Most papers approved (the first stages' all); of every twenty after, one draft and two
    waiting for review."""
    return ("draft", "prepared", "reviewed")[n % 20] if n >= 20 and n % 20 < 3 else "approved"


def _plan(count: int) -> list[tuple[str, str]]:
    """(template key, title) of every paper in index order, the scoring papers filling up."""
    units, duties = data.UNITS, [d[0] for d in data.DUTIES]
    plan = [
        ("engagement_acceptance", "业务承接评估"), ("independence", "独立性评价"),
        ("preliminary_research", "前期调研"), ("plan_review_handling", "方案评审意见处理"),
        ("indicator_justification", "部门整体指标体系论证"), ("document_list", "部门整体评价资料清单"),
    ]  # fmt: skip
    plan += [("document_receipt", f"{u}资料接收登记") for u in units]
    plan += [("desk_review", f"{u}{what}资料审核") for u in units for what in ("预算", "资产")]
    plan += [("site_visit", f"{_school(n)}现场核查") for n in range(60)]
    plan += [("interview", f"{u}负责人访谈") for u in units]
    plan += [("interview", f"{d}业务科室访谈") for d in duties[:18]]
    plan += [("forum", f"{d}座谈会") for d in duties[:6]]
    plan += [("financial_check", f"{u}财务核查") for u in units]
    plan += [("survey_stats", title) for title, *_rest in data.SURVEYS]
    plan += [("score_summary", "部门整体评分汇总")]
    scoring = count - len(plan)
    return plan[:-4] + [("indicator_scoring", "")] * scoring + plan[-4:]


def _school(n: int) -> str:
    kind = ("小学", "中学", "幼儿园")[n % 3]
    return f"示例市第{n // 3 + 1}{kind}"


def _filled(fields: tuple[FieldSpec, ...], title: str) -> dict[str, Any]:
    values = initial_values(fields)
    for spec in fields:
        if spec.type == "table":
            values[spec.key] = [] if spec.totals else values[spec.key]
        elif spec.required and not values.get(spec.key):
            values[spec.key] = {
                "date": "2025-11-12",
                "number": "1",
                "money": "0",
                "choice": spec.choices[0] if spec.choices else "",
            }.get(spec.type, f"{title}：已按评价方案完成核查，情况属实。")
    return values


def write(session: Session, engagement: Engagement, users: dict[str, User]) -> int:
    """Insert the papers, their indicator links and sign-offs; return how many papers."""
    templates = shipped_templates()
    leaves = session.exec(
        select(Indicator)
        .where(Indicator.engagement_id == engagement.id, Indicator.rule != "satisfaction")
        .order_by(col(Indicator.position))
    ).all()
    now = utcnow()
    seqs: dict[tuple[str, str], int] = {}
    rows, links = [], []
    scored = 0
    for n, (key, title) in enumerate(_plan(PAPERS)):
        template = templates[key]
        ids: list[int] = []
        if key == "indicator_scoring":
            leaf = leaves[scored % len(leaves)]
            scored += 1
            title, ids = f"{leaf.name}评分底稿", [leaf.id]
        seq = seqs[template.stage, template.area] = seqs.get((template.stage, template.area), 0) + 1
        values = _filled(template.fields, title)
        created = now - timedelta(days=30) + timedelta(minutes=n)
        rows.append({
            "engagement_id": engagement.id, "index_no": format_index(template.stage,
            template.area, seq), "stage": template.stage, "area": template.area, "seq": seq,
            "template_key": key, "template_name": template.name, "spec": template.as_dict(),
            "title": title, "values": values, "status": _status(n),
            "edited_after_review": False, "returned_reason": "",
            "assignee_id": users["demo-evaluator"].id, "created_by_id": users["demo-evaluator"].id,
            "updated_by_id": users["demo-evaluator"].id, "created_at": created,
            "updated_at": created, "version": 1 + STATUS_LEVELS[_status(n)],
        })  # fmt: skip
        links.append(ids)
    table = SQLModel.metadata.tables["working_paper"]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    paper_ids = list(session.execute(statement, rows).scalars())
    pairs = [{"paper_id": p, "indicator_id": i} for p, ids in zip(paper_ids, links, strict=True)
             for i in ids]  # fmt: skip
    session.execute(insert(SQLModel.metadata.tables["paper_indicator"]), pairs)
    signoffs = []
    for paper_id, row, ids in zip(paper_ids, rows, links, strict=True):
        digest = content_hash(title=row["title"], template_key=row["template_key"],
                              values=row["values"], indicator_ids=ids, findings=[], evidence=[])  # fmt: skip
        for level, username in SIGNERS[: STATUS_LEVELS[row["status"]]]:
            signoffs.append({
                "paper_id": paper_id, "level": level, "user_id": users[username].id,
                "signed_at": row["created_at"] + timedelta(days=2), "content_hash": digest,
                "comment": "", "cleared_reason": "",
            })  # fmt: skip
    session.execute(insert(SQLModel.metadata.tables["paper_signoff"]), signoffs)
    return len(paper_ids)
