"""Issue 13 item 9: the 28 × 22 document grid, labels on continued pages, a TOC with entries,
the 附件 list before the closing block and each attachment on a new page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.reports.test_render import load_samples
from workbench.reports import office, table_pages, toc
from workbench.reports.render import TEMPLATE_NAMES, docx_to_pdf, render_docx

needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and pdftotext are needed to lay the document out",
)


def _document(data: bytes):
    return Document(io.BytesIO(data))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_section_has_the_28_by_22_grid(name: str) -> None:
    document = _document(render_docx(name, load_samples().SAMPLES[name]()))
    for section in document.sections:
        grid = section._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "linesAndChars"
        pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
        width_pt = (section.page_width - section.left_margin - section.right_margin) / 12700
        height_pt = (section.page_height - section.top_margin - section.bottom_margin) / 12700
        assert int(width_pt // pitch_pt) == 28
        assert int(height_pt // (int(grid.get(qn("w:linePitch"))) / 20)) == 22


def _long_paragraph_report() -> dict:
    context = load_samples().evaluation_report()
    text = "经核查项目资金管理制度健全执行有效" * 12  # 204 characters, no punctuation
    load_samples().outline_item(context, "overview")["paragraphs"] = [text]
    return context


@pytest.mark.slow
@needs_office
def test_a_full_body_line_holds_28_characters(tmp_path: Path) -> None:
    pdf = docx_to_pdf(render_docx("evaluation_report", _long_paragraph_report()))
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-f", "3", "-l", "3", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    lines = [line.strip() for line in text.splitlines() if "核查" in line or "管理" in line]
    full = [line for line in lines if not line.startswith("经核查项目")]  # not the indented first
    assert full, text
    assert len(full[0]) == 28, full[0]
    assert len(lines[0]) == 26  # the first line, indented 2 characters


def _tall_score_sheet() -> dict:
    context = load_samples().score_sheet()
    rows = []
    for number in range(40):
        rows.append(
            {
                "level1": "产出",
                "level2": f"产出数量{number // 8}",
                "name": f"第{number}项产出指标（完成率、合格率与及时性的综合核查）",
                "weight": "1.00",
                "score": "1.00",
                "note": "按实际完成数与计划数之比计分，核查了台账、验收单和现场照片等资料。",
                "paper_index": "D-01",
            }
        )
    context["score_rows"] = rows
    return context


def _first_column(table) -> list[tuple[str, str]]:
    out = []
    for tr in table._tbl.findall(qn("w:tr"))[1:]:
        tc = tr.findall(qn("w:tc"))[0]
        pr = tc.find(qn("w:tcPr"))
        merge = pr.find(qn("w:vMerge")) if pr is not None else None
        state = "" if merge is None else (merge.get(qn("w:val")) or "continue")
        out.append((state, "".join(t.text or "" for t in tc.iter(qn("w:t")))))
    return out


def test_a_group_taller_than_a_page_restarts_its_label_on_every_chunk() -> None:
    document = _document(render_docx("score_sheet", _tall_score_sheet()))
    table = max(document.tables, key=lambda t: len(t.rows))
    column = [cell for cell in _first_column(table) if cell[0]]
    starts = [text for state, text in column if state == "restart"]
    assert len(starts) >= 3  # 40 rows of two lines do not fit one page
    assert set(starts) == {"产出"}
    # Inside a chunk every row but the last keeps with the next; chunk ends may break.
    rows = table._tbl.findall(qn("w:tr"))[1:41]
    kept = [tr.find(f".//{qn('w:keepNext')}") is not None for tr in rows]
    assert kept.count(False) == len(starts)


def test_a_group_that_fits_is_kept_together_and_merged_once() -> None:
    document = _document(render_docx("score_sheet", load_samples().score_sheet()))
    table = max(document.tables, key=lambda t: len(t.rows))
    column = _first_column(table)
    level1 = [row["level1"] for row in load_samples().score_sheet()["score_rows"]]
    starts = [text for state, text in column if state == "restart"]
    assert starts == list(dict.fromkeys(level1))


def test_restart_copies_the_label_of_the_block_above() -> None:
    document = _document(render_docx("score_sheet", _tall_score_sheet()))
    assert table_pages.keep_labels_on_page(document) == 0  # already applied at render: stable


def test_toc_is_filled_from_the_outline_without_page_numbers() -> None:
    document = _document(render_docx("evaluation_report", load_samples().evaluation_report()))
    entries = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")
    ]
    assert ("toc 1", "一、基本情况\t") in entries
    assert ("toc 2", "（一）项目概况\t") in entries
    assert entries[-1] == ("toc 1", "附件2　满意度调查统计\t")
    body = document.element.body
    assert "目录将在" not in "".join(t.text or "" for t in body.iter(qn("w:t")))
    # Still a field Word refreshes: begin (dirty) … end around the entries.
    kinds = [c.get(qn("w:fldCharType")) for c in body.iter(qn("w:fldChar"))]
    assert kinds.count("begin") == kinds.count("end")
    instructions = [i.text for i in body.iter(qn("w:instrText")) if "TOC" in (i.text or "")]
    assert len(instructions) == 1


def test_refilling_replaces_the_entries_and_takes_page_numbers() -> None:
    data = render_docx("evaluation_report", load_samples().evaluation_report())
    pages = [("一、基本情况", "1"), ("（一）项目概况", "1"), ("附件2　满意度调查统计", "11")]
    again = _document(toc.render_entries(data, pages))
    entries = [p.text for p in again.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries[0] == "一、基本情况\t1"
    assert entries[-1] == "附件2　满意度调查统计\t11"
    assert len(entries) == len(set(entries))  # the first fill's entries are gone


def test_index_text_parsing() -> None:
    text = "一、基本情况\t1\r\n（一）项目概况\t1\n\n附件1\u3000评价图表\t9\n没有页码\n"
    assert office.parse_index_text(text) == [
        ("一、基本情况", "1"),
        ("（一）项目概况", "1"),
        ("附件1\u3000评价图表", "9"),
    ]


@pytest.mark.slow
@needs_office
def test_libreoffice_puts_page_numbers_into_the_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_TOC_PAGES", "libreoffice")
    data = toc.with_page_numbers(
        render_docx("evaluation_report", load_samples().evaluation_report())
    )
    entries = [p.text for p in _document(data).paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert all(re.search(r"\t\d+$", entry) for entry in entries), entries
    numbers = [int(entry.rsplit("\t", 1)[1]) for entry in entries]
    assert numbers == sorted(numbers) and numbers[0] == 1


def test_attachment_list_before_the_closing_block_and_attachments_on_new_pages() -> None:
    document = _document(render_docx("evaluation_report", load_samples().evaluation_report()))
    texts = [p.text for p in document.paragraphs]
    first = texts.index("附件：1. 评价图表")
    assert texts[first + 1] == "\u3000\u3000\u30002. 满意度调查统计"
    assert first < next(i for i, t in enumerate(texts) if t.startswith("项目负责人（签字）"))
    for title in ("附件1　评价图表", "附件2　满意度调查统计"):
        paragraph = document.paragraphs[texts.index(title)]
        assert paragraph.paragraph_format.page_break_before is True
