"""Merged label cells that stay visible when a table runs onto the next page.

A vertically merged cell (一级/二级 指标) prints its text once, in the block's first row: on a
continued page Word, WPS and LibreOffice all show an empty cell. Neither a repeated header row
nor ``cantSplit`` helps. What all three honour is "keep with next" on the paragraphs of a row,
so after rendering each merged 一级 block is kept on one page; a block too tall for a page is
split at its 二级 boundaries (or between rows) into chunks that fit, and every chunk starts a
merge of its own carrying the label. Heights are estimated from the text and column widths,
with a margin, so a chunk never reaches the bottom of a page.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# 225 mm of text height in points, less the repeated header row and a safety margin.
PAGE_BUDGET_PT = 225 / 25.4 * 72 * 0.8
TABLE_FONT_PT = 12
LINE_PT = TABLE_FONT_PT * 1.3
ROW_PADDING_PT = 3
CELL_MARGIN_TWIPS = 170
# Qualified names, computed once (qn() per lookup was most of the cost).
_GRIDCOL = qn("w:gridCol")
_GRIDSPAN = qn("w:gridSpan")
_KEEPNEXT = qn("w:keepNext")
_P = qn("w:p")
_PPR = qn("w:pPr")
_PSTYLE = qn("w:pStyle")
_T = qn("w:t")
_TBL = qn("w:tbl")
_TBLHEADER = qn("w:tblHeader")
_TC = qn("w:tc")
_TCPR = qn("w:tcPr")
_TR = qn("w:tr")
_TRPR = qn("w:trPr")
_VAL = qn("w:val")
_VMERGE = qn("w:vMerge")
_W = qn("w:w")


def keep_labels_on_page(document) -> int:
    """Apply the rule to every table of a python-docx document; returns the labels repeated."""
    return sum(_table(tbl) for tbl in document.element.body.iter(_TBL))


def _table(tbl) -> int:
    widths = [int(c.get(_W)) for c in tbl.iter(_GRIDCOL)]
    rows = [tr for tr in tbl.findall(_TR) if not _is_header(tr)]
    if not rows or not any(_merge(_cell(tr, 0)) for tr in rows):
        return 0
    heights = [_height(tr, widths) for tr in rows]
    repeated = 0
    for group in _groups(rows, 0):
        chunks = _chunks(group, rows, heights)
        for number, chunk in enumerate(chunks):
            if number:
                repeated += _restart(chunk[0], 0)
                if _merge(_cell(chunk[0], 1)) == "continue":
                    repeated += _restart(chunk[0], 1)
            for tr in chunk[:-1]:
                _keep_next(tr)
    return repeated


def _groups(rows: list, column: int) -> Iterable[list]:
    """Runs of rows merged in ``column``: a restart followed by its continues."""
    group: list = []
    for tr in rows:
        state = _merge(_cell(tr, column))
        if state == "continue" and group:
            group.append(tr)
            continue
        if group:
            yield group
        group = [tr] if state == "restart" else []
    if group:
        yield group


def _chunks(group: list, rows: list, heights: list[float]) -> list[list]:
    """The group whole when it fits a page, else pieces cut at 二级 boundaries (or rows)."""
    height = {id(tr): heights[rows.index(tr)] for tr in group}
    if sum(height.values()) <= PAGE_BUDGET_PT:
        return [group]
    pieces = [piece for sub in _groups(group, 1) for piece in _split_rows(sub, height)]
    covered = {id(tr) for piece in pieces for tr in piece}
    if len(covered) != len(group):  # no 二级 merges: cut between rows
        pieces = _split_rows(group, height)
    chunks: list[list] = []
    used = PAGE_BUDGET_PT + 1
    for piece in pieces:
        size = sum(height[id(tr)] for tr in piece)
        if used + size > PAGE_BUDGET_PT:
            chunks.append([])
            used = 0
        chunks[-1].extend(piece)
        used += size
    return chunks


def _split_rows(rows: list, height: dict) -> list[list]:
    if sum(height[id(tr)] for tr in rows) <= PAGE_BUDGET_PT:
        return [rows]
    return [[tr] for tr in rows]


def _restart(tr, column: int) -> int:
    """Turn a continued cell into the start of a new merge carrying the block's label."""
    cell = _cell(tr, column)
    source = _label_cell(tr, column)
    if cell is None or source is None:
        return 0
    cell.find(_TCPR).find(_VMERGE).set(_VAL, "restart")
    for paragraph in cell.findall(_P):
        cell.remove(paragraph)
    for paragraph in source.findall(_P):
        cell.append(copy.deepcopy(paragraph))
    return 1


def _label_cell(tr, column: int):
    """The restart cell above ``tr`` in ``column``: where the merged label's text is."""
    row = tr.getprevious()
    while row is not None:
        if row.tag == _TR:
            cell = _cell(row, column)
            if _merge(cell) == "restart":
                return cell
        row = row.getprevious()
    return None


def _keep_next(tr) -> None:
    for paragraph in tr.iter(_P):
        ppr = paragraph.find(_PPR)
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            paragraph.insert(0, ppr)
        if ppr.find(_KEEPNEXT) is None:
            keep = OxmlElement("w:keepNext")
            style = ppr.find(_PSTYLE)
            # CT_PPrBase: pStyle first, then keepNext.
            if style is None:
                ppr.insert(0, keep)
            else:
                style.addnext(keep)


def _height(tr, widths: list[int]) -> float:
    lines, column = 1, 0
    for tc in tr.findall(_TC):
        span = _span(tc)
        width = sum(widths[column : column + span]) if widths else 1440
        column += span
        if _merge(tc) == "continue":
            continue
        per_line = max(1.0, (width - CELL_MARGIN_TWIPS) / (TABLE_FONT_PT * 20))
        for paragraph in tc.findall(_P):
            text = "".join(t.text or "" for t in paragraph.iter(_T))
            lines_here = math.ceil(_display_width(text) / per_line) or 1
            lines = max(lines, lines_here)
    return lines * LINE_PT + ROW_PADDING_PT


def _display_width(text: str) -> float:
    """In full-width characters: ASCII letters and digits take half a cell."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _cell(tr, column: int):
    index = 0
    for tc in tr.findall(_TC):
        if index == column:
            return tc
        index += _span(tc)
        if index > column:
            return None
    return None


def _span(tc) -> int:
    pr = tc.find(_TCPR)
    span = pr.find(_GRIDSPAN) if pr is not None else None
    return int(span.get(_VAL)) if span is not None else 1


def _merge(tc) -> str:
    """ "restart", "continue" or "" for a cell's w:vMerge."""
    if tc is None:
        return ""
    pr = tc.find(_TCPR)
    merge = pr.find(_VMERGE) if pr is not None else None
    if merge is None:
        return ""
    return merge.get(_VAL) or "continue"


def _is_header(tr) -> bool:
    pr = tr.find(_TRPR)
    return pr is not None and pr.find(_TBLHEADER) is not None
