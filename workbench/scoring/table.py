"""The scoring page's table, total and open items, computed once per state of what they read.

A 部门整体 engagement has 300 leaves: scoring them (the leaves as entities, the calculator) and
rendering their rows took 25 ms of a 30 ms page on every visit, while people reopen the page far
more often than anything on it changes. So the result, the rendered rows and the open items are
kept in memory together, keyed on the content they are computed from, read on every visit:
- every column of every leaf (`indicators.leaves_digest`);
- every provider's inputs as given (findings, expert scores, survey figures: `sources.collect`);
- the grade table and whether the system is confirmed;
- the expert scores shown with the names of their experts, and the engagement's experts (whose
  missing scores are open items);
- the archive state, the locale and the URL root.
An edit anywhere (a page, an import, the API, another worker) gives a new key, so nothing has to be
invalidated and nothing stale can be served, as on the indicator page (indicators/tree_rows.py).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import current_app, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlmodel import Session

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker
from workbench.indicators import services as indicators
from workbench.indicators.models import IndicatorSystem
from workbench.indicators.services import grade_table
from workbench.scoring import services, sources
from workbench.scoring.calculator import ScoreResult, rescale_note
from workbench.scoring.models import ExpertScore
from workbench.scoring.params import RULES
from workbench.scoring.rules import DEFAULT_CV_LIMIT
from workbench.scoring.values import format_percent


@dataclass(frozen=True)
class ScoringTable:
    """Shared between requests: read it, never change it."""

    result: ScoreResult
    rows: Markup  # the table body
    pending: tuple[Blocker, ...]  # why the scores cannot be signed yet (sign-off itself aside)
    note: str  # how the total was rescaled, if it was
    digest: str  # what a sign-off of these scores vouches for (signoffs.scores_digest)


# A rendered 300-leaf table is about 400 KB: 32 tables bound the cache near 13 MB a worker.
_cache: LRUCache = LRUCache(maxsize=32)
_lock = threading.Lock()


def _key(
    db: Session,
    engagement: Engagement,
    *,
    inputs: dict,
    system: IndicatorSystem | None,
    panels: dict[int, dict[int, ExpertScore]],
    users: dict[int, User],
) -> tuple:
    content = repr(
        (
            inputs,
            grade_table(system),
            system is not None and system.confirmed_at is not None,
            [(i, [(uid, str(s.score)) for uid, s in panel.items()]) for i, panel in panels.items()],
            sorted((uid, user.display_name) for uid, user in users.items()),
            [m.user_id for m in services.expert_members(engagement)],
        )
    ).encode()
    return (
        str(db.get_bind().engine.url),  # an Engine, or in tests a Connection
        engagement.id,
        engagement.is_archived,
        indicators.leaves_digest(db, engagement),
        hashlib.blake2b(content, digest_size=16).digest(),
        str(get_locale()),
        request.script_root,
    )


def paper_url(engagement_id: int):
    """A function giving a working paper's page, when the fieldwork domain has one."""
    if "fieldwork.paper_show" not in current_app.view_functions:
        return None
    return lambda paper_id: url_for(
        "fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper_id
    )


def scoring_table(
    db: Session,
    engagement: Engagement,
    *,
    system: IndicatorSystem | None,
    panels: dict[int, dict[int, ExpertScore]],
    users: dict[int, User],
) -> ScoringTable:
    """The page's table for the engagement as it stands; `users` holds every expert's name."""
    inputs = sources.collect(db, engagement)
    key = _key(db, engagement, inputs=inputs, system=system, panels=panels, users=users)
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    result, rows = services.compute(db, engagement, system=system, inputs=inputs)
    pending = services.blockers(
        db,
        engagement,
        computed=(result, rows),
        include_signoff=False,
        system=system,
        submitted=panels,
    )
    html = render_template(
        "scoring/_rows.html",
        engagement=engagement,
        tree=indicators.build_tree([row.indicator for row in rows]),
        rows={row.indicator.id: row for row in rows},
        level1={g.path: g for g in result.level1},
        level2={g.path: g for g in result.level2},
        panels=panels,
        users=users,
        rules=RULES,
        paper_url=paper_url(engagement.id),
        cv_limit=format_percent(DEFAULT_CV_LIMIT),
    )
    table = ScoringTable(
        result,
        Markup(html),
        tuple(pending),
        rescale_note(result),
        services.scores_digest(result, rows),
    )
    with _lock:
        _cache[key] = table
    return table


def clear() -> None:
    """Forget every computed table (tests)."""
    with _lock:
        _cache.clear()
