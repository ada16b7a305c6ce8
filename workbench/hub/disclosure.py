"""Which combined statistics the hub may show: minimum size, complementary suppression (pure).

The groups of one indicator form a tree: all years → a year → year × sector → year × sector ×
region. Engagement counts add up along it (an engagement uses an indicator in one year, sector
and region), so a parent's figures minus its shown children's figures are the figures of its
hidden children taken together. Hiding each group below the minimum is therefore not enough:
with 浙江省 8 engagements shown and 教育 10 shown, 10 − 8 reveals the other 2 (and their score
rates). The rule:

1. a group is shown only if at least `min_group` engagements stand behind it, and its parent is
   shown (a group under a hidden parent could be subtracted through the grandparent);
2. for every shown group, the remainder — its engagements minus those of its shown children — is
   0 or at least `min_group`; while it is not, the smallest shown child
   (ties: the first by name) is hidden too, with everything under it.

Each hidden child's figures then only ever appear summed with its hidden siblings, in a
remainder of at least `min_group` engagements (or none), and no combination of shown groups
isolates fewer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def shown(
    nodes: Iterable[Node],
    *,
    parent: Callable[[Node], Node | None],
    size: Callable[[Node], int],
    min_group: int,
) -> set[Node]:
    """The nodes that may be shown. `parent(node)` is None for a root; `size` its engagements."""
    minimum = max(min_group, 1)
    children: dict[Node | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(parent(node), []).append(node)
    found: set[Node] = set()
    queue = [node for node in children.get(None, []) if size(node) >= minimum]
    found.update(queue)
    while queue:
        node = queue.pop()
        kept = sorted(
            (child for child in children.get(node, []) if size(child) >= minimum),
            key=lambda child: (size(child), repr(child)),
            reverse=True,
        )
        while kept and 0 < size(node) - sum(size(child) for child in kept) < minimum:
            kept.pop()  # the smallest: its engagements join the remainder
        found.update(kept)
        queue.extend(kept)
    return found


def leaks(
    nodes: Iterable[Node],
    *,
    parent: Callable[[Node], Node | None],
    size: Callable[[Node], int],
    min_group: int,
) -> list[tuple[Node, int]]:
    """Shown groups whose remainder (engagements minus their shown children's) is above 0 and
    below the minimum, with that remainder: what subtracting reveals. Empty when the rule holds
    (a shown group below the minimum is its own remainder, so it is listed too)."""
    visible = list(nodes)
    below: dict[Node, int] = {node: 0 for node in visible}
    for node in visible:
        up = parent(node)
        if up is not None and up in below:
            below[up] += size(node)
    return [
        (node, size(node) - below[node])
        for node in visible
        if 0 < size(node) - below[node] < max(min_group, 1)
    ]
