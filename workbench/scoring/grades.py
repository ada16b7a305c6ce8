"""Grade tables: (grade name, inclusive lower bound) rows, highest first (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from workbench.scoring.values import format_number

GradeTable = tuple[tuple[str, Decimal], ...]

# DOMAIN.md §4: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60. Engagements may carry their own table.
DEFAULT_GRADES: GradeTable = (
    ("优", Decimal(90)),
    ("良", Decimal(80)),
    ("中", Decimal(60)),
    ("差", Decimal(0)),
)
# The five-band table some clients use.
FIVE_BAND_GRADES: GradeTable = (
    ("优秀", Decimal(90)),
    ("良好", Decimal(80)),
    ("中等", Decimal(70)),
    ("合格", Decimal(60)),
    ("差", Decimal(0)),
)


def sort_grades(grades: Sequence[tuple[str, Decimal]]) -> GradeTable:
    """The table ordered by lower bound, highest first."""
    return tuple(sorted(((name, Decimal(bound)) for name, bound in grades), key=lambda g: -g[1]))


def grade_for(total: Decimal, grades: Sequence[tuple[str, Decimal]] = DEFAULT_GRADES) -> str:
    """The grade whose inclusive lower bound is the highest one not above `total`."""
    ordered = sort_grades(grades)
    if not ordered:
        raise ValueError("等级表为空")
    for name, bound in ordered:
        if total >= bound:
            return name
    return ordered[-1][0]


def check_grades(grades: Sequence[tuple[str, Decimal]]) -> list[str]:
    """Problems with a grade table, as Chinese sentences (empty when the table is usable)."""
    problems: list[str] = []
    if not grades:
        return ["等级表为空，至少需要一个下限为0的等级"]
    names: set[str] = set()
    bounds: set[Decimal] = set()
    for name, bound in grades:
        if not name:
            problems.append("等级名称不能为空")
        elif name in names:
            problems.append(f"等级“{name}”重复")
        names.add(name)
        if not 0 <= bound <= 100:
            problems.append(f"等级“{name}”的下限{format_number(bound)}应在0到100之间")
        elif bound in bounds:
            problems.append(f"下限{format_number(bound)}重复出现")
        bounds.add(bound)
    if Decimal(0) not in bounds:
        problems.append("等级表须有一个下限为0的最低等级，否则低分无法定级")
    return problems
