"""Import problems: the row/column error shape, a capped collector and the refusal exception."""

from __future__ import annotations

from collections.abc import Iterable

from workbench.core.problems import FieldError, Invalid

# Enough rows to show a pattern without flooding the page when a whole column is wrong.
MAX_ERRORS_PER_COLUMN = 20
MAX_ERRORS = 500


# One problem of an import; the API says it as `{row, column, message}` (both named, even unknown).
ImportIssue = FieldError


class ImportRefused(Invalid):
    """The file cannot be read at all (size, format, encoding, layout)."""

    def __init__(self, message: str, *, errors: Iterable[ImportIssue] = ()):
        super().__init__(message, errors or [issue(message)])


def issue(message: str, *, row: int | None = None, column: str | None = None) -> ImportIssue:
    """One problem at a row and column of the file (None when the file has no place for it)."""
    return FieldError(message, row=row, column=column)


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_label(index: int, header: str) -> str:
    """How a column is named to the user: `J列（补助标准合理性）`."""
    shown = header if len(header) <= 40 else header[:40] + "…"
    return f"{column_letter(index)}列（{shown}）" if shown else f"{column_letter(index)}列"


def shorten(value: object, limit: int = 30) -> str:
    """A cell value quoted in a message, cut when long."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class IssueCollector:
    """Collects problems, capped per column and overall, and counts the ones left out."""

    def __init__(self) -> None:
        self.issues: list[ImportIssue] = []
        self.left_out = 0
        self._per_column: dict[str | None, int] = {}

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record one problem (kept unless a cap is reached; always counted)."""
        seen = self._per_column.get(column, 0)
        self._per_column[column] = seen + 1
        if len(self.issues) >= MAX_ERRORS or (column is not None and seen >= MAX_ERRORS_PER_COLUMN):
            self.left_out += 1
            return
        self.issues.append(issue(message, row=row, column=column))

    def __bool__(self) -> bool:
        return bool(self.issues) or self.left_out > 0

    def result(self) -> list[ImportIssue]:
        """The kept problems, plus one line saying how many more were found."""
        if not self.left_out:
            return list(self.issues)
        return [*self.issues, issue(f"另有 {self.left_out} 处同类问题未逐一列出，请修正后重新导入")]
