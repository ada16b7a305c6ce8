"""Survey pages: list and settings, designer, collection (public form, QR, poster, paper entry),
file imports, answers and validity, statistics and exports."""

from __future__ import annotations

from workbench.core.templating import register_tab
from workbench.surveys.blueprint import bp
from workbench.surveys.views import (  # noqa: F401 - each module adds its routes to bp
    collect,
    design,
    imports,
    results,
    surveys,
)

__all__ = ["bp"]

register_tab("满意度调查", "surveys.index", "surveys.read")
