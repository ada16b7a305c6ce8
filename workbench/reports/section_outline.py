"""The outline a deliverable's sections follow: the plan's fixed one, the report's from the
engagement's outline profile and its 一级 indicators. Sections and sign-offs both read it."""

from __future__ import annotations

from sqlmodel import Session, func, select

from workbench.core.errors import NotFound
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.reports import outline_profiles, outlines
from workbench.reports import sections as text
from workbench.reports.models import ReportSection

DELIVERABLES = ("plan", "report")


def level1_names(db: Session, engagement: Engagement) -> list[str]:
    rows = db.exec(
        select(Indicator.level1, func.min(Indicator.position), func.min(Indicator.id))
        .where(Indicator.engagement_id == engagement.id)
        .group_by(Indicator.level1)
    ).all()
    return [name for name, _pos, _id in sorted(rows, key=lambda r: (r[1], r[2]))]


def outline(db: Session, engagement: Engagement, deliverable: str) -> list[text.OutlineSection]:
    if deliverable not in DELIVERABLES:
        raise NotFound("没有这个成果的提纲")
    if deliverable == "plan":
        return text.outline_for("plan", ex_ante=engagement.type == "ex_ante", level1_names=[])
    # The report's sections follow the engagement's outline profile (shipped or the agency's own).
    profile = outline_profiles.profile_for(db, engagement)
    return outlines.drafting_sections(profile, level1_names(db, engagement))


def entry_of(db: Session, engagement: Engagement, section: ReportSection) -> text.OutlineSection:
    """The outline entry of a section (a 一级 no longer in the tree keeps its key as heading)."""
    for entry in outline(db, engagement, section.deliverable):
        if entry.key == section.key:
            return entry
    heading = section.key.removeprefix(text.LEVEL1_PREFIX)
    return text.OutlineSection(section.key, "（已不在提纲中）", heading, "", required=False)
