"""Helpers of the library tests: content factories, engagement indicators, row counts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlmodel import func, select

from workbench.indicators.models import Indicator
from workbench.library.content import BenchmarkValue, LeafContent
from workbench.library.models import (
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryPack,
    LibraryTag,
)

BASE = LeafContent(
    level1="产出",
    level2="产出质量",
    name="校园食堂食品安全检查合格率",
    definition="抽查的学校食堂中食品安全检查合格的比例，用以反映食堂食品安全管理水平。",
    points=("核实检查记录", "抽查现场"),
    evidence=("检查记录表", "现场照片"),
    standard_type="行业标准",
    rule="ratio",
    weight=Decimal("4.00"),
    target="100%",
    scoring="得分＝合格率×分值。",
    tags=("食品安全", "学校食堂"),
)


def content(**changes) -> LeafContent:
    """The base content with some fields changed."""
    if "benchmarks" in changes:
        changes["benchmarks"] = tuple(BenchmarkValue(*item) for item in changes["benchmarks"])
    return replace(BASE, **changes)


def counts(db) -> dict[str, int]:
    """Rows of every library table (to prove nothing was half-written)."""
    return {
        model.__tablename__: db.exec(select(func.count()).select_from(model)).one()
        for model in (LibraryPack, LibraryIndicator, LibraryIndicatorVersion, LibraryTag)
    }


def engagement_indicator(db, engagement, **fields) -> Indicator:
    """An indicator row in an engagement (the columns the library reads)."""
    values = dict(
        engagement_id=engagement.id,
        level1="产出",
        level2="产出质量",
        name="食谱营养达标率",
        weight=Decimal("5.00"),
        rule="ratio",
        definition="符合营养标准的食谱占比。",
        points="核实食谱\n抽查供餐记录",
        evidence_sources="食谱\n供餐台账",
        standard_type="行业标准",
        standard="得分＝达标率×分值",
        target="95%",
    )
    values.update(fields)
    row = Indicator(**values)
    db.add(row)
    db.flush()
    return row
