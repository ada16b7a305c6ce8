"""目标值 from the unit's 项目支出绩效目标申报表: each row's declared target onto the leaf it names.

A row names a leaf by its 三级指标 (compared without spaces, full-width brackets as half-width;
its 一级/二级 only tell apart leaves of the same name: `target_text.narrow`). Its 指标性质, 指标值
and 度量单位 become one 目标值 the scoring engine reads (`target_text.compose_target`). A row
naming no leaf of the engagement is shown and skipped (a declaration lists more than an evaluation
uses); so are a blank 指标值 and a text target the engine cannot score against. A row naming
several leaves, a leaf named twice, a target that cannot be composed, or a new target for a leaf
whose 目标值 is bound to a fact (基本信息) refuses the file. The targets are written through the
leaf edit service (`update_indicator`), so its rules hold: a confirmed system or a signed score is
cleared only with the same "yes" as on the edit page. The preview runs this same function and
undoes it (core.staging.rehearse).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import DomainError
from workbench.core.spreadsheet import Field, TableProblem, TableRead, TableRow
from workbench.core.staging import refuse_rows, row_problem
from workbench.engagements.models import Engagement
from workbench.facts import catalog as fact_catalog
from workbench.facts import services as facts
from workbench.indicators.models import Indicator
from workbench.indicators.services import (
    SYSTEM_FIELDS,
    IndicatorInput,
    field_errors,
    update_indicator,
)
from workbench.indicators.system import require_clear_confirmed, require_editor
from workbench.indicators.target_text import TargetError, compose_target, name_key, narrow
from workbench.indicators.tree import list_indicators

KIND = "indicator-targets"
SHEET = "绩效目标"
FIELDS = [
    Field("level1", "一级指标", max_length=60, aliases=("一级",),
          note="可不填；同名的三级指标有多个时，用于区分（如“产出指标”“产出”均可）"),
    Field("level2", "二级指标", max_length=60, aliases=("二级",),
          note="可不填；同名的三级指标有多个时，用于区分（如“数量指标”“产出数量”均可）"),
    Field("name", "三级指标", required=True, max_length=120, aliases=("三级", "指标名称"),
          note="按名称对应本项目的三级指标（模板已列出本项目的全部三级指标）；"
               "本项目没有的指标不导入"),
    Field("op", "指标性质", max_length=20, aliases=("符号", "运算符", "比较符号", "指标值性质"),
          note="可不填；≥、≤、＞、＜、=、定性，或“大于等于”“不低于”“不超过”等"),
    Field("value", "指标值", max_length=100, aliases=("目标值", "年度指标值", "指标目标值"),
          note="申报表的指标值，如 95、95%、≥95%、52,000；定性的指标值（如“明显改善”）"
               "不能用于评分，不导入；留空的行不导入"),
    Field("unit", "度量单位", max_length=20, aliases=("计量单位", "单位"),
          note="可不填；如 %、人、天、万元；指标值与单位连写为目标值，如“≥95%”"),
]  # fmt: skip
COLUMNS = {spec.key: spec.header for spec in FIELDS}
TEXT_NOTE = "评分只读取一个数值"  # short: a preview row stays one line wide
NO_VALUES = "没有读到任何指标值：请在“指标值”列（或名为“目标值”“年度指标值”的列）填写申报表的指标值"
# What happens to a row, as its badge says it, and as the summary counts it.
ACTIONS = {
    "update": ("更新目标值", "primary"),
    "same": ("不变", "secondary"),
    "text": ("定性目标，不导入", "warning"),
    "blank": ("未填写，不导入", "light"),
    "unmatched": ("未匹配，不导入", "light"),
}
SUMMARY = {
    "update": ("更新目标值", ""),
    "same": ("目标值不变", ""),
    "text": ("定性目标不导入", ""),
    "blank": ("未填写不导入", ""),
    "unmatched": ("未匹配不导入", ""),
}


@dataclass(frozen=True)
class TargetRow:
    row: int
    declared: str  # the row's 三级指标 as written
    path: str  # the engagement's leaf it names ('' when none)
    before: str
    after: str
    action: str  # a key of ACTIONS
    note: str = ""
    leaf_id: int | None = None


def _leaf_problem(message: str, row: TableRow) -> TableProblem:
    return TableProblem(message, row.row, COLUMNS["name"])


def _groups(rows: list[TableRow]) -> list[tuple[str, str]]:
    """Each row's 一级/二级, blank cells below a group's first row read as that group's."""
    found, level1, level2 = [], "", ""
    for row in rows:
        given1, given2 = row.values["level1"] or "", row.values["level2"] or ""
        if given1:
            level1, level2 = given1, given2
        elif given2:
            level2 = given2
        found.append((level1, level2))
    return found


