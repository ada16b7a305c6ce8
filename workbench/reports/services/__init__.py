"""The reports domain's public interface: what other domains and the API call.

Other domains import this package (and `reports.models`), nothing else of reports
(tests/test_import_contracts.py). Modules inside reports import the submodules
(`reports.services.generation`, `.sections`, ...) directly. A module outside the package that this
file imports, directly or not, may not import the package (an import-linter contract): importing
that module first would run this file into it half-made.

- `generate`, `versions`, `get_version`: the deliverables (generation.py);
- `drafting`: the report's sections and their versions (sections.py);
- `signoffs`: the report's internal review, 编制/复核/批准 (signoffs.py);
- `checkups`: the 报告体检 before a report is generated (checkup.py);
- `consultation`: 征求意见, the draft sent to the evaluated unit and its opinions;
- the outlines' headings (`PLAN_OUTLINE`, `REPORT_OUTLINE`, `EX_ANTE_OUTLINE`), `looks_like_html`
  and the agency's outline profile (`profile_for`);
- `render_docx` / `ReportRenderError`: a .docx template rendered (fieldwork's documents too);
- `lock_check`: how another domain (review) registers why a deliverable's sections are locked;
  `register_archive_exporter`: how review gives the archive zip that generation keeps as a version.
"""

from __future__ import annotations

from workbench.reports import consultation
from workbench.reports import permissions as _permissions  # noqa: F401 - registers "reports.unit"
from workbench.reports.locks import lock_check
from workbench.reports.outline_profiles import profile_for
from workbench.reports.render import ReportRenderError, render_docx
from workbench.reports.sections import (
    EX_ANTE_OUTLINE,
    PLAN_OUTLINE,
    REPORT_OUTLINE,
    looks_like_html,
)
from workbench.reports.services import checkup as checkups
from workbench.reports.services import sections as drafting
from workbench.reports.services import signoffs
from workbench.reports.services.generation import (
    generate,
    get_version,
    register_archive_exporter,
    versions,
)

__all__ = [
    "EX_ANTE_OUTLINE",
    "PLAN_OUTLINE",
    "REPORT_OUTLINE",
    "ReportRenderError",
    "checkups",
    "consultation",
    "drafting",
    "generate",
    "get_version",
    "lock_check",
    "looks_like_html",
    "profile_for",
    "register_archive_exporter",
    "render_docx",
    "signoffs",
    "versions",
]
