"""The indicator tree as read: inputs, groups, tree order, Leaf building and validation."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import String, bindparam, cast, text
from sqlmodel import Session, select

from workbench.core.errors import NotFound
from workbench.engagements.models import Engagement
from workbench.indicators.models import STANDARD_TYPES, Indicator
from workbench.scoring.calculator import FIELD_LABELS, Leaf
from workbench.scoring.params import RULES
from workbench.scoring.sources import NO_INPUTS, LeafInputs
from workbench.scoring.validation import SystemCheck, check_leaf, check_system
from workbench.scoring.values import CENT

# Columns an edit of the system may change; audit entries show them before and after.
SYSTEM_FIELDS = [
    "level1",
    "level2",
    "name",
    "weight",
    "rule",
    "params",
    "target",
    "definition",
    "points",
    "standard",
    "standard_type",
    "evidence_sources",
    "note",
    "not_applicable",
    "na_reason",
]
# Maximum lengths of the text columns (models.py), checked before writing.
TEXT_LIMITS = {
    "level1": 60,
    "level2": 60,
    "name": 120,
    "params": 2000,
    "target": 100,
    "actual": 100,
    "justification": 4000,
    "na_reason": 1000,
    "definition": 4000,
    "points": 4000,
    "standard": 4000,
    "evidence_sources": 2000,
    "note": 2000,
}
LABELS = {
    **FIELD_LABELS,
    "definition": "指标解释",
    "points": "评价要点",
    "standard": "评分标准",
    "standard_type": "标准类型",
    "evidence_sources": "数据来源",
    "note": "备注",
    "na_reason": "不适用理由",
    "justification": "评分理由",
}


@dataclass
class IndicatorInput:
    """What the add/edit form (and imports) give for one indicator's definition."""

    level1: str
    level2: str
    name: str
    weight: Decimal | None
    rule: str
    params: str = ""
    target: str = ""
    definition: str = ""
    points: str = ""
    standard: str = ""
    standard_type: str = "计划标准"
    evidence_sources: str = ""
    note: str = ""
    not_applicable: bool = False
    na_reason: str = ""

    def cleaned(self) -> IndicatorInput:
        """The same input with surrounding whitespace removed from every text."""
        values = {
            name: (value.strip() if isinstance(value, str) else value)
            for name, value in self.__dict__.items()
        }
        return IndicatorInput(**values)


class TreeLeaf(NamedTuple):
    """One leaf as the tree page reads it: what its row shows and what validation reads."""

    id: int
    position: int
    level1: str
    level2: str
    name: str
    weight: Decimal
    rule: str
    params: str
    target: str
    standard_type: str
    definition: str
    standard: str
    not_applicable: bool
    na_reason: str
    library_indicator_id: int | None
    survey_link: dict | None
    version: int
    actual: str
    score: Decimal | None
    benchmark_value_id: int | None  # the library benchmark value cited (the page's notice)

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)


@dataclass
class Level2Node:
    name: str
    leaves: list[Indicator | TreeLeaf] = field(default_factory=list)

    @property
    def weight(self) -> Decimal:
        return sum((leaf.weight for leaf in self.leaves), Decimal(0))


@dataclass
class Level1Node:
    name: str
    children: list[Level2Node] = field(default_factory=list)

    @property
    def weight(self) -> Decimal:
        return sum((child.weight for child in self.children), Decimal(0))

    @property
    def leaf_count(self) -> int:
        return sum(len(child.leaves) for child in self.children)


# --- reading ---------------------------------------------------------------------------------


def build_tree(items: Sequence[Indicator | TreeLeaf]) -> list[Level1Node]:
    """Group leaves by 一级/二级; groups keep the order of their first leaf by position."""
    level1: dict[str, Level1Node] = {}
    level2: dict[tuple[str, str], Level2Node] = {}
    for item in sorted(items, key=lambda i: (i.position, i.id or 0)):
        top = level1.get(item.level1)
        if top is None:
            top = level1[item.level1] = Level1Node(item.level1)
        key = (item.level1, item.level2)
        group = level2.get(key)
        if group is None:
            group = level2[key] = Level2Node(item.level2)
            top.children.append(group)
        group.leaves.append(item)
    return list(level1.values())


def in_tree_order(items: list[Indicator]) -> list[Indicator]:
    """The leaves in the order the tree shows them (and the calculator scores them)."""
    return [leaf for top in build_tree(items) for group in top.children for leaf in group.leaves]


def list_indicators(db: Session, engagement: Engagement) -> list[Indicator]:
    """Every leaf of the engagement in tree order (one query)."""
    rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    return in_tree_order(list(rows))


# Columns whose values cost Python calls each to decode (the decimal type quantizes, the JSON is
# parsed): the tree page reads them as text and decodes them only when the tree changed.
_AS_TEXT = ("weight", "score", "survey_link")
# Built once: the page reads its leaves on every visit, and building a select costs more Python than
# sending it.
_TREE_ROWS = (
    select(
        *(
            cast(getattr(Indicator, name), String) if name in _AS_TEXT else getattr(Indicator, name)
            for name in TreeLeaf._fields
        )
    )
    .where(Indicator.engagement_id == bindparam("engagement_id"))
    .order_by(Indicator.position, Indicator.id)
)


# Every column, undecoded: the digest below reads the rows, it never turns them into values.
_ALL_COLUMNS = text(
    "SELECT * FROM indicator WHERE engagement_id = :engagement_id ORDER BY position, id"
)


