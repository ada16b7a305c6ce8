"""The report of a project, department-wide or self-review engagement along its outline profile.

The profile is the agency's own for the engagement's bureau and type, else the shipped one
(outline_profiles.profile_for). Generation is refused while the profile's required sections,
facts or self-score explanations are missing, with the list of what is missing.
"""

from __future__ import annotations

from sqlmodel import Session

from workbench.core.errors import Conflict
from workbench.engagements.models import Engagement
from workbench.reports import context_outline, outline_profiles
from workbench.reports.context import Inputs
from workbench.scoring.services import self_scores


def self_scores_of(db: Session, engagement: Engagement) -> dict[tuple[str, str, str], object]:
    """(一级, 二级, 三级) → the unit's self-score and its gap explanation."""
    return {
        path: context_outline.SelfScore(own.score, own.note)
        for path, own in self_scores.of_engagement(db, engagement).items()
    }


def report_context(db: Session, engagement: Engagement, inputs: Inputs, charts: list[dict]) -> dict:
    """evaluation_report.docx's context, or Conflict listing what the outline still needs."""
    profile = outline_profiles.profile_for(db, engagement)
    own = self_scores_of(db, engagement) if profile.gap_threshold is not None else {}
    missing = context_outline.missing(inputs, profile, own)
    if missing:
        raise Conflict(f"{profile.document_title}缺少以下内容，暂不能生成", details=missing)
    return context_outline.report_context(inputs, charts, profile, own)
