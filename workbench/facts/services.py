"""An engagement's facts: read them resolved (entered, from a paper, computed), save them, bind them.

A fact taken from a working paper is read from the paper every time (by reference); indicators
bound to a fact show its current text as their 目标值/实际值, rewritten whenever facts are saved,
bindings change or a document is generated (`apply_bindings`), so the score follows the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.core.locking import require_version
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable
from workbench.facts import catalog
from workbench.facts.catalog import FactDef
from workbench.facts.models import EngagementFact, FactSheet, IndicatorBinding
from workbench.facts.paper_values import PaperValue, computed
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.spec import fields_from
from workbench.indicators.models import Indicator
from workbench.indicators.services import (
    get_indicator,
    invalidate_signoff,
    list_indicators,
    require_clear_confirmed,
)

STALE = "基本信息已被他人修改，请刷新页面后重新填写"
# The engagement record's own money fields, kept equal to the facts of the same meaning.
ENGAGEMENT_FIELDS = {
    "budget": "budget_amount",
    "received": "funds_available",
    "spent": "funds_spent",
}


@dataclass(frozen=True)
class PaperOption:
    """A working paper with values that can stand as facts."""

    paper_id: int
    index_no: str
    title: str
    values: list[PaperValue]

    def value(self, ref: str) -> PaperValue | None:
        return next((v for v in self.values if v.ref == ref), None)


@dataclass(frozen=True)
class Fact:
    """A fact as every document shows it: value, display text, where it comes from."""

    definition: FactDef
    value: Decimal | None
    source: str  # entered | paper | derived | engagement | '' (missing)
    source_label: str
    paper_id: int | None = None
    paper_ref: str = ""
    recorded: Decimal | None = None  # what was saved when a paper value was chosen

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def text(self) -> str:
        return catalog.display(self.definition, self.value)

    @property
    def input_text(self) -> str:
        return catalog.input_text(self.definition, self.value)


@dataclass
class FactEntry:
    """What the form gives for one fact: typed text, or `paper:<id>:<ref>` to take a paper's value."""

    text: str = ""
    choice: str = ""


def _totals_table(spec: dict | None) -> bool:
    """Whether a paper's stored spec has a table with totals (the only fields `computed` reads)."""
    fields = (spec or {}).get("fields") if isinstance(spec, dict) else None
    return any(
        isinstance(f, dict) and f.get("type") == "table" and f.get("totals") is True
        for f in fields or []
    )


def paper_options(db: Session, engagement: Engagement) -> list[PaperOption]:
    """The engagement's papers whose tables compute totals (e.g. D-07 财务核查表), by index number."""
    # Columns, not whole papers: an engagement may hold hundreds, and only a few total anything.
    rows = db.exec(
        select(
            WorkingPaper.id,
            WorkingPaper.index_no,
            WorkingPaper.title,
            WorkingPaper.spec,
            WorkingPaper.values,
        )
        .where(WorkingPaper.engagement_id == engagement.id)
        .order_by(col(WorkingPaper.index_no))
    ).all()
    found = []
    for paper_id, index_no, title, spec, stored in rows:
        if not _totals_table(spec):
            continue  # most papers: no table totals anything, so nothing to parse
        values = computed(fields_from(spec), stored or {})
        if values:
            found.append(PaperOption(paper_id, index_no, title, values))
    return found


def sheet_version(db: Session, engagement: Engagement) -> int:
    """The version the facts form is drawn from (0 before the first save)."""
    row = db.exec(select(FactSheet).where(FactSheet.engagement_id == engagement.id)).first()
    return row.version if row else 0


def _rows(db: Session, engagement: Engagement) -> dict[str, EngagementFact]:
    rows = db.exec(select(EngagementFact).where(EngagementFact.engagement_id == engagement.id))
    return {r.key: r for r in rows}


def current(
    db: Session, engagement: Engagement, options: list[PaperOption] | None = None
) -> list[Fact]:
    """Every fact of the engagement's type, resolved; paper values are read from the paper now."""
    rows = _rows(db, engagement)
    papers = {
        p.paper_id: p for p in (paper_options(db, engagement) if options is None else options)
    }
    resolved: dict[str, Fact] = {}
    for fact in catalog.for_type(engagement.type):
        row = rows.get(fact.key)
        if row is not None and row.source == "paper":
            found = papers.get(row.paper_id or 0)
            live = found.value(row.paper_ref) if found else None
            label = f"来自底稿 {found.index_no}" if found else "来源底稿已删除"
            resolved[fact.key] = Fact(
                fact, live.value if live else None, "paper", label, row.paper_id, row.paper_ref,
                row.value,
            )  # fmt: skip
        elif row is not None and row.value is not None:
            resolved[fact.key] = Fact(fact, row.value, "entered", row.source_label)
        elif fact.key in ENGAGEMENT_FIELDS and getattr(engagement, ENGAGEMENT_FIELDS[fact.key]):
            value = getattr(engagement, ENGAGEMENT_FIELDS[fact.key])
            resolved[fact.key] = Fact(fact, value, "engagement", "立项登记信息")
        else:
            resolved[fact.key] = Fact(fact, None, "", "")
    values = {k: f.value for k, f in resolved.items()}
    for key, fact in resolved.items():
        derived = catalog.derive(fact.definition, values)
        if fact.value is None and derived is not None:
            a, b = fact.definition.derived_from or ("", "")
            words = f"按{catalog.BY_KEY[a].label}÷{catalog.BY_KEY[b].label}计算"
            resolved[key] = Fact(fact.definition, derived, "derived", words)
    return list(resolved.values())