def leaves_digest(db: Session, engagement: Engagement) -> bytes:
    """A digest of every column of every leaf: equal digests, the same tree to the last field.

    For caches keyed on the tree's content (scoring/table.py): an edit anywhere (a page, an
    import, the API, another worker) gives a new digest, so nothing needs invalidating. The
    session's pending changes are flushed first (as any select of the session does).
    """
    rows = db.exec(_ALL_COLUMNS, params={"engagement_id": engagement.id}).all()
    # The driver's plain values (text, numbers, times) pickle the same way each time they are equal.
    return hashlib.blake2b(
        pickle.dumps(list(map(tuple, rows)), protocol=5), digest_size=16
    ).digest()


def list_tree_rows(db: Session, engagement: Engagement) -> list[tuple]:
    """The tree page's leaves undecoded, in position order: `tree_leaf` turns one into a TreeLeaf."""
    return db.exec(_TREE_ROWS, params={"engagement_id": engagement.id}).all()


def tree_leaf(row: tuple) -> TreeLeaf:
    """One row of `list_tree_rows` with its values as the Indicator entity would hold them."""
    leaf = TreeLeaf(*row)
    columns = Indicator.__table__.c  # the columns' own types decode the text (dialect unused)
    return leaf._replace(
        weight=columns.weight.type.process_result_value(leaf.weight, None),
        score=columns.score.type.process_result_value(leaf.score, None),
        survey_link=None if leaf.survey_link is None else json.loads(leaf.survey_link),
    )


def get_indicator(db: Session, engagement: Engagement, indicator_id: int) -> Indicator:
    """One leaf of this engagement; NotFound for another engagement's leaf."""
    indicator = db.get(Indicator, indicator_id)
    if indicator is None or indicator.engagement_id != engagement.id:
        raise NotFound("指标不存在")
    return indicator


def _overrides(values: LeafInputs) -> dict:
    """The Leaf override fields among a provider's values, as the types Leaf expects."""
    found: dict = {}
    if values.deductions is not None:
        found["deductions"] = [Decimal(str(v)) for v in values.deductions]
    if values.elements is not None:
        found["elements"] = [
            (Decimal(str(s)), None if m is None else Decimal(str(m))) for s, m in values.elements
        ]
    if values.expert_scores is not None:
        found["expert_scores"] = [Decimal(str(v)) for v in values.expert_scores]
    if values.actual_value is not None:
        found["actual_value"] = Decimal(str(values.actual_value))
    if values.qualitative is not None:
        level, fraction = values.qualitative
        found["qualitative"] = (level, None if fraction is None else Decimal(str(fraction)))
    return found


def to_leaf(indicator: Indicator | TreeLeaf, inputs: LeafInputs | None = None) -> Leaf:
    """The calculator's Leaf for a stored indicator, with other domains' overrides applied."""
    return Leaf(
        path=indicator.path,
        weight=indicator.weight,
        rule=indicator.rule or None,
        params=indicator.params or "",
        target=indicator.target or None,
        actual=indicator.actual or None,
        score=indicator.score,
        not_applicable=indicator.not_applicable,
        na_reason=indicator.na_reason or "",
        **_overrides(inputs or NO_INPUTS),
    )


def check(db: Session, engagement: Engagement, items: list[Indicator] | None = None) -> SystemCheck:
    """Blockers (weights ≠ 100, bad rules or parameters) and warnings of the current tree."""
    items = list_indicators(db, engagement) if items is None else items
    return check_leaves(items)


def check_leaves(items: Sequence[Indicator | TreeLeaf]) -> SystemCheck:
    """`check` of leaves already read, in tree order: pure, it reads nothing but their fields."""
    return check_system([to_leaf(item) for item in items])


# --- validation ------------------------------------------------------------------------------


def field_errors(data: IndicatorInput, *, require_reason: bool = True) -> list[dict]:
    """Problems of one indicator's definition as [{field, message}] (nothing is written).

    Imports pass `require_reason=False`: a sheet's 不适用 without a reason is only a warning.
    """
    errors: list[dict] = []

    def add(name: str, message: str) -> None:
        if not any(e["field"] == name for e in errors):
            errors.append({"field": name, "message": message})

    for name, limit in TEXT_LIMITS.items():
        value = getattr(data, name, None)
        if isinstance(value, str) and len(value) > limit:
            add(name, f"{LABELS[name]}不能超过{limit}个字符")
    if data.weight is None:
        add("weight", "请填写分值")
    elif data.weight != data.weight.quantize(CENT):
        add("weight", "分值最多保留两位小数")
    if data.rule not in RULES and not (data.not_applicable and not data.rule):
        add("rule", "请选择评分规则")
    if data.standard_type not in STANDARD_TYPES:
        add("standard_type", f"标准类型应为{'、'.join(STANDARD_TYPES)}之一")
    if require_reason and data.not_applicable and not data.na_reason:
        add("na_reason", "标为不适用时须写明理由")
    if data.rule in RULES and data.weight is not None:
        leaf = Leaf(
            path=(data.level1, data.level2, data.name),
            weight=data.weight,
            rule=data.rule,
            params=data.params,
            target=data.target or None,
        )
        for name, message in check_leaf(leaf):
            if name in ("level1", "level2", "name", "weight", "rule", "params", "target"):
                add(name, message)
    return errors
