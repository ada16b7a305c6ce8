"""The review chain's rules (pure): who may sign which level, when."""

from workbench.fieldwork.content import content_hash
from workbench.fieldwork.review_rules import Level, Status, return_refusal, sign_refusal, status_for

P, R, A = Level.prepare, Level.review, Level.approve


def refuse(level, status, signers=None, user=1, review=True, approve=True, missing=(), notes=0):
    return sign_refusal(
        level=level,
        status=status,
        signers=signers or {},
        user_id=user,
        may_review=review,
        may_approve=approve,
        missing=missing,
        open_notes=notes,
    )


def test_the_normal_chain():
    assert refuse(P, Status.draft) is None
    assert refuse(R, Status.prepared, {P: 1}, user=2) is None
    assert refuse(A, Status.reviewed, {P: 1, R: 2}, user=3) is None
    assert status_for({P}) == Status.prepared and status_for({P, R, A}) == Status.approved
    assert status_for(set()) == Status.draft


def test_one_person_holds_one_level():
    both = refuse(R, Status.prepared, {P: 1}, user=1)
    assert both.kind == "conflict" and "同一人不能在同一底稿上担任两级签字" in both.message
    assert "编制人" in both.message
    third = refuse(A, Status.reviewed, {P: 1, R: 2}, user=2)
    assert third.kind == "conflict" and "复核人" in third.message


def test_signing_twice_is_refused():
    again = refuse(P, Status.prepared, {P: 1}, user=1)
    assert again.kind == "conflict" and "不能重复签字" in again.message


def test_order_roles_missing_fields_and_open_notes():
    assert refuse(R, Status.draft, user=2).message == "底稿尚未经编制人签字，不能复核"
    assert refuse(A, Status.prepared, {P: 1}, user=3).message == "底稿尚未复核，不能批准"
    assert refuse(R, Status.prepared, {P: 1}, user=2, review=False).kind == "not_allowed"
    assert refuse(A, Status.reviewed, {P: 1, R: 2}, user=3, approve=False).kind == "not_allowed"
    missing = refuse(P, Status.draft, missing=["核查日期"])
    assert missing.kind == "invalid" and "核查日期" in missing.message
    notes = refuse(A, Status.reviewed, {P: 1, R: 2}, user=3, notes=2)
    assert notes.kind == "conflict" and "2 条未解决的复核意见" in notes.message
    assert refuse(P, Status.returned) is None


def test_returning():
    assert return_refusal(status=Status.prepared, may_review=True, reason="补充") is None
    assert return_refusal(status=Status.prepared, may_review=True, reason=" ").kind == "invalid"
    assert return_refusal(status=Status.draft, may_review=True, reason="x").kind == "conflict"
    assert return_refusal(status=Status.approved, may_review=True, reason="x").kind == "conflict"
    assert (
        return_refusal(status=Status.reviewed, may_review=False, reason="x").kind == "not_allowed"
    )


def test_content_hash_is_order_free_and_change_sensitive():
    base = dict(
        title="T",
        template_key="site_visit",
        values={"site": "A"},
        indicator_ids=[2, 1],
        findings=[{"text": "a", "points": "0.5"}, {"text": "b"}],
        evidence=["f" * 64, "e" * 64],
    )
    same = {
        **base,
        "indicator_ids": [1, 2],
        "findings": base["findings"][::-1],
        "evidence": base["evidence"][::-1],
    }
    first = content_hash(**base)
    assert len(first) == 64 and first == content_hash(**same)
    assert first != content_hash(**{**base, "values": {"site": "B"}})
    assert first != content_hash(**{**base, "evidence": ["f" * 64]})
    assert first != content_hash(
        **{**base, "findings": [{"text": "a", "points": "1"}, {"text": "b"}]}
    )