def shown(facts: list[Fact]) -> dict[str, str]:
    """Key → display text of the facts that have a value (for narrative fields)."""
    return {f.key: f.text for f in facts if f.value is not None}


def _entered_by(engagement: Engagement, actor: User) -> str:
    if engagement.is_lead(actor):
        return "项目负责人录入"
    return "机构管理员录入" if actor.is_admin else "评价人员录入"


def _parse(
    engagement: Engagement, entries: dict[str, FactEntry], options: list[PaperOption]
) -> tuple[dict[str, tuple], list[dict]]:
    papers = {p.paper_id: p for p in options}
    parsed: dict[str, tuple] = {}
    errors: list[dict] = []
    for fact in catalog.for_type(engagement.type):
        entry = entries.get(fact.key)
        if entry is None:
            continue  # not on the form: left as it is
        field = f"fact-{fact.key}"
        if entry.choice.startswith("paper:"):
            _, paper_id, ref = (entry.choice.split(":", 2) + ["", ""])[:3]
            option = papers.get(int(paper_id)) if paper_id.isdigit() else None
            value = option.value(ref) if option else None
            if value is None:
                errors.append({"field": field, "message": f"{fact.label}：所选底稿数值不存在"})
                continue
            if value.fact_key and value.fact_key != fact.key and fact.kind == "percent":
                errors.append({"field": field, "message": f"{fact.label}：所选底稿数值不是比率"})
                continue
            parsed[fact.key] = ("paper", value.value, f"来自底稿 {option.index_no}", option, ref)
            continue
        try:
            value = catalog.parse_input(fact, entry.text)
        except ValueError as error:
            errors.append({"field": field, "message": str(error)})
            continue
        parsed[fact.key] = ("entered", value, "", None, "")
    return parsed, errors


def save(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    version: int | None,
    entries: dict[str, FactEntry],
    confirm_clear: bool = False,
) -> list[str]:
    """Validate every fact, then write them all, audit, and update the bound indicators."""
    ensure_writable(engagement)
    sheet = db.exec(select(FactSheet).where(FactSheet.engagement_id == engagement.id)).first()
    require_version(version, sheet.version if sheet else 0, stale=STALE)
    options = paper_options(db, engagement)
    parsed, errors = _parse(engagement, entries, options)
    if errors:
        raise ValidationFailed("基本信息有误，未保存", details=errors)
    before = {f.key: f.text for f in current(db, engagement, options)}
    rows = _rows(db, engagement)
    for key, (source, value, label, option, ref) in parsed.items():
        row = rows.get(key) or EngagementFact(engagement_id=engagement.id, key=key)
        unchanged = (row.source, row.value, row.paper_ref) == (source, value, ref) and (
            row.paper_id == (option.paper_id if option else None)
        )
        if row.id is not None and unchanged:
            continue
        if row.id is None and value is None:
            continue
        row.source, row.value, row.paper_ref = source, value, ref
        row.paper_id = option.paper_id if option else None
        row.source_label = label or _entered_by(engagement, actor)
        row.updated_by_id, row.updated_at = actor.id, utcnow()
        db.add(row)
        field_name = ENGAGEMENT_FIELDS.get(key)
        if field_name and getattr(engagement, field_name) != value:
            setattr(engagement, field_name, value)
            db.add(engagement)
    if sheet is None:
        sheet = FactSheet(engagement_id=engagement.id)
    sheet.updated_by_id, sheet.updated_at = actor.id, utcnow()
    db.add(sheet)
    db.flush()
    after = {f.key: f.text for f in current(db, engagement, options)}
    changed = {k: after[k] for k in after if after[k] != before.get(k)}
    audit.record(
        db,
        actor=actor,
        action="facts.update",
        obj=sheet,
        engagement_id=engagement.id,
        before={k: before.get(k, "") for k in changed},
        after=changed,
        summary="修改基本信息："
        + ("、".join(catalog.BY_KEY[k].label for k in changed) or "无变化"),
    )
    if not changed:
        return []
    return apply_bindings(db, actor=actor, engagement=engagement, confirm_clear=confirm_clear)


