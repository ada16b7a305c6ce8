"""项目基本信息 from Excel: the facts prepared beforehand (预算、到位、支出、受益人数…), one row each.

A row names a fact of the engagement's type by its label (or a word the narrative uses for it) and
gives its value in the page's unit (金额 in 万元 unless the row says 元, rates as percentages, counts
as whole numbers); a blank value leaves the fact as it is. The rows go through the facts page's own
`save`, so a bound indicator follows the new value and a sign-off it clears needs the same "yes"
as on the page. Any problem refuses the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import ValidationFailed
from workbench.core.problems import FieldError
from workbench.core.spreadsheet import Field, TableProblem, TableRead
from workbench.core.staging import refuse_rows
from workbench.engagements.models import Engagement
from workbench.facts import catalog, services
from workbench.facts.catalog import FactDef

KIND = "facts"
SHEET = "基本信息"
FIELDS = [
    Field("label", "项目", required=True, max_length=60, aliases=("名称", "信息项"),
          note="基本信息的名称，如“预算资金”“实际到位资金”“实际受益人数”（模板已列出本项目的全部项目）"),
    Field("value", "数值", max_length=40,
          note="金额以万元填写（数值后写“元”或单位填“元”则按元）；比率以百分数填写，如 96.5；"
               "人数、个数填整数；留空则不修改"),
    Field("unit", "单位", max_length=10, note="可不填；金额可填“元”或“万元”"),
]  # fmt: skip
ACTIONS = {
    "update": ("更新", "primary"),
    "manual": ("改为手工录入", "warning"),
    "same": ("与现值相同", "secondary"),
    "skip": ("留空，不修改", "light"),
}


@dataclass(frozen=True)
class FactRow:
    row: int
    fact: FactDef
    before: str  # the current display text
    after: str  # what it will show
    action: str  # a key of ACTIONS
    note: str = ""  # e.g. the paper the value came from


def _fact_named(label: str, facts: list[FactDef]) -> FactDef | None:
    wanted = label.replace(" ", "").replace("“", "").replace("”", "")
    for fact in facts:
        names = {fact.label, *fact.aliases}
        if wanted in {n.replace("“", "").replace("”", "") for n in names}:
            return fact
    return None


def _typed(value: str | None, unit: str | None) -> str:
    text = (value or "").strip()
    unit = (unit or "").strip()
    if text and unit in ("元", "万元", "%", "％") and not text.endswith(unit):
        text += unit
    return text


def plan(db: Session, *, engagement: Engagement, read: TableRead) -> list[FactRow]:
    """What each row would do; RowsRefused naming every row that cannot be imported."""
    facts = catalog.for_type(engagement.type)
    current = {f.key: f for f in services.current(db, engagement)}
    problems = list(read.problems)
    first_row: dict[str, int] = {}
    planned = []
    for row in read.rows:
        fact = _fact_named(str(row.values["label"]), facts)
        if fact is None:
            names = "、".join(f.label for f in facts)
            problems.append(TableProblem(
                f"“{row.values['label']}”不是本项目的基本信息（可填：{names}）", row.row, "项目"
            ))  # fmt: skip
            continue
        if fact.key in first_row:
            problems.append(
                TableProblem(f"与第{first_row[fact.key]}行是同一项“{fact.label}”", row.row, "项目")
            )
            continue
        first_row[fact.key] = row.row
        shown = current[fact.key]
        text = _typed(row.values["value"], row.values["unit"])
        if not text:
            planned.append(FactRow(row.row, fact, shown.text, shown.text, "skip"))
            continue
        try:
            value = catalog.parse_input(fact, text)
        except ValueError as error:
            problems.append(TableProblem(str(error), row.row, "数值"))
            continue
        after = catalog.display(fact, value)
        if shown.source == "paper":
            note = f"原{shown.source_label}"
            planned.append(FactRow(row.row, fact, shown.text, after, "manual", note))
        elif shown.source == "entered" and shown.value == value:
            planned.append(FactRow(row.row, fact, shown.text, after, "same"))
        else:
            planned.append(FactRow(row.row, fact, shown.text, after, "update"))
    refuse_rows(problems)
    return planned


def import_facts(
    db: Session, *, actor: User, engagement: Engagement, read: TableRead, confirm_clear: bool
) -> tuple[list[FactRow], list[str]]:
    """Save the listed values through the facts page's `save`; (rows, indicators updated)."""
    planned = plan(db, engagement=engagement, read=read)
    entries = {
        p.fact.key: services.FactEntry(text=_typed(r.values["value"], r.values["unit"]))
        for p, r in zip(planned, _rows_of(read, planned), strict=True)
        if p.action in ("update", "manual")
    }
    if not entries:
        return planned, []
    try:
        changed = services.save(
            db,
            actor=actor,
            engagement=engagement,
            version=services.sheet_version(db, engagement),
            entries=entries,
            confirm_clear=confirm_clear,
        )
    except ValidationFailed as error:
        rows = {p.fact.key: p.row for p in planned}
        problems = [
            TableProblem(d.message, rows.get(str(d.field or "").removeprefix("fact-")))
            for d in error.details or [FieldError(error.message)]
        ]
        refuse_rows(problems)
        raise
    return planned, changed


def _rows_of(read: TableRead, planned: list[FactRow]):
    by_row = {r.row: r for r in read.rows}
    return [by_row[p.row] for p in planned]
