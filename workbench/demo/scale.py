"""Scaled demo data for benchmarks and load tests: copies of the demo engagement, bulk inserted.

Rows are cloned from the demo engagement (loaded first) with SQLAlchemy Core inserts of many
rows per statement and a commit per batch of engagements, so the copies look exactly like the
demo to every page. Domains whose tables are not available are skipped with a printed notice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlmodel import Session, SQLModel

from workbench.demo.loader import DEMO_TITLE

CODE_PREFIX = "SCALE-"
# Engagement-scoped rows copied verbatim (with the new engagement id) for every copy.
CHILD_TABLES = (
    "engagement_member",
    "declaration",
    "stage_visit",
    "checklist_confirmation",
    "indicator_system",
)


@dataclass(frozen=True)
class Scale:
    """How much to create: engagements, indicators per engagement, answers and papers in total."""

    engagements: int
    indicators: int
    answers: int
    papers: int
    evidence_per_paper: int = 1
    batch: int = 50  # engagements per commit


SCALES: dict[str, Scale] = {
    "reference": Scale(engagements=1, indicators=80, answers=2_000, papers=60),
    "large": Scale(engagements=10_000, indicators=20, answers=1_000_000, papers=500_000, batch=100),
}


@dataclass
class _Sources:
    """The demo engagement's rows that the copies are made from."""

    engagement: dict
    children: dict[str, list[dict]]
    indicators: list[dict]
    survey: dict | None
    responses: list[dict]
    papers: list[dict]
    evidence: list[dict]


def _rows(session: Session, table: Table, **where: Any) -> list[dict]:
    query = select(table).order_by(*table.primary_key.columns)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return [dict(row) for row in session.execute(query).mappings()]


