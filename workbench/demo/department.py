"""`workbench demo --scale department`: one large 部门整体 engagement that scores and reports.

A 部门整体支出绩效评价 of the demo's evaluated unit (示例市教育局): 300 indicators under the
shipped department framework (department_data.py), three satisfaction surveys with 20,000
answers between them (Likert items linked to the satisfaction leaves), 400 working papers with
index numbers and sign-offs, facts, the report's sections and the lead's sign-off of the scores.
The few dozen domain objects go through the services (validation, audit); the bulk rows
(answers, papers, sign-offs) are inserted with SQLAlchemy Core, many rows per statement.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from workbench.accounts.models import User
from workbench.core.timeutil import utcnow
from workbench.demo import department_data as data
from workbench.demo import department_papers as papers
from workbench.demo import department_texts as texts
from workbench.demo.loader import staff, walk
from workbench.domains import modules
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.engagements.stages import Stage
from workbench.facts import services as facts
from workbench.finance.services import demo as contract
from workbench.indicators import services as indicators
from workbench.indicators.services import IndicatorInput, ensure_system, list_indicators, transfer
from workbench.scoring import services as scoring
from workbench.surveys.models import Channel, Survey
from workbench.surveys.services import (
    Question,
    RulesInput,
    close_survey,
    create_survey,
    link_indicator,
    set_rules,
    set_sample_plan,
)

CODE = "DEPT-2025-0001"
TITLE = "2025年度示例市教育局部门整体支出绩效评价"
LEVELS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]
ANSWERS = 20_000
TEAM = (
    ("demo-evaluator", "evaluator", "预算执行、资产管理核查，问卷调查"),
    ("demo-reviewer", "reviewer", "底稿及报告复核"),
    ("demo-expert", "expert", "指标体系评审、专家评分"),
    ("demo-unit", "unit", "资料提供与意见反馈"),
)
# (fact, value) entered by the lead; budget, received and spent come from the engagement.
FACTS = {
    "staff_authorised": "2860", "staff_actual": "2798", "internal_units": "14",
    "subordinate_units": "11", "basic_expenditure": "812450000",
    "project_expenditure": "401100000", "three_public_budget": "1860000",
    "three_public_spent": "1716800",
}  # fmt: skip
SAMPLE_MARGIN = Decimal("0.05")


def existing(session: Session) -> Engagement | None:
    """The department engagement, when it was created before."""
    return session.exec(select(Engagement).where(Engagement.code == CODE)).first()


def populate(session: Session, *, echo: Callable[[str], None] = print) -> dict[str, int]:
    """Create the department engagement (once, one transaction); the rows written per kind."""
    counts = {"engagements": 0, "indicators": 0, "answers": 0, "papers": 0, "surveys": 0}
    if existing(session) is not None:
        echo("部门整体规模数据已存在，未重复创建")
        return counts
    modules("sources")  # score inputs from the surveys (and papers), as the app registers them
    modules("gates")
    users = {
        u.username: u
        for u in session.exec(select(User).where(col(User.username).like("demo-%"))).all()
    }
    if "demo-lead" not in users:
        raise RuntimeError("请先载入演示数据（workbench demo）")
    lead = users["demo-lead"]
    engagement = _engagement(session, users)
    counts["engagements"] = 1
    leaves = _indicators(session, engagement, lead)
    counts["indicators"] = len(leaves)
    echo(f"已创建部门整体评价项目 {CODE}：三级指标 {len(leaves)} 项")
    surveys = _surveys(session, engagement, users["demo-evaluator"])
    counts["surveys"] = len(surveys)
    counts["answers"] = sum(n for _s, n in surveys)
    _links(session, engagement, lead, [s for s, _n in surveys])
    echo(f"已写入问卷 {len(surveys)} 份，答卷 {counts['answers']} 份")
    indicators.confirm(session, actor=lead, engagement=engagement)
    _facts(session, engagement, lead)
    counts["papers"] = papers.write(session, engagement, users)
    texts.write(session, engagement, users)
    scoring.sign(session, actor=lead, engagement=engagement)
    contract.fill(session, engagement, users)  # the demo's contract terms, for the first gate
    walk(session, engagement, lead, until=Stage.report)
    session.commit()
    echo(f"已写入工作底稿 {counts['papers']} 份，报告章节与评分签字已完成")
    return counts


def _engagement(session: Session, users: dict[str, User]) -> Engagement:
    lead = users["demo-lead"]
    today = utcnow().date()
    engagement = engagements.create(
        session,
        actor=lead,
        data=engagements.EngagementInput(
            title=TITLE,
            type="department",
            code=CODE,
            bureau_id=users["demo-bureau"].org_id,
            unit_id=users["demo-unit"].org_id,
            budget_year=2025,
            budget_amount=Decimal("1286500000.00"),
            funds_available=Decimal("1300000000.00"),
            funds_spent=Decimal("1213550000.00"),
            description=(
                "示例市教育局为市政府主管全市教育工作的组成部门，下设内设机构14个、下属单位11个。"
                "本次评价对象为该局2025年度部门整体支出，包括基本支出和项目支出。"
            ),
            planned_start=today - timedelta(days=60),
            planned_end=today + timedelta(days=30),
        ),
    )
    staff(session, engagement, lead=lead, users=users, team=TEAM)
    return engagement


def _indicators(session: Session, engagement: Engagement, lead: User) -> list[data.LeafData]:
    leaves = data.leaves()
    specs = [
        transfer.LeafSpec(
            data=IndicatorInput(
                level1=leaf.level1,
                level2=leaf.level2,
                name=leaf.name,
                weight=leaf.weight,
                rule=leaf.rule,
                params=leaf.params,
                target=leaf.target,
                definition=leaf.definition,
                points=leaf.points,
                standard=leaf.standard,
                standard_type=leaf.standard_type,
                evidence_sources=leaf.evidence,
            ),
            actual=leaf.actual,
            score=leaf.score,
            justification=leaf.justification,
            row=n + 2,
        )  # fmt: skip
        for n, leaf in enumerate(leaves)
    ]
    errors = transfer.spec_errors(specs)
    if errors:
        raise RuntimeError(f"部门整体指标数据有误：{[e.message for e in errors[:3]]}")
    transfer.replace_tree(
        session,
        actor=lead,
        engagement=engagement,
        system=ensure_system(session, engagement),
        specs=specs,
        grades=None,
        source="部门整体规模数据",
        warnings=[],
    )
    return leaves


def _questions(items: tuple[str, ...]) -> list[Question]:
    return [
        Question("q1", "您所在的区域", "single", ["城区", "乡镇", "农村"], group=True,
                 required=True),
        Question("q2", "您对以下方面的满意程度", "matrix", list(LEVELS), satisfaction_item=True,
                 rows=list(items), required=True),
        Question("q3", "总体而言，您对市教育局的工作是否满意", "likert", list(LEVELS),
                 satisfaction_item=True, required=True),
        Question("q4", "您对教育工作还有哪些意见和建议", "text"),
    ]  # fmt: skip


def _surveys(session: Session, engagement: Engagement, evaluator: User) -> list[tuple[Survey, int]]:
    """Three surveys, their answers bulk inserted, filtered (30 s), planned and closed."""
    rng = random.Random(2025)
    out = []
    for s, (title, respondents, population, items) in enumerate(data.SURVEYS):
        survey = create_survey(
            session, actor=evaluator, engagement=engagement, title=title,
            questions=_questions(items), respondents=respondents,
            purpose=f"了解{respondents}对市教育局履职情况的评价，作为满意度指标的评分依据。",
        )  # fmt: skip
        n = data.share(ANSWERS, s)
        rows = [_answer(rng, survey.id, s, k, items) for k in range(n)]
        table = SQLModel.metadata.tables["survey_response"]
        for start in range(0, n, 2_000):
            session.execute(insert(table), rows[start : start + 2_000])
        set_rules(session, actor=evaluator, engagement=engagement, survey=survey,
                  data=RulesInput(min_duration_seconds=30, top_k=2), version=survey.version)  # fmt: skip
        set_sample_plan(
            session, actor=evaluator, engagement=engagement, survey=survey,
            population=population * 10, confidence=Decimal("0.95"), margin=SAMPLE_MARGIN,
            version=survey.version,
        )  # fmt: skip
        close_survey(session, actor=evaluator, engagement=engagement, survey=survey)
        out.append((survey, n))
    return out


def _level(rng: random.Random, mood: int) -> int:
    return min(4, max(0, mood + rng.choices((-1, 0, 1), (12, 76, 12))[0]))


def _answer(rng: random.Random, survey_id: int, s: int, k: int, items: tuple[str, ...]) -> dict:
    """One respondent: a general mood, each item near it (so the scale is consistent)."""
    mood = rng.choices(range(5), (46, 42, 8, 3, 1))[0]
    submitted = datetime(2025, 10, 8, tzinfo=UTC) + timedelta(minutes=3 * k + 11 * s)
    suggestion = "希望进一步加强教育资源均衡配置" if k % 9 == 0 else None
    return {
        "survey_id": survey_id,
        "source_key": f"dept-{s + 1}-{k + 1}",
        "channel": Channel.wjx.value,
        "serial": k + 1,
        "submitted_at": submitted,
        "duration_seconds": 12 + (k * 7919) % 400 if k % 97 == 0 else 45 + (k * 31) % 600,
        "answers": {
            "q1": rng.choices(range(3), (5, 3, 2))[0],
            "q2": {item: _level(rng, mood) for item in items},
            "q3": _level(rng, mood),
            "q4": suggestion,
        },
        "missing": {} if suggestion else {"q4": "skipped"},
        "other_text": {},
        "extra": {},
        "created_at": submitted,
    }


def _links(session: Session, engagement: Engagement, lead: User, surveys: list[Survey]) -> None:
    """Each satisfaction leaf takes its survey item's (or the overall) satisfaction rate."""
    by_name = {i.name: i for i in list_indicators(session, engagement)}
    for leaf in data.leaves():
        if leaf.survey is None:
            continue
        items = data.SURVEYS[leaf.survey][3]
        if leaf.item is not None:
            item = f"q2—{items[leaf.item]}"
        else:  # the surveys' own overall question; the public's leaf takes every item
            item = None if leaf.level2 != "满意度" else "q3"
        link_indicator(
            session, actor=lead, engagement=engagement, survey=surveys[leaf.survey],
            indicator_id=by_name[leaf.name].id, metric="rate", item=item,
        )  # fmt: skip


def _facts(session: Session, engagement: Engagement, lead: User) -> None:
    """The lead enters the department's counts and amounts and binds 预算执行率 to its fact."""
    facts.save(
        session,
        actor=lead,
        engagement=engagement,
        version=facts.sheet_version(session, engagement),
        entries={key: facts.FactEntry(text=text) for key, text in FACTS.items()},
        confirm_clear=True,
    )
    bound = {i.id: ("", "execution_rate") for i in list_indicators(session, engagement)
             if i.name == "预算执行率"}  # fmt: skip
    facts.bind(
        session,
        actor=lead,
        engagement=engagement,
        version=facts.sheet_version(session, engagement),
        choices=bound,
        confirm_clear=True,
    )
