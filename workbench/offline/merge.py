"""Merging a laptop's records into the server, record by record against the package's base.

Per merged table, in `scope.MERGED` order (a parent before its children, so a record created
offline is given its server id before its children point at it):
- a record the laptop created (no base) is added — a paper whose index number is taken here gets
  the next free one, evidence and survey answers already here (same file on the same paper, same
  answer key) are not added twice;
- a record changed offline and unchanged here since the base is updated (its version moves, so a
  form open here on the old version is refused as stale);
- a record changed on both sides becomes an `OfflineConflict`: nothing is written;
- a record deleted offline is deleted here when it is of a deletable kind and unchanged here.
Deletions run after every addition and update, children first. Sign-offs made offline are kept
active only where the paper, as merged, still has the content they signed; the others are kept as
history and listed as needing to be signed again. Every row is written in the caller's
transaction; the new files are written meanwhile by processes of their own (`files.py`), waited
for before the merge ends, and a file that is not what its name says refuses the check-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlmodel import Session

from workbench.core import storage
from workbench.core.audit import AuditEntry
from workbench.core.errors import ValidationFailed
from workbench.offline import diff, files, scope
from workbench.offline.models import OfflineBase, OfflineCheckout, OfflineConflict
from workbench.offline.package import PayloadSource
from workbench.offline.writes import RecordWriter
from workbench.surveys.models import mark_answers_changed

# A new record the laptop made that repeats one here: the same file on the same paper (and
# request item), the same survey answer (its key names the form submission or the paper sheet).
DUPLICATE_BY = {
    "evidence": ("paper_id", "sha256", "request_item_id"),
    "survey_response": ("survey_id", "source_key"),
}


@dataclass(slots=True)
class Base:
    """A record as the laptop last knew it (an `OfflineBase` row, read without the ORM)."""

    id: int
    table_name: str
    key: str
    server_key: str
    data: dict
    created_offline: bool


def _bases(db: Session, checkout_id: int) -> list[Base]:
    tbl = OfflineBase.__table__
    columns = [tbl.c[name] for name in Base.__slots__]
    rows = db.connection().execute(select(*columns).where(tbl.c.checkout_id == checkout_id))
    return [Base(*row) for row in rows]


class Merger(RecordWriter):
    """One check-in's merge; `run` does it all."""

    def __init__(
        self,
        db: Session,
        checkout: OfflineCheckout,
        *,
        open_file: Callable[[str], IO[bytes]] | None = None,
        file_size: Callable[[str], int | None] | None = None,
        payload_source: PayloadSource | None = None,
        file_position: Callable[[str], int] | None = None,
    ) -> None:
        super().__init__(db, checkout.engagement_id, batched=True)
        self.checkout = checkout
        self.open_file = open_file  # a file of the package, by its SHA-256
        self.file_size = file_size  # its size, or None when the package does not carry it
        self.payload_source = payload_source  # the package again, for the process writing files
        self.file_position = file_position  # where a file is in it (read in that order)
        self.bases: dict[tuple[str, str], Base] = {}
        self.server_keys: dict[tuple[str, str], str] = {}
        for base in _bases(db, checkout.id):
            self.bases[(base.table_name, base.key)] = base
            self.server_keys[(base.table_name, base.key)] = base.server_key
        self.changed_bases: dict[int, Base] = {}  # written at the end, in one statement
        self.dropped_bases: set[int] = set()
        self.conflicts: list[OfflineConflict] = []
        self.pending_signoffs: list[tuple[dict, dict]] = []
        self.checkin_id: int | None = None
        self._indexes: dict[str, dict[tuple, str]] = {}
        self.new_bases: list[dict] = []
        self.surveys: set[int] = set()  # surveys given answers: their verdicts are judged again

    # -- keys ----------------------------------------------------------------------------------

    def to_server(self, tbl: Table, row: dict) -> dict:
        """The laptop's row with every key pointing at a merged record given in server keys."""
        out = dict(row)
        for fk in tbl.foreign_keys:
            target = fk.column.table.name
            name = fk.parent.name
            if target in scope.MERGED_BY_NAME and out.get(name) is not None:
                mapped = self.server_keys.get((target, str(out[name])))
                if mapped is not None:
                    out[name] = int(mapped)
        if "id" in tbl.c and (tbl.name, str(row.get("id"))) in self.server_keys:
            out["id"] = int(self.server_keys[(tbl.name, str(row["id"]))])
        return out

    # -- the run -------------------------------------------------------------------------------

    def run(
        self, engagement_id: int, laptop: dict[str, list[dict]], audit_rows: list[dict]
    ) -> None:
        self.engagement_id = engagement_id
        # The files are written by other processes while the records are read and merged here.
        with self._storing_files(laptop.get("evidence", [])) as added:
            server = scope.collect_merged(self.db.connection(), engagement_id)
            self._merge_records(server, laptop, audit_rows)
        self.summary.files += added

    def _merge_records(
        self, server: dict[str, list[dict]], laptop: dict[str, list[dict]], audit_rows: list[dict]
    ) -> None:
        deletions: list[tuple[scope.Merged, Base, dict | None]] = []
        for spec in scope.MERGED:
            tbl = scope.table(spec.table)
            here = {
                scope.key_of(tbl, scope.plain_row(r)): scope.plain_row(r)
                for r in server[spec.table]
            }
            rows = laptop.get(spec.table, [])
            seen: set[str] = set()
            new: list[tuple[dict, dict]] = []
            for row in rows:
                key = scope.key_of(tbl, row)
                seen.add(key)
                base = self.bases.get((spec.table, key))
                if base is not None:
                    self._existing(spec, tbl, base, row, here.get(base.server_key))
                elif (spec.table, key) not in self.server_keys:  # not added by this run already
                    mapped = self._new(spec, tbl, row, here)
                    if mapped is not None:
                        new.append((row, mapped))
            self._add(spec, tbl, new, here)
            for base in list(self.bases.values()):
                if base.table_name == spec.table and base.key not in seen:
                    deletions.append((spec, base, here.get(base.server_key)))
        self.write_updates()
        for spec, base, current in reversed(deletions):
            self._deleted_offline(spec, base, current)
        self.db.flush()
        tbl = scope.table("paper_signoff")
        self.add_signoffs(
            self.pending_signoffs,
            lambda row, key: self._remember(
                "paper_signoff", scope.key_of(tbl, row), key, row, created=True
            ),
        )
        self.pending_signoffs = []
        self._audit(audit_rows)
        self._write_bases()

    # -- records the laptop created --------------------------------------------------------------

    def _new(self, spec: scope.Merged, tbl: Table, row: dict, here: dict[str, dict]) -> dict | None:
        """A record the laptop created, in server keys, ready to add; None when it is not added
        now (it repeats one here, or it is a sign-off, settled once the content is merged)."""
        mapped = self.to_server(tbl, row)
        existing = self._duplicate_of(spec, tbl, mapped, here)
        if existing is not None:
            self.summary.duplicates += 1
            self._remember(spec.table, scope.key_of(tbl, row), existing, row, created=True)
            return None
        if spec.table == "working_paper":
            self.free_index(mapped, here)
        if spec.table == "paper_signoff":
            self.pending_signoffs.append((row, mapped))
            return None
        if spec.table == "survey_response":
            mapped["excluded"] = None
            mapped["reasons"] = None
        return mapped

    def _add(
        self, spec: scope.Merged, tbl: Table, new: list[tuple[dict, dict]], here: dict[str, dict]
    ) -> None:
        """Add the laptop's new records of one table: in one statement per shape of row, or one
        by one where a record may point at another new one of the same table (a reply to a note)."""
        if not new:
            return
        self_pointing = any(fk.column.table is tbl for fk in tbl.foreign_keys)
        if self_pointing:
            keys = []
            for row, mapped in new:
                again = self.to_server(tbl, row)  # the parent may have been added just before
                mapped.update({fk.parent.name: again[fk.parent.name] for fk in tbl.foreign_keys})
                keys.append(self.insert(tbl, mapped))
                self._remember(spec.table, scope.key_of(tbl, row), keys[-1], row, created=True)
        else:
            keys = self.insert_many(tbl, [mapped for _row, mapped in new])
        for (row, mapped), new_key in zip(new, keys, strict=True):
            stored = {**mapped, "id": int(new_key)} if "id" in tbl.c else mapped
            here[new_key] = stored
            if spec.table in DUPLICATE_BY and spec.table in self._indexes:
                match = tuple(mapped.get(n) for n in DUPLICATE_BY[spec.table])
                self._indexes[spec.table][match] = new_key
            self._remember(spec.table, scope.key_of(tbl, row), new_key, row, created=True)
            self.summary.added[spec.label] += 1
            self.touch(spec.table, stored)
            if spec.table == "survey_response":
                self.surveys.add(int(mapped["survey_id"]))

    def _duplicate_of(
        self, spec: scope.Merged, tbl: Table, mapped: dict, here: dict[str, dict]
    ) -> str | None:
        """The server key of a record already here that the laptop's new one repeats."""
        if "id" not in tbl.c:  # a link: the same pair is the same link
            key = scope.key_of(tbl, mapped)
            return key if key in here else None
        match = DUPLICATE_BY.get(spec.table)
        if match is None:
            return None
        index = self._indexes.get(spec.table)
        if index is None:
            index = {tuple(r.get(n) for n in match): k for k, r in here.items()}
            self._indexes[spec.table] = index
        return index.get(tuple(mapped.get(n) for n in match))

    def _storing_files(self, evidence: list[dict]):
        """The files of the laptop's new evidence this server lacks, from the package (each
        checked against its name; one that is not refuses the whole check-in)."""
        wanted: dict[str, tuple[str, int]] = {}
        elsewhere: set[str] = set()  # new evidence of a file the package does not carry
        for row in evidence:
            if ("evidence", str(row["id"])) in self.server_keys:
                continue  # a record the server gave the laptop: its file is here
            sha = row["sha256"]
            size = self.file_size(sha) if self.file_size else None
            if size is None:
                elsewhere.add(sha)
            else:
                wanted[sha] = (row.get("mime") or "application/octet-stream", size)
        missing = elsewhere - storage.known(self.db, elsewhere)
        if missing:
            raise ValidationFailed(f"回传包缺少证据文件 {min(missing)[:12]}…，不能导入")
        return files.storing(
            self.db,
            [(sha, mime, size) for sha, (mime, size) in wanted.items()],
            opener=self.open_file,
            source=self.payload_source,
            position=self.file_position,
        )

    def _remember(self, name: str, key: str, server_key: str, row: dict, *, created: bool) -> None:
        """The laptop's record as now known here (its base for the next check-in)."""
        self.server_keys[(name, key)] = server_key
        base = self.bases.get((name, key))
        if base is not None:
            base.data = row
            self.changed_bases[base.id] = base
            return
        self.new_bases.append(
            {
                "checkout_id": self.checkout.id,
                "table_name": name,
                "key": key,
                "server_key": server_key,
                "data": row,
                "created_offline": created,
            }
        )

    def _write_bases(self) -> None:
        """The bases as the laptop now knows its records: new, changed, dropped."""
        tbl, conn = OfflineBase.__table__, self.db.connection()
        changed = [
            {"b_id": base.id, "b_data": base.data}
            for base_id, base in self.changed_bases.items()
            if base_id not in self.dropped_bases
        ]
        if changed:
            conn.execute(
                update(tbl)
                .where(tbl.c.id == bindparam("b_id"))
                .values(data=bindparam("b_data", type_=tbl.c.data.type)),
                changed,
            )
        dropped = sorted(self.dropped_bases)
        for start in range(0, len(dropped), 500):
            conn.execute(delete(tbl).where(tbl.c.id.in_(dropped[start : start + 500])))
        if self.new_bases:
            conn.execute(insert(tbl), self.new_bases)
        self.changed_bases, self.dropped_bases, self.new_bases = {}, set(), []

    # -- records both sides had ----------------------------------------------------------------

    def _existing(
        self, spec: scope.Merged, tbl: Table, base: Base, row: dict, current: dict | None
    ) -> None:
        theirs = self.to_server(tbl, base.data)
        ours = self.to_server(tbl, row)
        if current is None:  # deleted here since
            if not diff.changed(theirs, ours, spec.ignore):
                self.summary.unchanged += 1
                return
            self._conflict(spec, tbl, base, row, ours, None, deleted="server")
            return
        outcome = diff.compare(theirs, current, ours, spec.ignore)
        if outcome.action == "same":
            self.summary.unchanged += 1
        elif outcome.action == "already":
            self.summary.unchanged += 1
            self._remember(spec.table, base.key, base.server_key, row, created=base.created_offline)
        elif outcome.action == "apply":
            self.write_fields(tbl, current, ours, outcome.fields)
            self._remember(spec.table, base.key, base.server_key, row, created=base.created_offline)
            self.summary.updated[spec.label] += 1
        else:
            self._conflict(spec, tbl, base, row, ours, current, fields=outcome.fields)

    def _conflict(
        self,
        spec: scope.Merged,
        tbl: Table,
        base: Base,
        row: dict,
        ours: dict,
        current: dict | None,
        *,
        fields=frozenset(),
        deleted: str = "",
    ) -> None:
        theirs = self.to_server(tbl, base.data)
        if deleted:
            names = diff.changed(theirs, ours if deleted == "server" else current, spec.ignore)
        else:
            names = fields
        shown = ours if ours is not None else theirs
        conflict = OfflineConflict(
            checkin_id=self.checkin_id,
            checkout_id=self.checkout.id,
            engagement_id=self.engagement_id,
            table_name=spec.table,
            key=base.key,
            server_key=base.server_key,
            label=f"{spec.label} {spec.title(current or shown)}"[:300],
            fields=diff.side_by_side(
                theirs, current, ours, sorted(names), labels=_field_labels(current or shown)
            ),
            offline_row={"laptop": row, "server": ours} if row is not None else {},
            deleted=deleted,
        )
        self.db.add(conflict)
        self.conflicts.append(conflict)
        self.summary.conflicts += 1

    # -- deletions -------------------------------------------------------------------------------

    def _deleted_offline(self, spec: scope.Merged, base: Base, current: dict | None) -> None:
        tbl = scope.table(spec.table)
        if current is None:  # gone on both sides
            self.bases.pop((spec.table, base.key), None)
            self.dropped_bases.add(base.id)
            return
        theirs = self.to_server(tbl, base.data)
        if spec.deletable and not diff.changed(theirs, current, spec.ignore):
            self.delete_row(tbl, current)
            self.bases.pop((spec.table, base.key), None)
            self.dropped_bases.add(base.id)
            self.summary.deleted[spec.label] += 1
            return
        self._conflict(spec, tbl, base, None, None, current, deleted="offline")

    # -- the laptop's audit log ----------------------------------------------------------------

    def _audit(self, rows: list[dict]) -> None:
        """The laptop's audit log joins this one, each entry with its device and time, once."""
        new = []
        for row in rows:
            if ("audit_entry", str(row["id"])) in self.server_keys:
                continue
            data = dict(row)
            object_type = data.get("object_type") or ""
            if object_type in scope.MERGED_BY_NAME and data.get("object_id") is not None:
                mapped = self.server_keys.get((object_type, str(data["object_id"])))
                if mapped and mapped.isdigit():
                    data["object_id"] = int(mapped)
            data["device"] = data.get("device") or self.checkout.device
            new.append((row, data))
        keys = self.insert_many(AuditEntry.__table__, [data for _row, data in new])
        for (row, _data), key in zip(new, keys, strict=True):
            self._remember("audit_entry", str(row["id"]), key, {}, created=True)
        self.summary.audit += len(new)
        mark_answers_changed(self.db, self.surveys)


def _field_labels(row: dict | None) -> dict[str, str]:
    """A paper's template field names (values.<key> → 标签) from its spec snapshot."""
    spec = (row or {}).get("spec") or {}
    labels: dict[str, str] = {}
    for item in spec.get("fields", []) if isinstance(spec, dict) else []:
        if isinstance(item, dict) and item.get("key"):
            labels[f"values.{item['key']}"] = item.get("label") or item["key"]
    return labels
