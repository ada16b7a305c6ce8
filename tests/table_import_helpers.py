"""What the Excel import tests share: a sheet to upload and the preview's signed rows."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import Workbook


def sheet_bytes(rows: list[list], *, sheet: str) -> bytes:
    """An .xlsx whose sheet `sheet` holds `rows` as they are (header included)."""
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview_token(page: str) -> str:
    """The token the preview page's confirm form carries."""
    return re.search(r'name="token" value="([^"]+)"', page).group(1)
