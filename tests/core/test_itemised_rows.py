"""Reading an itemised list's rows (core/itemised_rows.py), on the document request's item table."""

import pytest

from workbench.core.errors import NotFound
from workbench.core.itemised_rows import item_of, items_by_owner, items_of, last_number
from workbench.fieldwork.request_models import DocumentRequest, RequestItem

BY_REQUEST = {"owner": "request_id", "number": "position"}


@pytest.fixture()
def lists(db, demo):
    """Two requests: the first's items stored out of order (two share position 2), the second empty."""
    first, second = (
        DocumentRequest(engagement_id=demo.engagement.id, title=title) for title in ("甲", "乙")
    )
    db.add_all([first, second])
    db.flush()
    for position, name in [(3, "丙"), (2, "乙一"), (1, "甲"), (2, "乙二")]:
        db.add(RequestItem(request_id=first.id, position=position, name=name))
    db.flush()
    return first, second


def test_each_owners_items_come_by_number_then_as_created(db, lists):
    first, second = lists
    found = items_by_owner(db, RequestItem, owner_ids=[first.id, second.id], **BY_REQUEST)
    assert [i.name for i in found[first.id]] == ["甲", "乙一", "乙二", "丙"]
    assert found[second.id] == []
    assert [i.name for i in items_of(db, RequestItem, owner_id=first.id, **BY_REQUEST)] == [
        "甲",
        "乙一",
        "乙二",
        "丙",
    ]


def test_no_owners_need_no_query(db, count_queries):
    with count_queries() as counted:
        assert items_by_owner(db, RequestItem, owner_ids=[], **BY_REQUEST) == {}
    assert counted.count == 0


def test_the_last_number_is_the_highest_or_zero(db, lists):
    first, second = lists
    assert last_number(db, RequestItem, owner_id=first.id, **BY_REQUEST) == 3
    assert last_number(db, RequestItem, owner_id=second.id, **BY_REQUEST) == 0


def test_an_item_is_found_only_under_its_owner(db, lists):
    first, second = lists
    [item, *_] = items_of(db, RequestItem, owner_id=first.id, **BY_REQUEST)
    assert (
        item_of(db, RequestItem, item.id, owner="request_id", owner_id=first.id, missing="无")
        is item
    )
    with pytest.raises(NotFound, match="资料项不存在"):
        item_of(
            db, RequestItem, item.id, owner="request_id", owner_id=second.id, missing="资料项不存在"
        )
    with pytest.raises(NotFound, match="资料项不存在"):
        item_of(
            db,
            RequestItem,
            2_000_000,
            owner="request_id",
            owner_id=first.id,
            missing="资料项不存在",
        )
