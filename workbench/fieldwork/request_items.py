"""The lines of a document request (资料清单): what one item is, how typed lines are read, and
that each material is listed once (the request service and the Excel import share these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workbench.core.errors import ValidationFailed
from workbench.core.itemised import split_lines
from workbench.fieldwork.values import parse_date


@dataclass
class ItemInput:
    name: str
    description: str = ""
    due_date: date | None = None


def parse_item_lines(text: str, *, default_due: date | None) -> list[ItemInput]:
    """One material a line: `名称 | 截止日期 | 说明` (date and note optional); 422 naming lines."""
    items, errors = [], []
    for line in split_lines(text):
        number, parts = line.number, line.cells
        name = parts[0]
        due = default_due
        if len(parts) > 1 and parts[1]:
            try:
                due = parse_date(parts[1])
            except ValueError as error:
                errors.append(
                    {"field": "items", "row": number, "message": f"第{number}行：{error}"}
                )
                continue
        if not name or len(name) > 200:
            errors.append(
                {
                    "field": "items",
                    "row": number,
                    "message": f"第{number}行：资料名称为空或超过 200 字",
                }
            )
            continue
        items.append(ItemInput(name=name, description="｜".join(parts[2:])[:1000], due_date=due))
    if errors:
        raise ValidationFailed("资料明细有误，未保存", details=errors)
    return items


def same_name(name: str) -> str:
    """Names compare ignoring letter case and repeated or surrounding spaces (as the import)."""
    return " ".join(name.split()).casefold()


def refuse_twice(listed: Sequence[str], items: Sequence[ItemInput]) -> None:
    """One material per line of the list: the unit would answer one of two and leave the other
    open for ever."""
    seen = {same_name(name) for name in listed}
    twice: list[str] = []
    for item in items:
        key = same_name(item.name)
        if key in seen and item.name.strip() not in twice:
            twice.append(item.name.strip())
        seen.add(key)
    if twice:
        raise ValidationFailed.of_field(
            "items", f"清单中已有同名资料：{'、'.join(twice)}（每项资料只列一次）"
        )