def _bound_targets(db: Session, engagement: Engagement) -> dict[int, str]:
    """Leaf id → the label of the fact its 目标值 is bound to."""
    labels = {key: fact.label for key, fact in fact_catalog.BY_KEY.items()}
    return {
        leaf_id: labels.get(link.target_key, link.target_key)
        for leaf_id, link in facts.bindings(db, engagement).items()
        if link.target_key
    }


def plan(
    db: Session, *, engagement: Engagement, read: TableRead, leaves: list[Indicator]
) -> list[TargetRow]:
    """What each row would do; RowsRefused naming every row that cannot be imported."""
    by_name: dict[str, list[Indicator]] = defaultdict(list)
    for leaf in leaves:
        by_name[name_key(leaf.name)].append(leaf)
    bound = _bound_targets(db, engagement)
    problems = list(read.problems)
    if read.rows and not any(row.values["value"] for row in read.rows):
        problems.append(TableProblem(NO_VALUES))
    first_row: dict[int, int] = {}
    planned = []
    for row, (level1, level2) in zip(read.rows, _groups(read.rows), strict=True):
        values = row.values
        found = narrow(by_name.get(name_key(values["name"]), []), level1=level1, level2=level2)
        if not found:
            planned.append(TargetRow(row.row, values["name"], "", "", "", "unmatched"))
            continue
        if len(found) > 1:
            paths = "、".join("/".join(leaf.path) for leaf in found)
            problems.append(_leaf_problem(
                f"“{values['name']}”对应本项目的多个三级指标（{paths}），"
                "请在“一级指标”“二级指标”列写明其所属的指标以区分", row
            ))  # fmt: skip
            continue
        leaf = found[0]
        path = "/".join(leaf.path)
        if leaf.id in first_row:
            problems.append(_leaf_problem(f"与第{first_row[leaf.id]}行是同一指标“{path}”", row))
            continue
        first_row[leaf.id] = row.row
        shown = (row.row, values["name"], path, leaf.target)
        if not values["value"]:
            planned.append(TargetRow(*shown, leaf.target, "blank", leaf_id=leaf.id))
            continue
        try:
            target = compose_target(op=values["op"], value=values["value"], unit=values["unit"])
        except TargetError as error:
            problems.append(TableProblem(error.message, row.row, COLUMNS[error.field]))
            continue
        if target.text_only:
            planned.append(TargetRow(*shown, target.text, "text", TEXT_NOTE, leaf.id))
        elif target.text == leaf.target:
            planned.append(TargetRow(*shown, target.text, "same", leaf_id=leaf.id))
        elif leaf.id in bound:
            problems.append(TableProblem(
                f"“{path}”的目标值已绑定基本信息“{bound[leaf.id]}”（现为“{leaf.target}”），"
                "请先在基本信息页解除绑定，或删去此行", row.row, COLUMNS["value"]
            ))  # fmt: skip
        else:
            refused = field_errors(_with_target(leaf, target.text))
            problems.extend(_edit_problem(error, row.row) for error in refused)
            if not refused:
                planned.append(TargetRow(*shown, target.text, "update", leaf_id=leaf.id))
    refuse_rows(problems)
    return planned


def _with_target(leaf: Indicator, target: str) -> IndicatorInput:
    """The leaf's definition as the edit form would give it, with the new 目标值."""
    data = IndicatorInput(**{name: getattr(leaf, name) for name in SYSTEM_FIELDS})
    data.target = target
    return data.cleaned()


def _edit_problem(error: dict, row: int) -> TableProblem:
    """What the edit service would refuse (its own checks, run while planning): every row's
    problems are named at once, not only after the file's other rows are put right."""
    on_target = error.get("field") == "target"
    return TableProblem(error["message"], row, COLUMNS["value"] if on_target else None)


def import_targets(
    db: Session, *, actor: User, engagement: Engagement, read: TableRead, confirm_clear: bool
) -> list[TargetRow]:
    """Write every changed target through `update_indicator`; RowsRefused naming each bad row."""
    require_editor(db, engagement, actor)
    leaves = list_indicators(db, engagement)
    planned = plan(db, engagement=engagement, read=read, leaves=leaves)
    updates = [p for p in planned if p.action == "update"]
    if not updates:
        return planned
    # Asked once for the whole file, before any leaf is touched (as on the edit page).
    require_clear_confirmed(db, engagement, confirmed=confirm_clear,
                            action="导入绩效目标申报表的目标值", confirmation=True)  # fmt: skip
    by_id = {leaf.id: leaf for leaf in leaves}
    problems: list[TableProblem] = []
    for planned_row in updates:
        leaf = by_id[planned_row.leaf_id]
        try:
            with db.begin_nested():
                update_indicator(db, actor=actor, engagement=engagement, indicator=leaf,
                                 data=_with_target(leaf, planned_row.after), version=leaf.version,
                                 confirm_clear=confirm_clear)  # fmt: skip
        except DomainError as error:
            problems.append(row_problem(error, planned_row.row))
    refuse_rows(problems)
    return planned
