"""QR codes of a survey's public link, as PNG and as SVG."""

from __future__ import annotations

from io import BytesIO

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage


def _code(url: str) -> qrcode.QRCode:
    # Level M survives a little dirt on a printed poster and stays small enough to scan quickly.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def png(url: str) -> bytes:
    buffer = BytesIO()
    _code(url).make_image(image_factory=PilImage).save(buffer)
    return buffer.getvalue()


def svg(url: str) -> bytes:
    buffer = BytesIO()
    _code(url).make_image(image_factory=SvgPathImage).save(buffer)
    return buffer.getvalue()
