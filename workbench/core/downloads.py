"""Files the pages hand out: one way to send a generated workbook."""

from __future__ import annotations

from io import BytesIO

from flask import send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(data: bytes, download_name: str):
    """The workbook as an attachment named `download_name` (Chinese names kept, RFC 5987)."""
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=download_name)
