"""The review domain's public interface: what the API, the notices and the reports use.

Other domains import this module, review.models and the pure modules (review.states,
review.rubrics, review.manifest, review.reading) only. Each service of the review loop is a
namespace here: `submissions.submit`, `decisions.decide`, `rating.record`, `rectification.add_item`,
`unit_followup.report`, `seal.export_package`, `archive.export_zip`, `notifications.notify`.
Importing it registers the review's permission predicates (`Scope`).
"""

from __future__ import annotations

from workbench.review import (
    archive,
    decisions,
    notifications,
    rating,
    rectification,
    seal,
    submissions,
    unit_followup,
)
from workbench.review.permissions import Scope

__all__ = [
    "Scope",
    "archive",
    "decisions",
    "notifications",
    "rating",
    "rectification",
    "seal",
    "submissions",
    "unit_followup",
]
