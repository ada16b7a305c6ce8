"""What a package carries: the engagement's fieldwork records and every row they refer to.

Two kinds of table. *Merged* tables hold what fieldwork writes (papers and their indicators,
sign-offs, notes, findings and evidence, document requests, indicators' values, survey answers):
a check-in compares them record by record with their base. *Reference* tables come along so the
laptop's pages work (the engagement, its team, the indicator system, surveys, templates) and
whatever those rows point to by foreign key (people, organisations, stored files); the laptop
cannot change them (offline mode refuses those pages), and a check-in never reads them back.

Rows travel as plain JSON (`plain_row`) and come back as column values (`column_values`).
People outside the team travel without a usable password: only the team can log in offline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Table, select
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from workbench.core.money import DecimalType

TEAM_ROLES = frozenset({"lead", "evaluator", "reviewer"})  # who may log in on the laptop
UNUSABLE_PASSWORD = "!offline"  # no hash ever equals this: the person cannot log in offline


@dataclass(frozen=True)
class Merged:
    """A table a check-in brings back, selected by one column's membership in a parent's keys."""

    table: str
    label: str  # what a record of it is called, e.g. 底稿
    column: str  # engagement_id, or the column pointing at `parent`
    parent: str | None = None  # None: `column` is the engagement id
    # Bookkeeping that changes with every save; never compared, never a conflict.
    ignore: frozenset[str] = frozenset({"version", "updated_at", "updated_by_id"})
    deletable: bool = False  # a deletion offline is carried out when the server kept the record
    title: Callable[[dict], str] = field(default=lambda row: f"#{row.get('id')}")


def _paper_title(row: dict) -> str:
    return f"{row.get('index_no', '')} {row.get('title', '')}".strip()


def _short(text: Any, size: int = 30) -> str:
    text = str(text or "")
    return text if len(text) <= size else text[: size - 1] + "…"


MERGED: tuple[Merged, ...] = (
    Merged(
        "indicator",
        "指标",
        "engagement_id",
        title=lambda r: "／".join(str(r.get(k, "")) for k in ("level1", "level2", "name")),
    ),
    Merged(
        "working_paper",
        "底稿",
        "engagement_id",
        # The status follows the sign-offs (recomputed after a check-in), never merged on its own.
        ignore=frozenset({"version", "updated_at", "updated_by_id", "status"}),
        title=_paper_title,
    ),
    Merged("document_request", "资料清单", "engagement_id", title=lambda r: _short(r.get("title"))),
    Merged(
        "document_request_item",
        "资料清单条目",
        "request_id",
        "document_request",
        title=lambda r: _short(r.get("name")),
    ),
    Merged(
        "evidence",
        "证据",
        "engagement_id",
        deletable=True,
        title=lambda r: _short(r.get("name")),
    ),
    Merged(
        "paper_indicator",
        "底稿关联指标",
        "paper_id",
        "working_paper",
        deletable=True,
        title=lambda r: f"底稿 #{r.get('paper_id')} ↔ 指标 #{r.get('indicator_id')}",
    ),
    Merged(
        "paper_finding",
        "发现的问题",
        "paper_id",
        "working_paper",
        deletable=True,
        title=lambda r: _short(r.get("text")),
    ),
    Merged(
        "finding_evidence",
        "问题所附证据",
        "finding_id",
        "paper_finding",
        deletable=True,
        title=lambda r: f"问题 #{r.get('finding_id')} ↔ 证据 #{r.get('evidence_id')}",
    ),
    Merged(
        "review_note",
        "复核意见",
        "paper_id",
        "working_paper",
        title=lambda r: _short(r.get("text")),
    ),
    Merged(
        "paper_signoff",
        "签字",
        "paper_id",
        "working_paper",
        title=lambda r: f"底稿 #{r.get('paper_id')} {r.get('level')} 签字",
    ),
    Merged(
        "survey_response",
        "问卷答卷",
        "survey_id",
        "survey",
        ignore=frozenset({"excluded", "reasons"}),  # verdicts are judged again here
        title=lambda r: f"答卷 {r.get('source_key')}",
    ),
)
MERGED_BY_NAME = {m.table: m for m in MERGED}

# Reference rows selected by the engagement (then the rows they point to, by foreign key).
REFERENCE_BY_ENGAGEMENT = ("engagement_member", "declaration", "indicator_system", "survey")
REFERENCE_BY_AGENCY = ("paper_template", "stage_paper_setting")


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def key_of(tbl: Table, row: dict) -> str:
    """A record's key as text: its id, or its composite primary key joined by ':'."""
    return ":".join(str(row[c.name]) for c in tbl.primary_key.columns)


