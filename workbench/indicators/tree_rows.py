"""What the indicator tree page derives from the leaves, computed once per state of the tree.

An 80-leaf tree is some 5,000 template outputs, half the page's cost, plus a validation of every leaf,
and people reopen the tree far more often than they change it. So the rendered rows, the check
(blockers and warnings), the leaf count and the weight total are kept in memory together. The key is
the content itself: the leaves' rows as read (`list_tree_rows`: every shown field, the version the
delete button carries, the actual value and score the check reads), the engagement, whether the rows
are editable, the archive state and the locale. An edit anywhere (the page, an import, the API,
another worker) gives a new key, so nothing has to be invalidated and nothing stale can be served.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from decimal import Decimal

from cachetools import LRUCache
from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from workbench.indicators.tree import build_tree, check_leaves, tree_leaf
from workbench.scoring.validation import SystemCheck


@dataclass(frozen=True)
class TreeView:
    """The leaves' part of the tree page. Shared between requests: read it, never change it."""

    rows: Markup
    check: SystemCheck
    count: int
    total: Decimal | int  # int 0 for an empty tree, as the template's sum used to give


# A rendered 80-leaf table is about 100 KB: 64 trees bound the cache near 6 MB a worker.
_cache: LRUCache = LRUCache(maxsize=64)
_lock = threading.Lock()


def cache_key(*, engagement_id: int, rows: list[tuple], editable: bool, archived: bool) -> tuple:
    """What the view depends on: the leaves' rows in order, the flags, the locale."""
    # Plain tuples: their repr is all C, a result row's costs Python calls. The text is unambiguous
    # (strings are quoted and escaped), so equal text means equal rows.
    content = repr(list(map(tuple, rows)))
    digest = hashlib.blake2b(content.encode(), digest_size=16).digest()
    return (engagement_id, editable, archived, str(get_locale()), request.script_root, digest)


def tree_view(
    *, engagement_id: int, rows: list[tuple], editable: bool, archived: bool, rules: dict
) -> TreeView:
    """Rows, check, count and total of the `list_tree_rows` rows, cached per state of the tree."""
    key = cache_key(engagement_id=engagement_id, rows=rows, editable=editable, archived=archived)
    with _lock:
        view = _cache.get(key)
    if view is None:
        tree = build_tree([tree_leaf(row) for row in rows])
        html = render_template(
            "indicators/_tree_rows.html",
            engagement_id=engagement_id,
            tree=tree,
            editable=editable,
            archived=archived,
            rules=rules,
        )
        in_order = [leaf for top in tree for group in top.children for leaf in group.leaves]
        view = TreeView(
            rows=Markup(html),
            check=check_leaves(in_order),
            count=len(rows),
            total=sum(top.weight for top in tree),
        )
        with _lock:
            _cache[key] = view
    return view


def clear() -> None:
    """Forget every computed view (tests)."""
    with _lock:
        _cache.clear()
