"""What the tree page reads: undecoded leaf rows, their decoding, and the system with its confirmer."""

import re
from decimal import Decimal
from pathlib import Path

from tests.indicators.helpers import by_name, new_engagement
from workbench.indicators import services
from workbench.indicators.system import get_system_and_confirmer
from workbench.indicators.tree import (
    TreeLeaf,
    check_leaves,
    in_tree_order,
    list_tree_rows,
    tree_leaf,
)

ROWS_TEMPLATE = Path(services.__file__).parent / "templates" / "indicators" / "_tree_rows.html"


def test_a_decoded_row_holds_what_the_entity_holds(db, tree_engagement):
    leaves = by_name(db, tree_engagement)
    leaves["合格率"].survey_link = {"survey_id": 1, "metric": "rate", "item": None, "group": None}
    leaves["满意度"].score = Decimal("12.5")
    leaves["满意度"].position = -1  # position order is not the import order
    db.add_all(leaves.values())
    db.flush()
    db.expire_all()  # the entities as loaded, not as assigned above
    entities = {item.id: item for item in services.list_indicators(db, tree_engagement)}
    decoded = [tree_leaf(row) for row in list_tree_rows(db, tree_engagement)]
    assert [leaf.name for leaf in decoded] == ["满意度", "完成率", "合格率"]
    for leaf in decoded:
        entity = entities[leaf.id]
        for name in TreeLeaf._fields:
            # repr too: Decimal("12.50") and Decimal("12.5") are equal but print differently.
            assert repr(getattr(leaf, name)) == repr(getattr(entity, name)), name
        assert leaf.path == entity.path


def test_the_check_of_decoded_rows_is_the_check_of_the_entities(db, tree_engagement):
    leaves = by_name(db, tree_engagement)
    leaves["完成率"].actual = "不是数字"
    leaves["合格率"].score = Decimal(99)
    leaves["满意度"].not_applicable = True
    db.add_all(leaves.values())
    db.flush()
    decoded = in_tree_order([tree_leaf(row) for row in list_tree_rows(db, tree_engagement)])
    expected = services.check(db, tree_engagement)
    assert len(expected.blockers) == 2 and expected.warnings
    assert check_leaves(decoded) == expected


def test_the_rows_template_reads_only_columns_the_page_reads():
    read = set(re.findall(r"\bleaf\.(\w+)", ROWS_TEMPLATE.read_text(encoding="utf-8")))
    assert read and read <= set(TreeLeaf._fields)


def test_system_and_confirmer_in_one_read(db, demo, tree_engagement):
    lead = demo.users["demo-lead"]
    assert get_system_and_confirmer(db, new_engagement(db, demo, title="空项目")) == (None, None)
    system, confirmer = get_system_and_confirmer(db, tree_engagement)
    assert system is not None and system.confirmed_at is None and confirmer is None
    services.confirm(db, actor=lead, engagement=tree_engagement)
    system, confirmer = get_system_and_confirmer(db, tree_engagement)
    assert system.confirmed_by_id == lead.id and confirmer == lead.display_name
