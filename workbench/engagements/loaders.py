"""The engagement of a page's URL, loaded once per request for the permission decorator
(`requires(..., load=load_engagement)`); the view reads it back with
`core.permissions.guarded_object()` rather than loading it again."""

from __future__ import annotations

from workbench import db
from workbench.engagements.models import Engagement
from workbench.engagements.services import get


def load_engagement(engagement_id: int, **_) -> Engagement:
    return get(db.session(), engagement_id)
