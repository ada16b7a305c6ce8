"""Route × role expectations of the indicator system pages and API (tests/test_permission_matrix)."""

from sqlmodel import select

from tests.permissions_roles import MANAGE, TEAM
from workbench.indicators.models import Indicator

EXPECTED = {
    "indicators.index": TEAM,
    "indicators.create": TEAM,
    "indicators.edit": TEAM,
    "indicators.delete": TEAM,
    "indicators.move": TEAM,
    "indicators.import_sheet": TEAM,
    "indicators.export_sheet": TEAM,
    "indicators.grades": TEAM,
    "indicators.framework": TEAM,
    "indicators.library": TEAM,
    "indicators.add_from_library": TEAM,
    "indicators.propose": TEAM,
    "indicators.confirm": MANAGE,
    "indicators.unconfirm": MANAGE,
    "api.put_indicators_put": TEAM,
    "api.get_scores_get": TEAM,
}


def params(db, demo) -> dict:
    """A leaf of the demo engagement (the demo imports the sample sheet)."""
    first = db.exec(
        select(Indicator)
        .where(Indicator.engagement_id == demo.engagement.id)
        .order_by(Indicator.position)
    ).first()
    return {"indicator_id": first.id}
