"""Benchmark series in the library: imports of published figures (each import a version), the
series of an indicator, and which cited values a newer import has superseded.

The layout and the rules are in benchmark_rules.py (pure); this module reads and writes them.
An import checks every row first and writes nothing when any row has a problem; the preview runs
the same function and undoes it (core.staging.rehearse).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import NotFound
from workbench.core.permissions import authorize
from workbench.core.spreadsheet import TableProblem, TableRead
from workbench.core.staging import refuse_rows
from workbench.library import benchmark_rules as rules
from workbench.library.models import (
    BenchmarkImport,
    BenchmarkValue,
    LibraryIndicator,
    Status,
)

KIND = "library-benchmarks"
ACTIONS = {
    "add": ("新增数值", "success"),
    "revise": ("修订已有数值", "primary"),
    "same": ("与库中相同，不变", "secondary"),
}
QUIET = frozenset({"same"})


@dataclass(frozen=True)
class RowDone:
    """What the import does with one row of the file."""

    row: int
    values: dict[str, Any]
    action: str  # a key of ACTIONS
    indicator: str  # the library indicator's name
    shown: str  # the value with its unit, as people read it
    stale: bool  # older than the horizon already


@dataclass(frozen=True)
class ImportDone:
    """An import: its version record (None when nothing was new) and every row."""

    record: BenchmarkImport | None
    rows: list[RowDone]

    @property
    def actions(self) -> list[str]:
        return [row.action for row in self.rows]


@dataclass(frozen=True)
class SeriesValue:
    """A stored value with its import, and what has superseded it (None while it is current)."""

    value: BenchmarkValue
    import_number: int
    stale: bool
    newer: BenchmarkValue | None

    @property
    def shown(self) -> str:
        return rules.shown(self.value.value, self.value.unit)


def import_series(
    db: Session,
    *,
    actor: User,
    read: TableRead,
    filename: str,
    sha256: str,
    today: date,
    stale_years: int,
) -> ImportDone:
    """Check every row, then write the new and revised values as one import (RowsRefused when
    any row has a problem: nothing is written)."""
    authorize(actor, "library.contribute", message="只有评价机构人员可以导入基准值")
    problems = list(read.problems)
    indicators = _indicators(db, {str(row.values["key"]).strip() for row in read.rows})
    latest = _latest_values(db, [item.id for item in indicators.values()])
    first: dict[tuple, int] = {}
    planned: list[tuple[RowDone, BenchmarkValue | None]] = []
    for row in read.rows:
        values = row.values
        key = str(values["key"]).strip()
        indicator = indicators.get(key)
        if indicator is None or not indicator.visible_to(actor):
            message = f"指标库中没有代码为“{key}”的指标（代码见指标详情页）"
            problems.append(TableProblem(message, row.row, rules.COLUMN["key"]))
            continue
        if indicator.status == Status.deprecated:
            message = f"指标“{indicator.name}”已停用，不能再导入基准值"
            problems.append(TableProblem(message, row.row, rules.COLUMN["key"]))
            continue
        name = (values.get("name") or "").strip()
        if name and name != indicator.name:
            message = f"“{name}”与代码“{key}”的指标名称“{indicator.name}”不一致"
            problems.append(TableProblem(message, row.row, rules.COLUMN["name"]))
            continue
        region = str(values["region"]).strip()
        series_key = (indicator.id, region, values["year"])
        if series_key in first:
            message = f"与第{first[series_key]}行重复：同一指标、地区和年份只能有一个数值"
            problems.append(TableProblem(message, row.row))
            continue
        first[series_key] = row.row
        checked = rules.check_row(values, today=today)
        if checked.problems:
            problems += [TableProblem(m, row.row, column) for column, m in checked.problems]
            continue
        stored = BenchmarkValue(
            import_id=0,
            indicator_id=indicator.id,
            region=region,
            year=values["year"],
            value=checked.value,
            unit=checked.unit,
            source=str(values["source"]).strip(),
            source_date=values["source_date"],
        )
        before = latest.get(series_key)
        action = "add" if before is None else "same" if _same(before, stored) else "revise"
        done = RowDone(
            row=row.row,
            values=values,
            action=action,
            indicator=indicator.name,
            shown=rules.shown(checked.value, checked.unit),
            stale=rules.is_stale(values["year"], current_year=today.year, stale_years=stale_years),
        )
        planned.append((done, None if action == "same" else stored))
    refuse_rows(problems)
    rows = [done for done, _ in planned]
    writes = [stored for _, stored in planned if stored is not None]
    if not writes:
        return ImportDone(None, rows)
    record = _record(db, actor=actor, filename=filename, sha256=sha256, rows=rows)
    for stored in writes:
        stored.import_id = record.id
    db.add_all(writes)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="library.benchmark_import",
        obj=record,
        after={
            **audit.snapshot(record, ["number", "filename", "sha256", "rows", "added", "revised"]),
            "indicators": len({stored.indicator_id for stored in writes}),
        },
        summary=f"导入基准值第{record.number}版（{filename}）：新增{record.added}条，"
        f"修订{record.revised}条",
    )
    return ImportDone(record, rows)


def _record(
    db: Session, *, actor: User, filename: str, sha256: str, rows: list[RowDone]
) -> BenchmarkImport:
    number = (db.exec(select(func.max(BenchmarkImport.number))).one() or 0) + 1
    record = BenchmarkImport(
        number=number,
        filename=filename[:200],
        sha256=sha256,
        rows=len(rows),
        added=sum(row.action == "add" for row in rows),
        revised=sum(row.action == "revise" for row in rows),
        created_by_id=actor.id,
    )
    db.add(record)
    db.flush()
    return record


def _same(old: BenchmarkValue, new: BenchmarkValue) -> bool:
    fields = ("value", "unit", "source", "source_date")
    return all(getattr(old, name) == getattr(new, name) for name in fields)


def _indicators(db: Session, keys: set[str]) -> dict[str, LibraryIndicator]:
    if not keys:
        return {}
    rows = db.exec(select(LibraryIndicator).where(col(LibraryIndicator.key).in_(keys))).all()
    return {row.key: row for row in rows}


def _latest_values(db: Session, indicator_ids: list[int]) -> dict[tuple, BenchmarkValue]:
    """The newest import's value of each (indicator, region, year)."""
    if not indicator_ids:
        return {}
    rows = db.exec(
        select(BenchmarkValue, BenchmarkImport.number)
        .join(BenchmarkImport, BenchmarkImport.id == BenchmarkValue.import_id)
        .where(col(BenchmarkValue.indicator_id).in_(indicator_ids))
        .order_by(BenchmarkImport.number)
    ).all()
    return {(value.indicator_id, value.region, value.year): value for value, _number in rows}


