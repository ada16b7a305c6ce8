"""The rows of the indicator tree page, rendered once per state of the tree and kept in memory.

An 80-leaf tree is some 5,000 template outputs, half the page's cost, and people reopen the tree far
more often than they change it. The key is the content itself: every field the rows show, with each
leaf's version (the delete button carries it), the engagement, whether the rows are editable, the
archive state and the locale. An edit anywhere (the page, an import, the API, another worker) gives a
new key, so nothing has to be invalidated and a stale row cannot be served.
"""

from __future__ import annotations

import hashlib
import threading

from cachetools import LRUCache
from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from workbench.indicators.tree import Level1Node

# Every attribute of a leaf that _tree_rows.html reads (keep the two in step).
SHOWN = (
    "id",
    "position",
    "level1",
    "level2",
    "name",
    "weight",
    "rule",
    "params",
    "target",
    "standard_type",
    "definition",
    "standard",
    "not_applicable",
    "na_reason",
    "library_indicator_id",
    "survey_link",
    "version",
)

# A rendered 80-leaf table is about 100 KB: 64 trees bound the cache near 6 MB a worker.
_cache: LRUCache = LRUCache(maxsize=64)
_lock = threading.Lock()


def cache_key(
    *, engagement_id: int, tree: list[Level1Node], editable: bool, archived: bool
) -> tuple:
    """What the rows depend on: the leaves' shown fields in tree order, the flags and the locale."""
    content = repr(
        [
            tuple(getattr(leaf, name) for name in SHOWN)
            for top in tree
            for group in top.children
            for leaf in group.leaves
        ]
    )
    digest = hashlib.blake2b(content.encode(), digest_size=16).digest()
    return (engagement_id, editable, archived, str(get_locale()), request.script_root, digest)


def rows_html(
    *, engagement_id: int, tree: list[Level1Node], editable: bool, archived: bool, rules: dict
) -> Markup:
    """The table body for `tree`, from the cache when the same tree was rendered before."""
    key = cache_key(engagement_id=engagement_id, tree=tree, editable=editable, archived=archived)
    with _lock:
        html = _cache.get(key)
    if html is None:
        html = Markup(
            render_template(
                "indicators/_tree_rows.html",
                engagement_id=engagement_id,
                tree=tree,
                editable=editable,
                archived=archived,
                rules=rules,
            )
        )
        with _lock:
            _cache[key] = html
    return html


def clear() -> None:
    """Forget every rendered table (tests)."""
    with _lock:
        _cache.clear()
