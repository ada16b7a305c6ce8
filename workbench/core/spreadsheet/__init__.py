"""Spreadsheets: the only reader and the only writer of .xlsx/.xls/.csv files (pure: no Flask, no DB).

Reading (`read_workbook`): bytes or a stream taken once; the format sniffed from the content;
caps on the file size, the zip (members, inflated size measured not trusted, ratio per member),
sheets, rows, columns and cells (declared and measured while streaming); formulas refused with the
cell named, or their saved values used and listed where an importer opts in. A refusal is a
`SpreadsheetRefused` carrying `Problem`s (Chinese message, sheet, row, column).

Writing (`append_row`, `write_cell`, `make_cell`; a list page as a sheet: `table_workbook`): text that a spreadsheet would take for a formula
is stored as quoted text, characters XML cannot hold are dropped, numbers stay numbers.
"""

from workbench.core.spreadsheet.model import (
    DEFAULT_LIMITS,
    ILLEGAL_CHARACTERS,
    MIB,
    Format,
    FormulaCell,
    FormulaPolicy,
    Problem,
    ReadLimits,
    Sheet,
    SpreadsheetRefused,
    Workbook,
    column_letter,
    parse_ref,
    place,
    text_problem,
)
from workbench.core.spreadsheet.reading import read_workbook
from workbench.core.spreadsheet.table import Column, headers, table_workbook, template_workbook
from workbench.core.spreadsheet.table_read import (
    Field,
    TableProblem,
    TableRead,
    TableRow,
    as_text,
    from_text,
    read_table,
)
from workbench.core.spreadsheet.writing import (
    CellStyle,
    append_row,
    cell_value,
    clean_text,
    make_cell,
    needs_quote,
    new_workbook,
    write_cell,
    xlsx_bytes,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ILLEGAL_CHARACTERS",
    "MIB",
    "CellStyle",
    "Column",
    "Field",
    "Format",
    "FormulaCell",
    "FormulaPolicy",
    "Problem",
    "ReadLimits",
    "Sheet",
    "SpreadsheetRefused",
    "TableProblem",
    "TableRead",
    "TableRow",
    "Workbook",
    "append_row",
    "as_text",
    "cell_value",
    "clean_text",
    "column_letter",
    "from_text",
    "headers",
    "make_cell",
    "needs_quote",
    "new_workbook",
    "parse_ref",
    "place",
    "read_table",
    "read_workbook",
    "table_workbook",
    "template_workbook",
    "text_problem",
    "write_cell",
    "xlsx_bytes",
]
