"""Dump an indicator pack back to YAML text in the layout of ``indicator_library`` (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from workbench.library.pack_schema import Indicator, Pack, format_decimal


def pack_to_dict(pack: Pack) -> dict[str, Any]:
    """The pack as plain data in the YAML layout (weights as int or text, empty fields omitted)."""
    data: dict[str, Any] = {
        "key": pack.key,
        "name": pack.name,
        "kind": pack.kind,
        "engagement_types": list(pack.engagement_types),
    }
    if pack.sector:
        data["sector"] = pack.sector
    data["version"] = pack.version
    for name in ("source", "notes"):
        if getattr(pack, name):
            data[name] = getattr(pack, name)
    data["indicators"] = [
        {
            "name": level1.name,
            "children": [
                {
                    "name": level2.name,
                    "children": [_indicator_dict(leaf) for leaf in level2.children],
                }
                for level2 in level1.children
            ],
        }
        for level1 in pack.indicators
    ]
    return data


def dump_yaml(pack: Pack) -> str:
    """Serialise the pack as YAML text that ``load_pack`` reads back to an equal pack."""
    return yaml.dump(
        pack_to_dict(pack),
        Dumper=_PackDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        indent=2,
    )


def _indicator_dict(leaf: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": leaf.key,
        "name": leaf.name,
        "definition": leaf.definition,
        "points": list(leaf.points),
        "evidence": list(leaf.evidence),
        "standard": leaf.standard,
        "rule": leaf.rule,
    }
    if leaf.params:
        data["params"] = leaf.params
    data["weight"] = _weight_value(leaf.weight)
    for name in ("target", "scoring"):
        if getattr(leaf, name):
            data[name] = getattr(leaf, name)
    data["tags"] = list(leaf.tags)
    data["benchmarks"] = [
        {"value": item.value, "year": item.year, "source": item.source} for item in leaf.benchmarks
    ]
    if leaf.notes:
        data["notes"] = leaf.notes
    return data


def _weight_value(weight: Decimal) -> int | str:
    # Integers stay bare (`weight: 4`); fractions are quoted text so no float ever appears.
    if weight == weight.to_integral_value():
        return int(weight)
    return format_decimal(weight)


class _PackDumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text as literal blocks and keeps list indentation."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _represent_text)