def key_columns(tbl: Table) -> list[str]:
    return [c.name for c in tbl.primary_key.columns]


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def plain_row(row: dict) -> dict:
    return {k: plain(v) for k, v in row.items()}


def column_values(tbl: Table, data: dict) -> dict:
    """JSON values back into the column types (Decimal, datetime, date); unknown keys dropped."""
    values: dict = {}
    for column in tbl.columns:
        if column.name not in data:
            continue
        value = data[column.name]
        kind = column.type
        if isinstance(kind, TypeDecorator) and not isinstance(kind, DecimalType):
            kind = kind.impl_instance
        if value is not None:
            if isinstance(kind, DecimalType):
                value = Decimal(str(value))
            elif isinstance(kind, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = date.fromisoformat(value)
        values[column.name] = value
    return values


def _rows(conn: Connection, tbl: Table, column: str, keys: Iterable) -> list[dict]:
    keys = sorted(set(keys), key=str)
    found: list[dict] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        result = conn.execute(
            select(tbl).where(tbl.c[column].in_(chunk)).order_by(*tbl.primary_key)
        )
        found.extend(dict(r._mapping) for r in result)
    return found


@dataclass
class Snapshot:
    """Every row a package carries, by table, and the team who may log in offline."""

    merged: dict[str, list[dict]]
    reference: dict[str, list[dict]]
    team_ids: set[int]

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.merged.values())

    def blobs(self) -> list[str]:
        return sorted({r["sha256"] for r in self.reference.get("blob", [])})


def collect_merged(conn: Connection, engagement_id: int) -> dict[str, list[dict]]:
    """The engagement's records of every merged table (on the server, or on the laptop)."""
    merged: dict[str, list[dict]] = {}
    for spec in MERGED:
        if spec.parent is None:
            keys = [engagement_id]
        elif spec.parent in merged:
            keys = [r["id"] for r in merged[spec.parent]]
        else:  # survey answers: by the engagement's surveys
            keys = [
                r["id"] for r in _rows(conn, table(spec.parent), "engagement_id", [engagement_id])
            ]
        merged[spec.table] = _rows(conn, table(spec.table), spec.column, keys) if keys else []
    return merged


def collect(conn: Connection, engagement_id: int) -> Snapshot:
    """Read the engagement's fieldwork records and the closure of what they refer to."""
    engagement = _rows(conn, table("engagement"), "id", [engagement_id])
    reference: dict[str, list[dict]] = {"engagement": engagement}
    for name in REFERENCE_BY_ENGAGEMENT:
        reference[name] = _rows(conn, table(name), "engagement_id", [engagement_id])
    for name in REFERENCE_BY_AGENCY:
        reference[name] = _rows(conn, table(name), "agency_id", [engagement[0]["agency_id"]])
    merged = collect_merged(conn, engagement_id)
    _close(conn, merged, reference)
    team_ids = {r["user_id"] for r in reference["engagement_member"] if r["role"] in TEAM_ROLES}
    for user in reference.get("user", []):
        if user["id"] not in team_ids:
            user["password_hash"] = UNUSABLE_PASSWORD
    return Snapshot(merged=merged, reference=reference, team_ids=team_ids)


def _close(conn: Connection, merged: dict, reference: dict) -> None:
    """Add every row a carried row points to by foreign key, until nothing is missing."""
    while True:
        wanted: dict[tuple[str, str], set] = {}
        for name, rows in [*merged.items(), *reference.items()]:
            for fk in table(name).foreign_keys:
                target = fk.column.table.name
                values = {r[fk.parent.name] for r in rows if r.get(fk.parent.name) is not None}
                if values:
                    wanted.setdefault((target, fk.column.name), set()).update(values)
        added = False
        for (target, column), values in sorted(wanted.items()):
            have = [*merged.get(target, []), *reference.get(target, [])]
            missing = values - {r[column] for r in have}
            if not missing:
                continue
            rows = _rows(conn, table(target), column, missing)
            # Rows of a merged table outside the engagement travel as reference: never merged.
            target_rows = reference.setdefault(target, [])
            seen = {key_of(table(target), r) for r in target_rows}
            target_rows.extend(r for r in rows if key_of(table(target), r) not in seen)
            added = added or bool(rows)
        if not added:
            return
