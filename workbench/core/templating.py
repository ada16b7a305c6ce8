"""Jinja filters and globals shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_locale

from workbench.core import permissions
from workbench.core.money import fmt2, yuan
from workbench.core.tab_groups import group_tabs
from workbench.core.timeutil import local


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    shown = local(value)
    return shown.strftime(fmt) if shown else ""


def _d(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}%"


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    admin: bool = False


NAV: list[NavItem] = []


def register_nav(
    label: str, endpoint: str, permission: str = "authenticated", *, admin: bool = False
) -> None:
    """A domain adds its top-level page to the navigation bar (or the admin menu)."""
    if not any(item.endpoint == endpoint for item in NAV):
        NAV.append(NavItem(label, endpoint, permission, admin))


# app.extensions[LINK_FILTER]: endpoint → whether the instance links to it at all (a laptop in
# the field, workbench/offline, hides the pages it refuses). Absent: every page is linked.
LINK_FILTER = "workbench.link_filter"


def _linked(endpoint: str) -> bool:
    shown = current_app.extensions.get(LINK_FILTER)
    return shown is None or shown(endpoint)


def _items(admin: bool) -> list[dict]:
    return [
        {"label": item.label, "url": url_for(item.endpoint)}
        for item in NAV
        if item.admin == admin and permissions.allowed(item.permission) and _linked(item.endpoint)
    ]


@dataclass(frozen=True)
class Tab:
    label: str | Callable[[Any], str]  # text, or the engagement's own (评价报告 / 评估报告)
    endpoint: str
    permission: str

    def label_for(self, engagement) -> str:
        return self.label(engagement) if callable(self.label) else self.label


TABS: list[Tab] = []
PANELS: list[str] = []
NOTICES: list[str] = []


def register_tab(label: str | Callable[[Any], str], endpoint: str, permission: str) -> None:
    """A domain adds a tab to every engagement page (shown when the user passes `permission`)."""
    if not any(tab.endpoint == endpoint for tab in TABS):
        TABS.append(Tab(label, endpoint, permission))


def register_panel(template: str) -> None:
    """A domain adds a panel (a template) to the home dashboard."""
    if template not in PANELS:
        PANELS.append(template)


def register_notice(template: str) -> None:
    """A domain adds a notice (a template given `engagement`) above an engagement's flowchart."""
    if template not in NOTICES:
        NOTICES.append(template)


def _grouped_tabs(engagement, fixed: list[dict]) -> list:
    """The fixed tabs of the header and every domain's, in flowchart groups (core/tab_groups)."""
    return group_tabs([tab for tab in fixed if _linked(tab["endpoint"])] + _tabs(engagement))


def _tabs(engagement) -> list[dict]:
    return [
        {
            "label": tab.label_for(engagement),
            "endpoint": tab.endpoint,
            "url": url_for(tab.endpoint, engagement_id=engagement.id),
        }
        for tab in TABS
        if permissions.allowed(tab.permission, engagement) and _linked(tab.endpoint)
    ]


_SLOT = 918273645  # an id no table reaches, replaced by each row's own


def row_url(endpoint: str, key: str, **values):
    """A URL builder for table rows: `url_for` runs once, each row only fills its id in.

    `{% set edit = row_url('indicators.edit', 'indicator_id', engagement_id=e.id) %}` then
    `{{ edit(leaf.id) }}`; a table of 80 rows with five links each saves 400 route builds.
    """
    head, tail = url_for(endpoint, **values, **{key: _SLOT}).split(str(_SLOT), 1)
    return lambda row_id: f"{head}{int(row_id)}{tail}"


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(dt=_dt, d=_d, money=yuan, dec2=fmt2, pct=_pct)
    app.jinja_env.globals.update(
        allowed=permissions.allowed,
        get_locale=get_locale,
        nav_items=lambda: _items(False),
        admin_items=lambda: _items(True),
        engagement_tabs=_tabs,
        engagement_tab_groups=_grouped_tabs,
        dashboard_panels=lambda: list(PANELS),
        engagement_notices=lambda: list(NOTICES),
        row_url=row_url,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
