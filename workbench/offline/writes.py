"""Writing merged records: rows in, fields updated, rows out, papers settled after.

`RecordWriter` is what a check-in's merge (`merge.Merger`) and a conflict's resolution
(`conflicts.resolve`) both do to the server's tables: statements on the caller's transaction,
keys given as the server's, and the papers any of it touched remembered so that their sign-offs
and statuses can follow the content once the writing is done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Table, and_, bindparam, delete, insert, update
from sqlmodel import Session, col, select

from workbench.core.timeutil import utcnow
from workbench.fieldwork import numbering
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.review_rules import LEVEL_NAMES, Level, status_for
from workbench.fieldwork.services import review
from workbench.offline import scope

RESIGN_REASON = "离线签字的底稿内容在回传合并后已不同，需重新签字"
STALE_REASON = "回传合并后底稿内容已变化"


@dataclass
class Summary:
    """What a check-in did, by table label; shown on its report page and kept with it."""

    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: int = 0
    duplicates: int = 0
    conflicts: int = 0
    renumbered: list[dict] = field(default_factory=list)
    resign: list[dict] = field(default_factory=list)
    files: int = 0
    audit: int = 0

    def as_dict(self) -> dict:
        return {
            "added": dict(self.added),
            "updated": dict(self.updated),
            "deleted": dict(self.deleted),
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "renumbered": self.renumbered,
            "resign": self.resign,
            "files": self.files,
            "audit": self.audit,
        }


class RecordWriter:
    """Row writes on one engagement's merged tables, and the papers they touched."""

    def __init__(self, db: Session, engagement_id: int, *, batched: bool = False) -> None:
        self.db = db
        self.batched = batched
        # (table, fields) → [(key, values)]: updates waiting for `write_updates` when batched
        self.updates: dict[tuple[str, tuple[str, ...]], list[tuple[dict, dict]]] = {}
        self.engagement_id = engagement_id
        self.summary = Summary()
        self.touched_papers: set[int] = set()
        self.scoring_changed = False  # an indicator's inputs were written: the score sign-off goes
        self._numbers: tuple[set[str], dict[tuple[str, str], int]] | None = None

    # -- rows ----------------------------------------------------------------------------------

    def insert(self, tbl: Table, values: dict) -> str:
        return self.insert_many(tbl, [values])[0]

    def insert_many(self, tbl: Table, rows: list[dict]) -> list[str]:
        """Insert rows (given in server keys, ids dropped); their new keys, in order."""
        keyed = "id" in tbl.c
        data = [scope.column_values(tbl, row) for row in rows]
        for values in data:
            values.pop("id", None) if keyed else None
        keys: list[str | None] = [None] * len(data)
        shapes: dict[tuple, list[int]] = defaultdict(list)
        for n, values in enumerate(data):
            shapes[tuple(sorted(values))].append(n)
        for positions in shapes.values():  # one statement per shape of row
            batch = [data[n] for n in positions]
            if keyed:
                for n, new_id in zip(positions, self._insert_keyed(tbl, batch), strict=True):
                    keys[n] = str(new_id)
            else:
                self.db.connection().execute(insert(tbl), batch)
                for n in positions:
                    keys[n] = scope.key_of(tbl, data[n])
        return keys  # type: ignore[return-value]

    def _insert_keyed(self, tbl: Table, batch: list[dict]) -> list[int]:
        """Insert rows of one shape; their new ids, in order."""
        conn = self.db.connection()
        if conn.dialect.name != "sqlite" or len(batch) == 1:
            returning = insert(tbl).returning(tbl.c.id, sort_by_parameter_order=True)
            return list(conn.execute(returning, batch).scalars())
        # SQLite cannot tell which new id went to which row of one statement (SQLAlchemy would
        # send one INSERT per row): the first row goes alone, which holds the database's write
        # lock to the end of this transaction, and the rest take the ids after its own (SQLite
        # gives a new row the largest id + 1; no one else can insert before we commit).
        first = conn.execute(insert(tbl).returning(tbl.c.id), batch[0]).scalar_one()
        ids = list(range(first, first + len(batch)))
        rest = [{**values, "id": first + n} for n, values in enumerate(batch[1:], start=1)]
        conn.execute(insert(tbl), rest)
        return ids

    def write_fields(self, tbl: Table, current: dict, ours: dict, fields: Iterable[str]) -> None:
        """Write the given fields of `ours` over the record `current`; its version moves.

        Batched (a check-in's thousands of papers edited offline), the writes wait for
        `write_updates`: one statement per table and set of fields.
        """
        values = scope.column_values(tbl, {f: ours.get(f) for f in fields})
        key = {c: current[c] for c in scope.key_columns(tbl)}
        self.updates.setdefault((tbl.name, tuple(sorted(values))), []).append((key, values))
        self.touch(tbl.name, {**current, **ours})
        if tbl.name == "indicator":
            self.scoring_changed = True
        if not self.batched:
            self.write_updates()

    def write_updates(self) -> None:
        now = utcnow()
        for (name, fields), items in self.updates.items():
            tbl = scope.table(name)
            keys = scope.key_columns(tbl)
            bound = [f for f in fields if f not in ("updated_at", "version")]  # set here, below
            values = {f: bindparam(f"v_{f}", type_=tbl.c[f].type) for f in bound}
            if "updated_at" in tbl.c:
                values["updated_at"] = now
            if "version" in tbl.c:
                values["version"] = tbl.c.version + 1  # a form open here on the old one is stale
            where = [tbl.c[c] == bindparam(f"k_{c}") for c in keys]
            self.db.connection().execute(
                update(tbl).where(*where).values(**values),
                [
                    {**{f"k_{c}": key[c] for c in keys}, **{f"v_{f}": row[f] for f in bound}}
                    for key, row in items
                ],
            )
        self.updates = {}

    def delete_row(self, tbl: Table, current: dict) -> None:
        where = and_(*(tbl.c[c] == current[c] for c in scope.key_columns(tbl)))
        self.db.connection().execute(delete(tbl).where(where))
        self.touch(tbl.name, current)

    def touch(self, name: str, row: dict) -> None:
        if name == "working_paper":
            self.touched_papers.add(int(row["id"]))
        elif name in {"paper_indicator", "paper_finding", "paper_signoff"} or (
            name == "evidence" and row.get("paper_id")
        ):
            self.touched_papers.add(int(row["paper_id"]))

    # -- index numbers ---------------------------------------------------------------------------

    def free_index(self, paper: dict, here: dict[str, dict]) -> None:
        """Give a paper created offline the next free index number when its own is taken here."""
        if self._numbers is None:
            self._numbers = (set(), {})
            for row in here.values():
                self._number(row)
        taken, last = self._numbers
        if paper["index_no"] in taken:
            area = (paper["stage"], paper["area"])
            seq = max(paper["seq"], last.get(area, 0)) + 1
            new_index = numbering.format_index(paper["stage"], paper["area"], seq)
            self.summary.renumbered.append(
                {"title": paper["title"], "from": paper["index_no"], "to": new_index}
            )
            paper["index_no"], paper["seq"] = new_index, seq
        self._number(paper)

    def _number(self, row: dict) -> None:
        taken, last = self._numbers
        taken.add(row["index_no"])
        area = (row["stage"], row["area"])
        try:
            seq = numbering.parse_index(row["index_no"])[2]
        except ValueError:
            seq = row.get("seq") or 0
        last[area] = max(last.get(area, 0), seq)

    # -- sign-offs and status ----------------------------------------------------------------------

    def add_signoffs(
        self, pending: list[tuple[dict, dict]], remember: Callable[[dict, str], None]
    ) -> None:
        """Add sign-offs made offline, active only on the content they signed; statuses follow.

        `pending` holds (laptop row, row in server keys); `remember(row, new_key)` is told each.
        """
        signed = {int(m["paper_id"]) for _, m in pending}
        papers = {p.id: p for p in self.papers(self.touched_papers | signed)}
        # Only a paper with a sign-off has content to compare: the others need no hash.
        active = review.active_signoffs(self.db, list(papers))
        hashes = review.current_hashes(
            self.db, [p for i, p in papers.items() if active[i] or i in signed]
        )
        tbl = scope.table("paper_signoff")
        for row, mapped in pending:
            paper = papers[int(mapped["paper_id"])]
            if mapped.get("cleared_at") is None and mapped["content_hash"] != hashes[paper.id]:
                mapped["cleared_at"] = utcnow().isoformat()
                mapped["cleared_reason"] = RESIGN_REASON
                self.summary.resign.append(
                    {
                        "paper": paper.label,
                        "level": LEVEL_NAMES[Level(mapped["level"])],
                        "user_id": mapped["user_id"],
                    }
                )
            remember(row, self.insert(tbl, mapped))
            self.summary.added["签字"] += 1
        self.db.flush()
        self.settle_papers(papers.values(), hashes)

    def papers(self, ids: set[int]) -> list[WorkingPaper]:
        if not ids:
            return []
        found: list[WorkingPaper] = []
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            found.extend(
                self.db.exec(
                    select(WorkingPaper)
                    .where(col(WorkingPaper.id).in_(ordered[start : start + 500]))
                    .execution_options(populate_existing=True)  # written by statements above
                ).all()
            )
        return found

    def settle_papers(self, papers, hashes: dict[int, str] | None = None) -> None:
        """Clear sign-offs whose content changed, then set each paper's status from the rest."""
        papers = list(papers)
        if not papers:
            return
        active = review.active_signoffs(self.db, [p.id for p in papers])
        hashes = dict(hashes or {})
        hashes.update(
            review.current_hashes(
                self.db, [p for p in papers if active[p.id] and p.id not in hashes]
            )
        )
        now = utcnow()
        for paper in papers:
            levels = set()
            for level, signoff in active[paper.id].items():
                if signoff.content_hash != hashes[paper.id]:
                    signoff.cleared_at, signoff.cleared_reason = now, STALE_REASON
                    self.db.add(signoff)
                else:
                    levels.add(level)
            status = status_for(levels)
            if paper.status != status and not (paper.status == "returned" and not levels):
                paper.status = status
                self.db.add(paper)
        self.db.flush()

    def settle_touched(self) -> None:
        """Settle every paper the writes so far touched."""
        self.settle_papers(self.papers(self.touched_papers))