def _share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` split as evenly as possible into `parts`."""
    return total // parts + (1 if index < total % parts else 0)


def _sources(session: Session, echo: Callable[[str], None]) -> _Sources:
    engagement_table = SQLModel.metadata.tables["engagement"]
    found = _rows(session, engagement_table, title=DEMO_TITLE)
    if not found:
        raise RuntimeError("请先载入演示数据（workbench demo）")
    demo = found[0]
    tables = SQLModel.metadata.tables
    children = {
        name: _rows(session, tables[name], engagement_id=demo["id"]) for name in CHILD_TABLES
    }
    indicators = _rows(session, tables["indicator"], engagement_id=demo["id"])
    survey, responses = None, []
    surveys = _rows(session, tables["survey"], engagement_id=demo["id"])
    if surveys:
        survey = surveys[0]
        responses = _rows(session, tables["survey_response"], survey_id=survey["id"])
    if not responses:
        echo("提示：演示项目没有问卷答卷可复制，跳过问卷答卷")
        survey = None
    papers = _rows(session, tables["working_paper"], engagement_id=demo["id"])
    evidence = _rows(session, tables["evidence"], engagement_id=demo["id"])
    if not papers:
        echo("提示：演示项目没有工作底稿可复制，跳过工作底稿")
    return _Sources(demo, children, indicators, survey, responses, papers, evidence)


def _clone(row: Mapping[str, Any], **changes: Any) -> dict:
    copy = {key: value for key, value in row.items() if key != "id"}
    copy.update(changes)
    return copy


def _insert(session: Session, name: str, rows: list[dict], *, returning: bool = False) -> list[int]:
    """One multi-row INSERT (executemany with many VALUES per statement); ids when asked."""
    if not rows:
        return []
    table = SQLModel.metadata.tables[name]
    if not returning:
        session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def existing(session: Session) -> int:
    """How many scaled engagements the database already holds."""
    table = SQLModel.metadata.tables["engagement"]
    query = select(func.count()).select_from(table).where(table.c.code.like(f"{CODE_PREFIX}%"))
    return session.execute(query).scalar_one()


def populate(
    session: Session, *, scale: Scale, echo: Callable[[str], None] = print
) -> dict[str, int]:
    """Create the scaled copies (once) and return the number of rows written per kind."""
    counts = {"engagements": 0, "indicators": 0, "answers": 0, "papers": 0, "evidence": 0}
    if existing(session):
        echo("规模数据已存在，未重复创建")
        return counts
    src = _sources(session, echo)
    if not src.indicators:
        raise RuntimeError("演示项目没有指标，无法生成规模数据")
    for start in range(0, scale.engagements, scale.batch):
        numbers = range(start, min(start + scale.batch, scale.engagements))
        _batch(session, src=src, scale=scale, numbers=numbers, counts=counts)
        session.commit()
        echo(
            f"已写入 {counts['engagements']}/{scale.engagements} 个项目："
            f"指标 {counts['indicators']}，问卷答卷 {counts['answers']}，"
            f"工作底稿 {counts['papers']}，佐证材料 {counts['evidence']}"
        )
    return counts


def _batch(
    session: Session, *, src: _Sources, scale: Scale, numbers: range, counts: dict[str, int]
) -> None:
    engagement_rows = [
        _clone(
            src.engagement,
            code=f"{CODE_PREFIX}{n + 1:06d}",
            title=f"（规模测试{n + 1}）{src.engagement['title']}"[:200],
        )
        for n in numbers
    ]
    ids = _insert(session, "engagement", engagement_rows, returning=True)
    counts["engagements"] += len(ids)
    for name, rows in src.children.items():
        _insert(session, name, [_clone(r, engagement_id=e) for e in ids for r in rows])
    indicators = [
        _indicator(src.indicators, position, engagement_id=e)
        for e in ids
        for position in range(scale.indicators)
    ]
    _insert(session, "indicator", indicators)
    counts["indicators"] += len(indicators)
    if src.survey is not None:
        _answers(session, src=src, scale=scale, numbers=numbers, ids=ids, counts=counts)
    if src.papers:
        _papers(session, src=src, scale=scale, numbers=numbers, ids=ids, counts=counts)


def _indicator(rows: list[dict], position: int, *, engagement_id: int) -> dict:
    template = rows[position % len(rows)]
    cycle = position // len(rows)
    name = template["name"] if cycle == 0 else f"{template['name']}（{cycle + 1}）"
    return _clone(
        template,
        engagement_id=engagement_id,
        position=position,
        name=name[:120],
        survey_link=None,  # survey ids differ per copy
    )


def _answers(
    session: Session,
    *,
    src: _Sources,
    scale: Scale,
    numbers: range,
    ids: list[int],
    counts: dict[str, int],
) -> None:
    # The copies are still collecting (open), so load tests can import answers into them.
    surveys = [
        _clone(src.survey, engagement_id=e, token=secrets.token_hex(16), status="open") for e in ids
    ]
    survey_ids = _insert(session, "survey", surveys, returning=True)
    answers = [
        _clone(
            src.responses[k % len(src.responses)],
            survey_id=survey_id,
            source_key=f"scale-{k + 1}",
            import_id=None,
        )
        for n, survey_id in zip(numbers, survey_ids, strict=True)
        for k in range(_share(scale.answers, scale.engagements, n))
    ]
    for start in range(0, len(answers), 5_000):
        _insert(session, "survey_response", answers[start : start + 5_000])
    counts["answers"] += len(answers)


def _papers(
    session: Session,
    *,
    src: _Sources,
    scale: Scale,
    numbers: range,
    ids: list[int],
    counts: dict[str, int],
) -> None:
    rows, owners = [], []
    for n, engagement_id in zip(numbers, ids, strict=True):
        for k in range(_share(scale.papers, scale.engagements, n)):
            template = src.papers[k % len(src.papers)]
            cycle = k // len(src.papers)
            index_no = template["index_no"] if cycle == 0 else f"S{k + 1:05d}"
            rows.append(_clone(template, engagement_id=engagement_id, index_no=index_no[:12]))
            owners.append(engagement_id)
    paper_ids = _insert(session, "working_paper", rows, returning=True)
    counts["papers"] += len(paper_ids)
    if not src.evidence:
        return
    evidence = [
        _clone(
            src.evidence[(i + j) % len(src.evidence)],
            engagement_id=engagement_id,
            paper_id=paper_id,
            request_item_id=None,
        )
        for i, (paper_id, engagement_id) in enumerate(zip(paper_ids, owners, strict=True))
        for j in range(scale.evidence_per_paper)
    ]
    _insert(session, "evidence", evidence)
    counts["evidence"] += len(evidence)
