"""Render the docxtpl templates of report_templates/ into .docx bytes, and .docx into PDF (pure:
no Flask, no database; LibreOffice converts).

User text is data, never template: rendering uses a sandboxed, autoescaping Jinja environment,
so ``<``, ``&`` or text that looks like ``{{ x }}`` / ``{% %}`` comes out literally. Missing
context keys are errors (StrictUndefined): a report never silently drops a section.

Besides docxtpl's tags the templates may use ``{% vmerge EXPR %}`` at the start of a table
cell inside a ``{%tr for %}`` loop: the cell starts a vertically merged block when EXPR is
true and continues the block above otherwise (docxtpl's ``{% vm %}`` only merges a whole loop).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from workbench.reports import office, table_pages, toc

TEMPLATE_NAMES = (
    "evaluation_plan",
    "evaluation_report",
    "ex_ante_report",
    "score_sheet",
    "opinion_table",
    "working_paper",
)
DEFAULT_IMAGE_WIDTH_MM = 150
# Characters XML 1.0 forbids, plus \a \v \f which docxtpl would turn into paragraph/page breaks.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
# Children of w:settings that must come after w:updateFields (CT_Settings sequence).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator",
)  # fmt: skip
_VMERGE_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?{%\s*vmerge\s.*?%}.*?</w:tc>", re.S)
_VMERGE_TEXT = re.compile(
    r"(<w:t(?: [^>]*)?>)([^<]*?){%\s*vmerge\s+(.+?)\s*%}([^<]*)(</w:t>)", re.S
)
_CN_DIGITS = "零一二三四五六七八九"


class ReportRenderError(ValueError):
    """A template could not be rendered; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class ImageSpec:
    """An image for a template with an explicit width; bare bytes/paths get 150 mm."""

    data: bytes | Path
    width_mm: float = DEFAULT_IMAGE_WIDTH_MM


def default_templates_dir() -> Path:
    """WORKBENCH_REPORT_TEMPLATES if set, else report_templates/ of the source tree (or of the
    working directory, for a non-editable install run from a checkout)."""
    configured = os.environ.get("WORKBENCH_REPORT_TEMPLATES")
    if configured:
        return Path(configured)
    source_tree = Path(__file__).resolve().parents[2] / "report_templates"
    if source_tree.is_dir():
        return source_tree
    return Path.cwd() / "report_templates"


def template_path(template_name: str, templates_dir: Path | None = None) -> Path:
    """The .docx file of a template name such as "evaluation_report" (no paths allowed)."""
    stem = template_name.removesuffix(".docx")
    if not re.fullmatch(r"[A-Za-z0-9_]+", stem):
        raise ReportRenderError(f"报告模板名称不合法：{template_name!r}")
    path = (templates_dir or default_templates_dir()) / f"{stem}.docx"
    if not path.is_file():
        raise ReportRenderError(f"找不到报告模板文件：{path}")
    return path


def render_docx(
    template_name: str, context: Mapping[str, Any], *, templates_dir: Path | None = None
) -> bytes:
    """Render a template with a context of plain dicts/lists/strings; returns .docx bytes with
    merged labels kept on their page and the TOC filled (page numbers: `toc.with_page_numbers`)."""
    template = _Template(str(template_path(template_name, templates_dir)))
    prepared = _prepare(context, template)
    try:
        template.render(prepared, jinja_env=_environment(), autoescape=True)
    except UndefinedError as exc:
        raise ReportRenderError(f"报告模板 {template_name} 缺少数据：{exc.message}") from exc
    except TemplateError as exc:
        raise ReportRenderError(f"报告模板 {template_name} 有语法错误：{exc}") from exc
    ensure_update_fields(template.docx.settings.element)
    table_pages.keep_labels_on_page(template.docx)
    has_toc = toc.fill(template.docx, toc.outline(template.docx))
    properties = template.docx.core_properties
    if isinstance(prepared.get("title"), str) and prepared["title"]:
        properties.title = prepared["title"]
    properties.modified = datetime.now(UTC)
    buffer = io.BytesIO()
    template.save(buffer)
    return toc.with_page_numbers(buffer.getvalue()) if has_toc else buffer.getvalue()


