"""Loaders for guarded views: the object from the URL inside the engagement it belongs to."""

from __future__ import annotations

from workbench import db
from workbench.core.errors import NotFound
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement as engagement  # noqa: F401
from workbench.fieldwork.models import WorkingPaper
from workbench.fieldwork.papers import get_paper
from workbench.fieldwork.permissions import Scope
from workbench.fieldwork.requests import get_request


def paper(engagement_id: int, paper_id: int, **_) -> Scope:
    """The paper, 404 unless it belongs to the URL's engagement."""
    found = engagements.get(db.session(), engagement_id)
    return Scope(found, paper=get_paper(db.session(), engagement=found, paper_id=paper_id))


def paper_by_wid(wid: int, **_) -> Scope:
    """API paths name a paper alone; its engagement decides who may see it."""
    session = db.session()
    found = session.get(WorkingPaper, wid)
    if found is None:
        raise NotFound("工作底稿不存在")
    return Scope(engagements.get(session, found.engagement_id), paper=found)


def request(engagement_id: int, request_id: int, **_) -> Scope:
    found = engagements.get(db.session(), engagement_id)
    return Scope(found, request=get_request(db.session(), engagement=found, request_id=request_id))
