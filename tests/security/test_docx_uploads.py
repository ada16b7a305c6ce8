"""Word output escapes markup and never executes template syntax; uploads refuse traversal/spoofing."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from workbench.core.errors import ValidationFailed
from workbench.core.uploads import check, safe_name
from workbench.reports.render import render_docx

XSS = "<w:p><w:r><w:t>injected</w:t></w:r></w:p><script>alert(1)</script>"
TEMPLATE_SYNTAX = "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {{ config }}"


@pytest.fixture()
def template_dir(tmp_path):
    """A one-paragraph template that prints two context strings."""
    document = Document()
    document.add_paragraph("标题：{{ title }}")
    document.add_paragraph("正文：{{ body }}")
    document.save(tmp_path / "probe.docx")
    return tmp_path


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def test_markup_in_context_is_escaped_in_word(template_dir):
    data = render_docx("probe", {"title": XSS, "body": "a < b & c > d"}, templates_dir=template_dir)
    xml = _document_xml(data)
    assert "<script>" not in xml and "<w:t>injected</w:t>" not in xml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "a &lt; b &amp; c &gt; d" in xml
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == "标题：" + XSS  # the reader sees the literal text


def test_template_syntax_in_context_never_executes(template_dir):
    data = render_docx(
        "probe", {"title": TEMPLATE_SYNTAX, "body": "{%p if true %}"}, templates_dir=template_dir
    )
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts == ["标题：" + TEMPLATE_SYNTAX, "正文：{%p if true %}"]
    assert "49" not in texts[0] and "looploop" not in texts[0]


def test_template_name_cannot_traverse(template_dir):
    from workbench.reports.render import ReportRenderError

    with pytest.raises(ReportRenderError):
        render_docx("../probe", {}, templates_dir=template_dir / "sub")


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.txt", "..\\evil.txt", "/abs/path.pdf", "a/b.pdf", "nul\x00.pdf", "..", ""],
)
def test_traversal_names_refused(name):
    with pytest.raises(ValidationFailed) as caught:
        check(name, b"hello", allowed={"txt", "pdf"})
    assert "不合法" in caught.value.message or "类型" in caught.value.message


def test_plain_chinese_name_kept():
    assert safe_name(" 附件1：资金拨付文件.pdf ") == "附件1：资金拨付文件.pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows executable
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),  # HTML posing as an image
        ("report.docx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),  # PDF named .docx
        ("scan.png", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32),  # JPEG named .png
        ("notes.html", b"<p>hi</p>"),  # type not allowed at all
    ],
)
def test_spoofed_types_refused(name, data):
    with pytest.raises(ValidationFailed) as caught:
        check(name, data)
    assert name in caught.value.message
    assert caught.value.details[0]["field"] == "file"


def test_genuine_pdf_accepted():
    checked = check("报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert (checked.extension, checked.mime) == ("pdf", "application/pdf")
