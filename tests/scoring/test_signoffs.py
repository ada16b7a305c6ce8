"""The score sign-off holds only while the scores are the ones signed (scoring/signoffs.py).

The defect: survey answers collected (or a finding approved, or a linked fact changed) after the
lead signed moved a score without clearing the sign-off, so the scoring page, the gate and the
score sheet's signature line still called figures signed that nobody had signed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from tests.indicators.permissions import with_sheet
from workbench.core.errors import Conflict
from workbench.core.timeutil import utcnow
from workbench.indicators.system import ensure_system, get_system
from workbench.reports.collect_signers import scores_signer
from workbench.scoring import services
from workbench.scoring.signoffs import UNSIGNED
from workbench.surveys.models import Survey, SurveyResponse


def _more_answers(db, engagement, count: int = 40) -> None:
    """Paper questionnaires copying the most satisfied answer: the satisfaction rate moves."""
    survey = db.exec(select(Survey).where(Survey.engagement_id == engagement.id)).one()
    answers = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    best = max(answers, key=lambda r: sum(v for v in r.answers.values() if isinstance(v, int)))
    for n in range(count):
        db.add(SurveyResponse(survey_id=survey.id, source_key=f"signoff-{n}", channel="paper",
                              answers=dict(best.answers), missing=dict(best.missing)))  # fmt: skip
    db.flush()


def _sign_demo(db, demo):
    assert not services.blockers(db, demo.engagement, include_signoff=False)
    services.sign(db, actor=demo.users["demo-lead"], engagement=demo.engagement)
    db.flush()


def test_signing_records_what_was_signed_and_lists_read_it(db, demo):
    lead = demo.users["demo-lead"]
    signed = with_sheet(db, demo, "签字", confirmed=True)
    unsigned = with_sheet(db, demo, "未签字", confirmed=True)
    services.sign(db, actor=lead, engagement=signed)
    db.flush()
    found = services.signed_scores(db, [signed, unsigned])
    assert found[unsigned.id] == UNSIGNED and not found[unsigned.id].signed
    mine = found[signed.id]
    assert mine.signed and mine.signed_at == get_system(db, signed).scores_signed_at
    assert (mine.total, mine.grade) == (Decimal("85.01"), "良")
    assert services.signed_scores(db, []) == {}
    assert services.signoff_state(db, signed).holds


def test_answers_collected_after_signing_make_the_sign_off_stale(db, demo, login):
    e = demo.engagement
    _sign_demo(db, demo)
    before = services.compute(db, e)[0].total
    assert services.signoff_state(db, e).holds and scores_signer(db, e) is not None
    _more_answers(db, e)
    after = services.compute(db, e)[0].total
    assert after != before
    state = services.signoff_state(db, e)
    assert state.signed and state.stale and (state.total, state.grade) == (before, "良")
    # The gate asks for a new signature and says what moved; no document names the signer.
    texts = [b.text for b in services.blockers(db, e)]
    assert f"评分签字后得分已变化（签字时 {before} 分、良，现为 {after} 分、良）" in texts[0]
    assert scores_signer(db, e) is None
    page = login("demo-lead").get(f"/engagements/{e.id}/scoring").get_data(as_text=True)
    assert "alert-warning" in page and "评分签字后得分已变化" in page and "重新签字确认" in page
    # Signing again replaces the stale sign-off.
    services.sign(db, actor=demo.users["demo-lead"], engagement=e)
    db.flush()
    state = services.signoff_state(db, e)
    assert state.holds and state.total == after
    assert not services.blockers(db, e)


def test_a_sign_off_that_still_holds_cannot_be_signed_twice(db, demo):
    _sign_demo(db, demo)
    with pytest.raises(Conflict, match="评分结果已签字确认"):
        services.sign(db, actor=demo.users["demo-lead"], engagement=demo.engagement)


def test_a_sign_off_recorded_without_figures_is_asked_for_again(db, demo):
    engagement = with_sheet(db, demo, "无记录", confirmed=True)
    system = ensure_system(db, engagement)
    system.scores_signed_by_id, system.scores_signed_at = demo.users["demo-lead"].id, utcnow()
    db.add(system)
    db.flush()
    found = services.signed_scores(db, [engagement])[engagement.id]
    assert found.signed and (found.total, found.grade) == (None, None)
    assert services.signoff_state(db, engagement).stale
    (blocker,) = services.blockers(db, engagement)
    assert blocker.text.startswith("评分签字记录早于签字核对功能")
