"""LibreOffice headless: lay a .docx out, update its indexes, export a PDF and/or report the TOC.

One Basic macro in a private profile (concurrent runs must not share LibreOffice's lock) opens
the document hidden and first turns the page styles' character grid into a line grid:
LibreOffice gives a 16 pt character two cells of Word's 15.79 pt grid (14 characters a line),
while the styles' 0.25 pt condensing already fits 28 characters a line without it. Then it
updates every index twice (page numbers settle after the TOC grows), refreshes fields and
writes what was asked; on any error it quits at once (headless LibreOffice would otherwise wait
on an error dialog until the timeout).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class OfficeError(RuntimeError):
    """LibreOffice failed or timed out; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class OfficeResult:
    pdf: bytes | None
    toc_text: str | None


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def run(docx: bytes, *, pdf: bool, toc: bool, timeout: float = 180) -> OfficeResult | None:
    """Run the macro on the document; None when LibreOffice is not installed."""
    binary = soffice()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="workbench-office-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        pdf_target = folder / "document.pdf" if pdf else None
        toc_target = folder / "toc.txt" if toc else None
        source.write_bytes(docx)
        profile = folder / "profile"
        base = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        _run(base + ["--terminate_after_init"], timeout)
        module = profile / "user" / "basic" / "Standard" / "Module1.xba"
        if module.is_file():
            module.write_text(MACRO, encoding="utf-8")
            arguments = f'"{source}","{pdf_target or ""}","{toc_target or ""}"'
            _run(base + [f"macro:///Standard.Module1.Convert({arguments})"], timeout)
        result = None
        if pdf_target is not None and not pdf_target.is_file():
            # The plain conversion: no index update, but a PDF.
            result = _run(
                base + ["--convert-to", "pdf", "--outdir", str(folder), str(source)], timeout
            )
            if not pdf_target.is_file():
                detail = result.stderr.decode("utf-8", "replace").strip() if result else ""
                raise OfficeError(f"PDF 转换失败：{detail or 'LibreOffice 未生成文件'}")
        return OfficeResult(
            pdf=pdf_target.read_bytes() if pdf_target is not None else None,
            toc_text=(
                toc_target.read_text(encoding="utf-8")
                if toc_target is not None and toc_target.is_file()
                else None
            ),
        )


def toc_pages(docx: bytes, *, timeout: float = 120) -> list[tuple[str, str]] | None:
    """The TOC entries with LibreOffice's page numbers, or None (not installed, failed)."""
    try:
        result = run(docx, pdf=False, toc=True, timeout=timeout)
    except OfficeError:
        return None
    if result is None or not result.toc_text:
        return None
    return parse_index_text(result.toc_text) or None


def parse_index_text(text: str) -> list[tuple[str, str]]:
    """LibreOffice's index text ("一、基本情况<TAB>1" per line) as (text, page) pairs."""
    pairs = []
    for line in text.replace("\r", "\n").split("\n"):
        title, tab, page = line.rpartition("\t")
        if tab and page.strip().isdigit() and title.strip():
            pairs.append((title.strip(), page.strip()))
    return pairs


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OfficeError(f"LibreOffice 处理超时（超过 {timeout:g} 秒）。") from exc


MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" \
script:language="StarBasic">
Sub Convert(src As String, pdfDst As String, tocDst As String)
  On Error GoTo Failed
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, args())
  pageStyles = doc.getStyleFamilies().getByName(&quot;PageStyles&quot;)
  For i = 0 To pageStyles.getCount() - 1
    pageStyle = pageStyles.getByIndex(i)
    If pageStyle.GridMode = 2 Then pageStyle.GridMode = 1
  Next
  indexes = doc.getDocumentIndexes()
  For pass = 1 To 2
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next
  Next
  doc.getTextFields().refresh()
  If tocDst &lt;&gt; &quot;&quot; Then
    files = createUnoService(&quot;com.sun.star.ucb.SimpleFileAccess&quot;)
    stream = files.openFileWrite(ConvertToURL(tocDst))
    writer = createUnoService(&quot;com.sun.star.io.TextOutputStream&quot;)
    writer.setOutputStream(stream)
    writer.setEncoding(&quot;UTF-8&quot;)
    For i = 0 To indexes.getCount() - 1
      writer.writeString(indexes.getByIndex(i).getAnchor().getString() &amp; Chr(10))
    Next
    writer.closeOutput()
  End If
  If pdfDst &lt;&gt; &quot;&quot; Then
    Dim out(0) As New com.sun.star.beans.PropertyValue
    out(0).Name = &quot;FilterName&quot;
    out(0).Value = &quot;writer_pdf_Export&quot;
    doc.storeToURL(ConvertToURL(pdfDst), out())
  End If
  doc.close(True)
  StarDesktop.terminate()
  Exit Sub
Failed:
  StarDesktop.terminate()
End Sub
</script:module>
"""
