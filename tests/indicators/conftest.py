"""Fixtures shared by the indicator tests."""

import pytest

from tests.indicators.helpers import new_engagement, small_tree, xlsx
from workbench.indicators import transfer


@pytest.fixture()
def tree_engagement(db, demo):
    """A fresh engagement with the three-leaf small tree imported (weights 40 / 30 / 30)."""
    engagement = new_engagement(db, demo)
    transfer.import_sheet(
        db,
        actor=demo.users["demo-lead"],
        engagement=engagement,
        filename="t.xlsx",
        data=xlsx(small_tree()),
    )
    db.flush()
    return engagement
