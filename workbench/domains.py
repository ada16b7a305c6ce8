"""The domains in data-flow order, and discovery of their optional modules.

Each domain may have: models.py (tables), blueprint.py (`bp`, its Blueprint alone), views.py
(pages; it exposes `bp` and imports the domain's other view modules), gates.py (flowchart gates),
events.py (listeners on audited actions, subscribed at start), cli.py (`commands`: click
commands for `workbench`), demo.py (`fill(session, engagement, users)` for the demo engagement). The API lives in
workbench/api/<domain>.py. Adding a domain means adding its name here; nothing else is edited by
hand.
"""

from __future__ import annotations

import importlib
from types import ModuleType

DOMAINS = [
    "accounts",
    "engagements",
    "library",
    "indicators",
    "scoring",
    "fieldwork",
    "surveys",
    "facts",
    "reports",
    "review",
    "finance",
    "experts",
    "notices",
    "webhooks",
    "hub",
    "offline",
]


def optional(domain: str, module: str) -> ModuleType | None:
    """Import workbench.<domain>.<module> when the domain has one."""
    name = f"workbench.{domain}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise  # a real import error inside the module
        return None


def modules(module: str) -> list[ModuleType]:
    found = (optional(domain, module) for domain in DOMAINS)
    return [m for m in found if m is not None]
