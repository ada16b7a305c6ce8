"""The quality rating: rubric choice, totals, who and when, and the deposit release through finance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.core.timeutil import local
from workbench.finance import services as finance
from workbench.review import rating, rubric_store, rubrics
from workbench.review.models import Notification, QualityRating

FULL = {"team_competence": "13", "team_stability": "12", "communication": "18",
        "report_data": "21.5", "conclusions": "20.5"}  # fmt: skip  # = 85.00


def _rate(db, engagement, people, **kwargs):
    kwargs.setdefault("scores", FULL)
    return rating.record(db, actor=people.bureau, engagement=engagement, **kwargs)


def _ratings(db, engagement) -> int:
    return db.exec(
        select(func.count())
        .select_from(QualityRating)
        .where(QualityRating.engagement_id == engagement.id)
    ).one()


def test_rating_waits_for_the_approved_final_report(engagement, submitted, db, demo, people):
    with pytest.raises(Conflict, match="正式评价报告经委托方审核通过后"):
        _rate(db, engagement, people)
    assert _ratings(db, engagement) == 0


def test_bureau_rates_and_finance_computes_the_release(engagement, approved, db, demo, people):
    row = _rate(db, engagement, people, comment="整体较好")
    assert row.total == Decimal("85.00") and row.rubric_ref == rubrics.STANDARD_KEY
    assert row.rated_by_id == people.bureau.id and row.rated_at is not None
    assert row.scores["report_data"] == "21.50"
    # The demo contract: fee 480,000.00, deposit 10% = 48,000.00; 85 → 80% released.
    contract = finance.contract_for(db, engagement)
    assert contract.quality_score == Decimal("85.00")
    assert row.deposit["computed"] is True
    assert row.deposit["amount"] == "38400.00" and row.deposit["fraction"] == "80%"
    lead_note = db.exec(
        select(Notification).where(
            Notification.user_id == people.lead.id,
            Notification.engagement_id == engagement.id,
            Notification.kind == "review.rated",
        )
    ).one()
    assert "85.00 分" in lead_note.title and "38400.00" in lead_note.body


def test_the_release_follows_the_bands(engagement, approved, db, demo, people):
    """75 is in the default 60–80 band (50% released); the deposit is 10% of 480,000.00."""
    scores = {**FULL, "report_data": "16", "conclusions": "16"}  # 13+12+18+16+16 = 75
    row = _rate(db, engagement, people, scores=scores)
    assert row.total == Decimal("75.00")
    assert row.deposit == {
        "computed": True, "score": "75.00", "fraction": "50%", "deposit": "48000.00",
        "amount": "24000.00", "forfeited": "24000.00", "status": "due",
        "due_date": (local(row.rated_at).date() + timedelta(days=30)).isoformat(),
    }  # fmt: skip
    contract = finance.contract_for(db, engagement)
    assert contract.quality_score == Decimal("75.00")


def test_without_a_contract_the_rating_is_still_recorded(engagement, approved, db, demo, people):
    db.delete(finance.contract_for(db, engagement))
    db.flush()
    row = _rate(db, engagement, people)
    assert row.total == Decimal("85.00")
    assert row.deposit == {
        "computed": False, "reason": "本项目尚未登记委托合同，未计算质量保证金释放",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({**FULL, "conclusions": "26"}, "score_conclusions"),
        ({**FULL, "team_stability": ""}, "score_team_stability"),
        ({**FULL, "x": "1"}, "scores"),
    ],
)
def test_bad_scores_store_nothing(engagement, approved, db, demo, people, scores, field):
    with pytest.raises(ValidationFailed) as caught:
        _rate(db, engagement, people, scores=scores)
    assert caught.value.details[0]["field"] == field
    assert _ratings(db, engagement) == 0


def test_only_the_commissioning_bureau_rates(engagement, approved, db, demo, people):
    for user in (people.lead, people.bureau2, people.admin):
        with pytest.raises(NotAllowed):
            rating.record(db, actor=user, engagement=engagement, scores=FULL)
    with pytest.raises(ValidationFailed, match="考核表无效"):
        _rate(db, engagement, people, rubric_ref="db:999")


def test_deduction_rubric_and_rerating(engagement, approved, db, demo, people):
    first = _rate(db, engagement, people)
    second = _rate(
        db,
        engagement,
        people,
        rubric_ref=rubrics.DEDUCTION_KEY,
        scores={},
        counts={"cover_element": "1", "calculation_error": "2"},
    )
    assert second.id == first.id and _ratings(db, engagement) == 1
    assert second.total == Decimal("99.00") and second.deducted == Decimal("1.00")
    assert second.rubric_name == "报告差错扣分表（默认）"


def test_firm_and_bureau_rubrics_replace_the_builtins(engagement, db, demo, people):
    engagement = engagement
    assert [c.ref for c in rubric_store.choices_for(db, engagement)] == list(rubrics.BUILTINS)
    firm = rubric_store.create(
        db, actor=people.admin, name="本所考核表", text="items:\n  - {name: 总体, max: 100}\n"
    )
    assert [c.ref for c in rubric_store.choices_for(db, engagement)] == [f"db:{firm.id}"]
    own = rubric_store.create(
        db,
        actor=people.admin,
        name="市财政局考核表",
        text="base: 100\ndeductions:\n  - {name: 错字, points: 0.2}\n",
        bureau_id=engagement.bureau_id,
    )
    choices = rubric_store.choices_for(db, engagement)
    assert [(c.ref, c.scope) for c in choices] == [(f"db:{own.id}", "委托方专用")]


def test_rubric_edits_do_not_change_past_ratings(engagement, approved, db, demo, people):
    row = rubric_store.create(
        db,
        actor=people.admin,
        name="本所考核表",
        text="items:\n  - {key: all, name: 总体, max: 100}\n",
    )
    rated = _rate(db, engagement, people, rubric_ref=f"db:{row.id}", scores={"all": "91"})
    rubric_store.update(
        db,
        actor=people.admin,
        row=row,
        name="本所考核表（新）",
        text="items:\n  - {key: a, name: 甲, max: 50}\n  - {key: b, name: 乙, max: 50}\n",
        bureau_id=None,
        version=row.version,
    )
    assert rating.rubric_of(rated).items[0].name == "总体"
    assert rated.total == Decimal("91.00")
    with pytest.raises(Conflict, match="已被他人修改"):
        rubric_store.update(
            db, actor=people.admin, row=row, name="x", text="", bureau_id=None, version=1
        )


def test_rubric_admin_validation(engagement, db, demo, people):
    with pytest.raises(NotAllowed):
        rubric_store.create(db, actor=people.lead, name="x", text="items: []")
    with pytest.raises(ValidationFailed) as caught:
        rubric_store.create(
            db,
            actor=people.admin,
            name="x",
            text="items:\n  - {name: 甲, max: 90}\n",
            bureau_id=engagement.unit_id,
        )
    messages = [d["message"] for d in caught.value.details]
    assert any("满分须为 100 分" in m for m in messages) and "适用委托方无效" in messages
