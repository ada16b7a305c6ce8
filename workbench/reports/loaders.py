"""Loaders and small request helpers shared by the reports pages: the section, version or opinion
of a URL inside the engagement it belongs to, an integer parameter, a redirect back."""

from __future__ import annotations

from flask import redirect, request, url_for

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import parse_int
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement
from workbench.reports import consultation
from workbench.reports.services import generation
from workbench.reports.services import sections as drafting

__all__ = [
    "back_to",
    "int_param",
    "load_engagement",
    "load_opinion",
    "load_section",
    "load_version",
    "versions_and_authors",
]


def load_section(engagement_id: int, section_id: int, **_):
    engagement = load_engagement(engagement_id)
    drafting.get_section(db.session(), engagement, section_id)
    return engagement


def load_version(engagement_id: int, version_id: int, **_):
    engagement = load_engagement(engagement_id)
    generation.get_version(db.session(), engagement, version_id)
    return engagement


def load_opinion(engagement_id: int, opinion_id: int, **_):
    engagement = load_engagement(engagement_id)
    consultation.get_opinion(db.session(), engagement, opinion_id)
    return engagement


def int_param(name: str, *, required: bool = True) -> int | None:
    raw = (request.values.get(name) or "").strip()
    if not raw and not required:
        return None
    value = parse_int(raw)
    if value is None:
        raise ValidationFailed("请求参数有误", details=[{"field": name, "message": "应为正整数"}])
    return value


def back_to(endpoint: str, engagement_id: int, anchor: str = ""):
    return redirect(url_for(endpoint, engagement_id=engagement_id) + anchor)


def versions_and_authors(session, engagement, kinds: list[str]) -> tuple[list, dict]:
    rows = generation.versions(session, engagement, kinds)
    users = engagements.users_by_id(session, {v.generated_by_id for v in rows if v.generated_by_id})
    return rows, users