def ensure_update_fields(settings: Any) -> None:
    """Set ``w:updateFields`` so Word/WPS refresh the TOC and page fields on open."""
    existing = settings.find(qn("w:updateFields"))
    if existing is None:
        existing = OxmlElement("w:updateFields")
        successor = next(
            (child for child in settings if _local_name(child.tag) in _AFTER_UPDATE_FIELDS),
            None,
        )
        if successor is None:
            settings.append(existing)
        else:
            successor.addprevious(existing)
    existing.set(qn("w:val"), "true")


def docx_to_pdf(docx_bytes: bytes, *, timeout: float = 180) -> bytes | None:
    """Convert .docx bytes to PDF with LibreOffice; None when LibreOffice is not installed.

    A plain ``--convert-to pdf`` keeps the TOC placeholder and lays the 28 × 22 grid out badly,
    so `office.run` loads the document with a macro, updates its indexes and exports.
    """
    try:
        result = office.run(docx_bytes, pdf=True, toc=False, timeout=timeout)
    except office.OfficeError as error:
        raise ReportRenderError(str(error)) from error
    return result.pdf if result is not None else None


class _Template(DocxTemplate):
    """DocxTemplate plus the ``{% vmerge EXPR %}`` cell tag."""

    def patch_xml(self, src_xml: str) -> str:
        return _VMERGE_CELL.sub(_patch_vmerge_cell, super().patch_xml(src_xml))


def _patch_vmerge_cell(match: re.Match[str]) -> str:
    cell = match.group(0)
    text = _VMERGE_TEXT.search(cell)
    if text is None:
        raise ReportRenderError("模板中的 {% vmerge %} 必须与单元格文字写在同一段落内。")
    condition = text.group(3)
    cell = (
        cell[: text.start()]
        + f"{text.group(1)}{{% if {condition} %}}{text.group(2)}{text.group(4)}{{% endif %}}"
        + text.group(5)
        + cell[text.end() :]
    )
    merge = f'<w:vMerge w:val="{{% if {condition} %}}restart{{% else %}}continue{{% endif %}}"/>'
    # CT_TcPr order: tcW, gridSpan, hMerge, vMerge, ...; insert after the width/span if present.
    anchor = re.search(r"<w:tcPr>(?:<w:tcW [^>]*/>)?(?:<w:gridSpan [^>]*/>)?", cell)
    if anchor is None:
        return cell.replace(">", f"><w:tcPr>{merge}</w:tcPr>", 1)
    return cell[: anchor.end()] + merge + cell[anchor.end() :]


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters["cn_number"] = cn_number
    env.globals["new_group"] = new_group
    return env


def cn_number(value: int) -> str:
    """1 → 一, 10 → 十, 23 → 二十三 (headings such as （一）; 1..99)."""
    number = int(value)
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[units] if units else "")


def new_group(loop: Any, row: Any, *keys: str) -> bool:
    """True when ``row`` starts a new run of equal ``keys`` values in a Jinja loop."""
    if loop.first:
        return True
    previous = loop.previtem
    return any(_field(row, key) != _field(previous, key) for key in keys)


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def _prepare(value: Any, template: DocxTemplate) -> Any:
    """Copy the context: sanitise strings, turn image bytes/paths into InlineImage."""
    if isinstance(value, str):
        return _FORBIDDEN_CHARS.sub("", value)
    if isinstance(value, Mapping):
        return {str(k): _prepare(v, template) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(v, template) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | Path):
        return _inline_image(template, ImageSpec(data=value))
    if isinstance(value, ImageSpec):
        return _inline_image(template, value)
    return value


def _inline_image(template: DocxTemplate, spec: ImageSpec) -> InlineImage:
    data = spec.data.read_bytes() if isinstance(spec.data, Path) else bytes(spec.data)
    if not data.startswith(_IMAGE_SIGNATURES):
        raise ReportRenderError("报告中的图片不是 PNG、JPEG、GIF 或 BMP 格式。")
    return InlineImage(template, io.BytesIO(data), width=Mm(spec.width_mm))


def _local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
