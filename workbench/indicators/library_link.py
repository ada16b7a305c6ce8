"""The tree and the shared indicator library: start from a framework, add by search, propose back."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound
from workbench.core.permissions import authorize
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.indicators.models import STANDARD_TYPES, Indicator
from workbench.indicators.services import (
    IndicatorInput,
    create_indicator,
    list_indicators,
)
from workbench.indicators.system import require_editor
from workbench.indicators.transfer import LeafSpec, refuse, replace_tree, spec_errors
from workbench.library import services as library
from workbench.scoring.params import ParamError, normalise_rule


def _lines(value: Any) -> str:
    """A list of points/evidence as one item per line; text as it is."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def unjudged(rule: str, params: str) -> str:
    """A library leaf's 要素计分 shares without the pack's example 达成度 (nothing judged yet).

    A pack writes "1/3:1; 1/3:1; 1/3:1" to show the format; copied as it is, every element would
    count as fully met and the leaf would score full marks before anyone looked at it.
    """
    try:
        if normalise_rule(rule) != "elements":
            return params
    except ParamError:
        return params
    items = (re.split(r"[:：]", item, maxsplit=1)[0].strip() for item in re.split(r"[;；]", params))
    return "; ".join(item for item in items if item)


def input_from_version(version: Any, *, level1: str = "", level2: str = "") -> IndicatorInput:
    """An IndicatorInput from a LibraryIndicatorVersion, optionally placed under other groups."""
    kind = (getattr(version, "standard_type", "") or "").strip()
    weight = getattr(version, "weight", None)
    rule = (getattr(version, "rule", "") or "manual").strip()
    return IndicatorInput(
        level1=(level1 or getattr(version, "level1", "") or "").strip(),
        level2=(level2 or getattr(version, "level2", "") or "").strip(),
        name=(version.name or "").strip(),
        weight=Decimal(str(weight)) if weight not in (None, "") else None,
        rule=rule,
        params=unjudged(rule, (getattr(version, "params", "") or "").strip()),
        target=(getattr(version, "target", "") or "").strip(),
        definition=_lines(getattr(version, "definition", "")),
        points=_lines(getattr(version, "points", "")),
        standard=_lines(getattr(version, "scoring", "") or getattr(version, "standard", "")),
        standard_type=kind if kind in STANDARD_TYPES else "其他",
        evidence_sources=_lines(getattr(version, "evidence", "")),
    )


def start_from_framework(db: Session, *, actor: User, engagement: Engagement) -> int:
    """Fill an empty tree with the framework pack of the engagement's type; returns leaf count."""
    system = require_editor(db, engagement, actor)
    if list_indicators(db, engagement):
        raise Conflict("指标体系已有指标；如需按框架重建，请先删除现有指标或导入指标表")
    versions = library.framework_for(db, engagement_type=engagement.type)
    if not versions:
        raise NotFound("指标库中没有该评价类型的共性框架")
    specs = [
        LeafSpec(data=input_from_version(version).cleaned(), row=index)
        for index, version in enumerate(versions, start=1)
    ]
    errors = spec_errors(specs)
    if errors:
        raise refuse("指标库框架有误", errors)
    replace_tree(
        db,
        actor=actor,
        engagement=engagement,
        system=system,
        specs=specs,
        grades=None,
        source="指标库共性框架",
        warnings=[],
    )
    by_path = {item.path: item for item in list_indicators(db, engagement)}
    for spec, version in zip(specs, versions, strict=True):
        item = by_path[spec.path]
        item.library_indicator_id = getattr(version, "indicator_id", None)
        item.library_version = getattr(version, "version", None)
        db.add(item)
    db.flush()
    return len(specs)


def search(
    db: Session, *, q: str, viewer: User, limit: int = 20, offset: int = 0
) -> tuple[list, int, dict]:
    """Library indicators matching the query, the total, and their current versions by id."""
    items, total = library.search(db, q=q, limit=limit, offset=offset, viewer=viewer)
    versions = library.current_versions(db, items) if items else {}
    return items, total, versions


def browse(
    db: Session, *, viewer: User, choice: library.browse.Choice, limit: int = 20, offset: int = 0
) -> library.browse.Page:
    """The library picker's page: entries under the choice (pack, sector, level, query), counted."""
    return library.browse.browse(db, viewer=viewer, choice=choice, limit=limit, offset=offset)


def add_from_library(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    library_indicator_id: int,
    level1: str = "",
    level2: str = "",
    confirm_clear: bool = False,
) -> Indicator:
    """Copy the current version of a library indicator into the tree."""
    version = library.current_version(db, library_indicator_id)
    if version is None:
        raise NotFound("指标库中没有该指标")
    data = input_from_version(version, level1=level1, level2=level2)
    return create_indicator(
        db,
        actor=actor,
        engagement=engagement,
        data=data,
        library_indicator_id=library_indicator_id,
        library_version=getattr(version, "version", None),
        confirm_clear=confirm_clear,
    )


def propose(db: Session, *, actor: User, engagement: Engagement, indicator: Indicator) -> Any:
    """Propose a leaf of this engagement to the library (the library's reviewers decide)."""
    ensure_writable(engagement)
    authorize(actor, "indicators.edit", engagement, message="只有项目组成员可以推荐指标入库")
    require_cleared(db, engagement, actor)
    proposal = library.propose_from_engagement(db, actor=actor, indicator=indicator)
    audit.record(
        db,
        actor=actor,
        action="indicators.propose",
        obj=indicator,
        engagement_id=engagement.id,
        after={"indicator": "/".join(indicator.path)},
        summary=f"推荐“{indicator.name}”入指标库",
    )
    return proposal
