"""Signed scores of many engagements at once: the figures the lead signed, none while unsigned."""

from decimal import Decimal

from tests.indicators.permissions import with_sheet
from workbench.core import audit
from workbench.core.timeutil import utcnow
from workbench.indicators.system import ensure_system, get_system
from workbench.scoring import services
from workbench.scoring.signoffs import UNSIGNED


def test_the_figures_of_the_current_sign_off_and_none_for_the_unsigned(db, demo):
    lead = demo.users["demo-lead"]
    signed = with_sheet(db, demo, "签字", confirmed=True)
    unsigned = with_sheet(db, demo, "未签字", confirmed=True)
    # An earlier sign-off (cleared since) recorded other figures: the latest entry counts.
    audit.record(
        db, actor=lead, action="scoring.sign", obj=ensure_system(db, signed),
        engagement_id=signed.id, after={"total": "10.00", "grade": "差", "sum": "10.00"},
    )  # fmt: skip
    services.sign(db, actor=lead, engagement=signed)
    db.flush()
    found = services.signed_scores(db, [signed, unsigned, demo.engagement])
    assert found[unsigned.id] == found[demo.engagement.id] == UNSIGNED
    assert not found[unsigned.id].signed
    mine = found[signed.id]
    assert mine.signed and mine.signed_at == get_system(db, signed).scores_signed_at
    assert (mine.total, mine.grade) == (Decimal("85.01"), "良")
    assert services.signed_scores(db, []) == {}


def test_a_sign_off_without_its_entry_stays_signed_with_no_figure(db, demo):
    engagement = with_sheet(db, demo, "无记录", confirmed=True)
    system = ensure_system(db, engagement)
    system.scores_signed_by_id, system.scores_signed_at = demo.users["demo-lead"].id, utcnow()
    db.add(system)
    db.flush()
    found = services.signed_scores(db, [engagement])[engagement.id]
    assert found.signed and (found.total, found.grade) == (None, None)
