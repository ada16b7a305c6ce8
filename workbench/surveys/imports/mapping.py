"""The column mapping of an import: which file column feeds which question, row or option."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.surveys.imports.errors import ImportIssue

ROLE_META = "meta"
ROLE_ANSWER = "answer"
ROLE_IGNORE = "ignore"
ROLE_UNMATCHED = "unmatched"


@dataclass
class ColumnAssignment:
    """One file column and its target; `option` is set for a split multi-select 0/1 column."""

    column: int
    header: str
    role: str
    meta: str | None = None
    question_key: str | None = None
    row: str | None = None
    option: int | None = None
    note: str | None = None  # why the column is unmatched, shown to the user

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnAssignment:
        option = data.get("option")
        return cls(
            column=int(data["column"]),
            header=str(data.get("header") or ""),
            role=str(data.get("role") or ROLE_UNMATCHED),
            meta=data.get("meta"),
            question_key=data.get("question_key"),
            row=data.get("row"),
            option=None if option is None else int(option),
            note=data.get("note"),
        )


@dataclass
class ImportMapping:
    """Every column's assignment, for the user to confirm; `kind` is "wjx" or "generic"."""

    kind: str
    columns: list[ColumnAssignment] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def meta_column(self, name: str) -> int | None:
        """Position of the metadata column `name` (serial, submitted_at, …), if mapped."""
        for c in self.columns:
            if c.role == ROLE_META and c.meta == name:
                return c.column
        return None

    def answer_columns(self, key: str) -> list[ColumnAssignment]:
        """The columns feeding question `key`, in file order."""
        return [c for c in self.columns if c.role == ROLE_ANSWER and c.question_key == key]

    def ignore(self, column: int) -> None:
        """Mark one column as deliberately ignored (the user confirmed it is not needed)."""
        for c in self.columns:
            if c.column == column:
                c.role = ROLE_IGNORE
                c.question_key = c.row = c.meta = c.note = None
                c.option = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": [asdict(c) for c in self.columns],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportMapping:
        return cls(
            kind=str(data.get("kind") or "wjx"),
            columns=[ColumnAssignment.from_dict(c) for c in data.get("columns") or []],
            errors=[ImportIssue.of(e) for e in data.get("errors") or []],
            warnings=list(data.get("warnings") or []),
        )