# --- reading ---------------------------------------------------------------------------------


def imports(db: Session) -> list[BenchmarkImport]:
    """Every import, newest first."""
    return list(db.exec(select(BenchmarkImport).order_by(col(BenchmarkImport.number).desc())))


def get_value(db: Session, value_id: int) -> BenchmarkValue:
    """One stored value, or NotFound."""
    value = db.get(BenchmarkValue, value_id)
    if value is None:
        raise NotFound("指标库中没有该基准值")
    return value


def series_of(
    db: Session, *, indicator_ids: Iterable[int], current_year: int, stale_years: int
) -> list[SeriesValue]:
    """Every value of the indicators' series with its flags: region, then newest year first."""
    ids = list(indicator_ids)
    if not ids:
        return []
    rows = db.exec(
        select(BenchmarkValue, BenchmarkImport.number)
        .join(BenchmarkImport, BenchmarkImport.id == BenchmarkValue.import_id)
        .where(col(BenchmarkValue.indicator_id).in_(ids))
    ).all()
    by_id = {value.id: value for value, _ in rows}
    newer = rules.newer(
        rules.Point(value.id, value.indicator_id, value.region, value.year, number)
        for value, number in rows
    )
    found = [
        SeriesValue(
            value=value,
            import_number=number,
            stale=rules.is_stale(value.year, current_year=current_year, stale_years=stale_years),
            newer=by_id[newer[value.id].id] if value.id in newer else None,
        )
        for value, number in rows
    ]
    return sorted(
        found, key=lambda s: (s.value.indicator_id, s.value.region, -s.value.year, -s.import_number)
    )


def flags_of(
    db: Session, *, value_ids: Iterable[int], current_year: int, stale_years: int
) -> dict[int, SeriesValue]:
    """The cited values by id, each with what superseded it and whether it is stale."""
    wanted = set(value_ids) - {None}
    if not wanted:
        return {}
    indicator_ids = db.exec(
        select(BenchmarkValue.indicator_id).where(col(BenchmarkValue.id).in_(wanted)).distinct()
    ).all()
    series = series_of(
        db, indicator_ids=indicator_ids, current_year=current_year, stale_years=stale_years
    )
    return {item.value.id: item for item in series if item.value.id in wanted}
