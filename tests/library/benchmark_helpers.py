"""Files of benchmark series for the import tests, and the rows the import writes."""

from __future__ import annotations

from sqlmodel import func, select

from workbench.library.models import BenchmarkImport, BenchmarkValue

HEADER = ["指标代码", "指标名称", "地区", "年份", "数值", "单位", "来源文件", "发布日期"]
KEY = "education.compulsory_retention_rate"
OTHER = "education.preschool_enrollment_rate"
SOURCE = "测试用来源文件"


def row(key=KEY, region="全国", year=2024, value="95.5%", unit="", date="2025-06-01", name=""):
    return [key, name, region, year, value, unit, SOURCE, date]


def csv_bytes(rows: list[list], header: list[str] = HEADER) -> bytes:
    lines = [header, *rows]
    return "\n".join(",".join(str(cell) for cell in line) for line in lines).encode("utf-8")


def stored(db) -> tuple[int, int]:
    """(imports, values) in the database: nothing half-written shows as unchanged counts."""
    imports = db.exec(select(func.count()).select_from(BenchmarkImport)).one()
    values = db.exec(select(func.count()).select_from(BenchmarkValue)).one()
    return imports, values
