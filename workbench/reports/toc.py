"""The 目录 written into the .docx at generation, so a reader that does not update fields (WPS,
a phone viewer, a browser preview) shows real entries instead of the placeholder.

The TOC stays a ``TOC`` field marked dirty: Word refreshes it on open with its own pagination.
Its cached result is filled from the document's outline (标题 1/标题 2 after the TOC). Page
numbers come from LibreOffice when it is installed (`office.toc_pages`: it lays the document
out, updates the index and reports the entries); without it the entries carry no number and the
field update fills them in. ``WORKBENCH_TOC_PAGES=outline`` skips LibreOffice (tests, a server
where a few seconds per generation matter).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from workbench.reports import office

LEVEL_STYLES = {"Heading1": 1, "Heading2": 2}
TOC_STYLES = {1: "TOC1", 2: "TOC2"}


@dataclass(frozen=True)
class Entry:
    """One line of the 目录: level (1, 2), heading text and page number ("" when unknown)."""

    level: int
    text: str
    page: str = ""


def outline(document) -> list[Entry]:
    """The Heading 1/2 paragraphs after the TOC field, in order."""
    body = document.element.body
    begin = _toc_begin(body)
    if begin is None:
        return []
    start = begin.getparent()
    entries = []
    after = False
    style_path, val, t_tag = f"{qn('w:pPr')}/{qn('w:pStyle')}", qn("w:val"), qn("w:t")
    for paragraph in body.iter(qn("w:p")):
        if paragraph is start:
            after = True
            continue
        if not after:
            continue
        style = paragraph.find(style_path)
        level = LEVEL_STYLES.get(style.get(val)) if style is not None else None
        if not level:
            continue
        text = "".join(t.text or "" for t in paragraph.iter(t_tag)).strip()
        if text:
            entries.append(Entry(level, text))
    return entries


def with_pages(entries: list[Entry], pages: list[tuple[str, str]] | None) -> list[Entry]:
    """Entries given LibreOffice's page numbers, matched in order by their text."""
    if not pages:
        return entries
    out, cursor = [], 0
    for entry in entries:
        key = _normal(entry.text)
        for index in range(cursor, len(pages)):
            if _normal(pages[index][0]) == key:
                out.append(Entry(entry.level, entry.text, pages[index][1]))
                cursor = index + 1
                break
        else:
            out.append(entry)
    return out


def fill(document, entries: list[Entry]) -> bool:
    """Replace the TOC field's cached result by the entries; False when there is no TOC."""
    begin = _toc_begin(document.element.body)
    if begin is None or not entries:
        return False
    first = begin.getparent()
    runs = list(first.findall(qn("w:r")))
    separate = next((r for r in runs if _fld_type(r) == "separate"), None)
    end = _field_end(first)
    if separate is None or end is None:
        return False  # an unusual field shape: leave it to the field update
    # A result filled before (or by Word) spans paragraphs up to the one holding the end.
    last = end.getparent()
    for run in runs[runs.index(separate) + 1 :]:
        first.remove(run)
    if last is not first:
        paragraph = first.getnext()
        while paragraph is not None and paragraph is not last:
            following = paragraph.getnext()
            paragraph.getparent().remove(paragraph)
            paragraph = following
        last.getparent().remove(last)
    _set_style(first, TOC_STYLES[entries[0].level])
    for run in _entry_runs(entries[0]):
        first.append(run)
    previous = first
    for entry in entries[1:]:
        paragraph = parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{TOC_STYLES[entry.level]}"/></w:pPr></w:p>'
        )
        for run in _entry_runs(entry):
            paragraph.append(run)
        previous.addnext(paragraph)
        previous = paragraph
    previous.append(end)
    return True


def render_entries(docx: bytes, pages: list[tuple[str, str]] | None = None) -> bytes:
    """The .docx with its TOC result filled from its outline (and the given page numbers)."""
    document = Document(io.BytesIO(docx))
    if not fill(document, with_pages(outline(document), pages)):
        return docx
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_page_numbers(docx: bytes) -> bytes:
    """Fill the TOC with LibreOffice's page numbers when it is installed and allowed."""
    if os.environ.get("WORKBENCH_TOC_PAGES", "libreoffice") == "outline":
        return docx
    pages = office.toc_pages(docx)
    return render_entries(docx, pages) if pages else docx


def _entry_runs(entry: Entry) -> list:
    text = f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{escape(entry.text)}</w:t></w:r>'
    runs = [parse_xml(text), parse_xml(f"<w:r {nsdecls('w')}><w:tab/></w:r>")]
    if entry.page:
        runs.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>{escape(entry.page)}</w:t></w:r>"))
    return runs


def _set_style(paragraph, style_id: str) -> None:
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = parse_xml(f"<w:pPr {nsdecls('w')}/>")
        paragraph.insert(0, ppr)
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        style = parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{style_id}"/>')
        ppr.insert(0, style)
    style.set(qn("w:val"), style_id)


def _field_end(first):
    """The run ending the field begun in paragraph ``first`` (nested fields counted)."""
    depth, paragraph = 0, first
    while paragraph is not None:
        if paragraph.tag == qn("w:p"):
            for run in paragraph.iter(qn("w:r")):
                kind = _fld_type(run)
                if kind == "begin":
                    depth += 1
                elif kind == "end":
                    depth -= 1
                    if depth == 0:
                        return run
        paragraph = paragraph.getnext()
    return None


def _toc_begin(body):
    for instr in body.iter(qn("w:instrText")):
        if (instr.text or "").strip().upper().startswith("TOC"):
            run = instr.getparent()
            previous = run.getprevious()
            while previous is not None and _fld_type(previous) != "begin":
                previous = previous.getprevious()
            return previous
    return None


def _fld_type(run) -> str:
    char = run.find(qn("w:fldChar"))
    return char.get(qn("w:fldCharType")) if char is not None else ""


def _normal(text: str) -> str:
    return "".join(text.split())
