"""docx_to_pdf: LibreOffice conversion with the TOC refreshed; None without LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.test_render import load_samples
from workbench.reports import office
from workbench.reports.render import docx_to_pdf, render_docx

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed",
)


def test_without_libreoffice_returns_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    assert docx_to_pdf(b"PK\x03\x04") is None


@pytest.mark.slow
@needs_soffice
def test_report_converts_to_pdf_with_a_filled_toc(tmp_path: Path) -> None:
    data = render_docx("evaluation_report", load_samples().evaluation_report())
    pdf = docx_to_pdf(data)
    assert pdf is not None and pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 8  # cover, TOC, body, annexes
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: TOC text not checked")
    (tmp_path / "report.pdf").write_bytes(pdf)
    toc = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    # The TOC field was refreshed: entries with dot leaders and body page numbers.
    assert re.search(r"一、基本情况\.+\s*1\s*$", toc, re.M)
    assert re.search(r"四、绩效评价指标分析\.+\s*\d+\s*$", toc, re.M)
    assert "更新域" not in toc


@pytest.mark.slow
@needs_soffice
def test_form_converts_to_pdf() -> None:
    data = render_docx("opinion_table", load_samples().opinion_table())
    pdf = docx_to_pdf(data)
    assert pdf is not None and pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
