"""Decimal helpers and the Decimal column type (exact on SQLite too)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import Numeric, String
from sqlalchemy.types import TypeDecorator

from workbench.core.hygiene import decimal_problem

CENT = Decimal("0.01")


def q2(value: Decimal | int | str) -> Decimal:
    """Round half-up (四舍五入) to 2 places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str | None) -> Decimal | None:
    """Parse user text such as '1,200.50' or '１２００' into a storable Decimal; None when blank."""
    if text is None:
        return None
    cleaned = (
        str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    )
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"“{text}”不是有效的数字") from exc
    problem = decimal_problem(value)  # NaN, Infinity, or more digits than any column holds
    if problem:
        raise ValueError(f"“{text}”：{problem}")
    return value


def fmt2(value: Decimal | None) -> str:
    """A 2-place string, or empty for None."""
    return "" if value is None else f"{q2(value):.2f}"


def yuan(value: Decimal | None) -> str:
    """Money with thousands separators, e.g. 1,234,567.80."""
    return "" if value is None else f"{q2(value):,.2f}"


class DecimalType(TypeDecorator):
    """NUMERIC on PostgreSQL; text on SQLite, whose NUMERIC affinity would store floats."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 18):
        super().__init__()
        self.scale = scale
        self.precision = precision

    def __repr__(self) -> str:
        return f"DecimalType({self.scale}, {self.precision})"

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 4))
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = Decimal(value).quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale))
