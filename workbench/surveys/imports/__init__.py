"""Importing answers from files: 问卷星 exports and generic CSV/Excel tables.

The names re-exported here are the parsing, which imports neither Flask nor the database (the
import contract reaches every parsing module through the pure `automap`); service.py, jobs.py,
progress.py, writer.py and from_export.py store what it parses.
"""

from workbench.surveys.imports.detect import detect_questions
from workbench.surveys.imports.errors import ImportIssue, ImportRefused
from workbench.surveys.imports.generic import map_columns, parse_generic_file
from workbench.surveys.imports.mapping import ColumnAssignment, ImportMapping
from workbench.surveys.imports.normalize import BLANK, SKIPPED
from workbench.surveys.imports.parse import (
    ChunkParser,
    ParsedImport,
    ParsedResponse,
    check_mapping,
    parse_responses,
)
from workbench.surveys.imports.readers import DEFAULT_LIMITS, Limits, Table, read_table
from workbench.surveys.imports.stream import TableStream, read_stream
from workbench.surveys.imports.wjx import parse_wjx_file, propose_mapping

__all__ = [
    "BLANK",
    "ChunkParser",
    "DEFAULT_LIMITS",
    "SKIPPED",
    "ColumnAssignment",
    "ImportIssue",
    "ImportMapping",
    "ImportRefused",
    "Limits",
    "ParsedImport",
    "ParsedResponse",
    "Table",
    "TableStream",
    "check_mapping",
    "detect_questions",
    "map_columns",
    "parse_generic_file",
    "parse_responses",
    "parse_wjx_file",
    "propose_mapping",
    "read_stream",
    "read_table",
]