def bindings(db: Session, engagement: Engagement) -> dict[int, IndicatorBinding]:
    """Indicator id → its binding."""
    rows = db.exec(
        select(IndicatorBinding).where(IndicatorBinding.engagement_id == engagement.id)
    ).all()
    return {b.indicator_id: b for b in rows}


def bind(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    version: int | None,
    choices: dict[int, tuple[str, str]],
    confirm_clear: bool = False,
) -> list[str]:
    """Bind indicators' 目标值/实际值 to facts ('' unbinds: the typed text stays as it is now)."""
    ensure_writable(engagement)
    sheet = db.exec(select(FactSheet).where(FactSheet.engagement_id == engagement.id)).first()
    require_version(version, sheet.version if sheet else 0, stale=STALE)
    allowed = {f.key for f in catalog.for_type(engagement.type)}
    errors = []
    for indicator_id, keys in choices.items():
        for which, key in zip(("target", "actual"), keys, strict=True):
            if key and key not in allowed:
                errors.append(
                    {"field": f"{which}-{indicator_id}", "message": "所选基本信息项不存在"}
                )
    if errors:
        raise ValidationFailed("指标取值设置有误，未保存", details=errors)
    existing = bindings(db, engagement)
    changes = {}
    for indicator_id, (target_key, actual_key) in choices.items():
        indicator = get_indicator(db, engagement, indicator_id)
        row = existing.get(indicator_id)
        if row is None and not (target_key or actual_key):
            continue
        if row is not None and (row.target_key, row.actual_key) == (target_key, actual_key):
            continue
        row = row or IndicatorBinding(engagement_id=engagement.id, indicator_id=indicator.id)
        row.target_key, row.actual_key = target_key, actual_key
        row.updated_by_id, row.updated_at = actor.id, utcnow()
        db.add(row)
        changes[indicator.name] = {"目标值": target_key, "实际值": actual_key}
    if sheet is None:
        sheet = FactSheet(engagement_id=engagement.id)
    sheet.updated_by_id, sheet.updated_at = actor.id, utcnow()
    db.add(sheet)
    db.flush()
    if changes:
        audit.record(
            db,
            actor=actor,
            action="facts.bind",
            obj=sheet,
            engagement_id=engagement.id,
            after=changes,
            summary="指标取值绑定基本信息：" + "、".join(changes),
        )
    return apply_bindings(db, actor=actor, engagement=engagement, confirm_clear=confirm_clear)


def apply_bindings(
    db: Session, *, actor: User, engagement: Engagement, confirm_clear: bool = False
) -> list[str]:
    """Rewrite bound indicators' 目标值/实际值 to the facts' current text; names of those changed."""
    texts = shown(current(db, engagement))
    links = bindings(db, engagement)
    if not links:
        return []
    leaves = list_indicators(db, engagement)
    if not confirm_clear and any(_stale(i, links.get(i.id), texts) for i in leaves):
        require_clear_confirmed(
            db, engagement, confirmed=False, action="按基本信息更新绑定指标的目标值/实际值"
        )  # asked before any leaf is touched; the request's rollback undoes the saved facts
    changed: list[str] = []
    for indicator in leaves:
        link = links.get(indicator.id)
        if link is None:
            continue
        before = {"target": indicator.target, "actual": indicator.actual}
        if link.target_key and texts.get(link.target_key, "") != indicator.target:
            indicator.target = texts.get(link.target_key, "")
        if link.actual_key and texts.get(link.actual_key, "") != indicator.actual:
            indicator.actual = texts.get(link.actual_key, "")
        after = {"target": indicator.target, "actual": indicator.actual}
        if after == before:
            continue
        indicator.updated_at, indicator.updated_by_id = utcnow(), actor.id
        db.add(indicator)
        changed.append(indicator.name)
        audit.record(
            db,
            actor=actor,
            action="indicator.bound_value",
            obj=indicator,
            engagement_id=engagement.id,
            before=before,
            after=after,
            summary=f"{indicator.name}按基本信息更新目标值/实际值",
        )
    if changed:
        db.flush()
        invalidate_signoff(
            db, actor=actor, engagement=engagement, reason="绑定的基本信息变化，指标取值已更新"
        )
    return changed


def _stale(indicator: Indicator, link: IndicatorBinding | None, texts: dict[str, str]) -> bool:
    """Whether a bound leaf's 目标值/实际值 differ from the facts they are bound to."""
    if link is None:
        return False
    return bool(
        (link.target_key and texts.get(link.target_key, "") != indicator.target)
        or (link.actual_key and texts.get(link.actual_key, "") != indicator.actual)
    )


def bound_indicators(
    db: Session, engagement: Engagement
) -> list[tuple[Indicator, IndicatorBinding | None]]:
    """The engagement's leaves in tree order with their bindings (for the page)."""
    links = bindings(db, engagement)
    return [(i, links.get(i.id)) for i in list_indicators(db, engagement)]
