"""Loaders for guarded views: the indicator from the URL inside the engagement it belongs to."""

from __future__ import annotations

from workbench import db
from workbench.engagements.services import load_engagement
from workbench.indicators import services


def load_indicator(engagement_id: int, indicator_id: int, **_):
    """The engagement, after checking the leaf belongs to it (the permission layer hides both)."""
    engagement = load_engagement(engagement_id)
    services.get_indicator(db.session(), engagement, indicator_id)
    return engagement
