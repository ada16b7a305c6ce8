"""Findings feed the scores: deductions and judged 评价要点, only from papers at least prepared."""

from decimal import Decimal

import pytest
from sqlmodel import func, select

from tests.fieldwork.helpers import SITE_VALUES, indicators, paper
from workbench.core.errors import ValidationFailed
from workbench.fieldwork import evidence, findings, review
from workbench.fieldwork.findings import FindingInput
from workbench.fieldwork.models import Finding
from workbench.fieldwork.sources import paper_findings
from workbench.indicators.services import to_leaf
from workbench.scoring.calculator import score_leaf
from workbench.scoring.sources import PROVIDERS, collect


def scoring_paper(db, demo, *names, **kw):
    leaves = indicators(db, demo.engagement)
    return paper(
        db,
        demo,
        "indicator_scoring",
        indicator_ids=[leaves[n].id for n in names],
        values={"judgement": "见发现", "score": "3"},
        **kw,
    ), leaves


def add(db, demo, created, confirm_clear=False, **data):
    return findings.add_finding(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        data=FindingInput(**data),
        confirm_clear=confirm_clear,
    )


def sign(db, demo, created, *levels):
    who = {"prepare": "demo-evaluator", "review": "demo-reviewer", "approve": "demo-lead"}
    for level in levels:
        review.sign(
            db, actor=demo.users[who[level]], engagement=demo.engagement, paper=created, level=level
        )


def fresh(db, demo):
    """A clean slate: drop the demo's own findings so only this test's count."""
    from workbench.fieldwork.models import FindingEvidence

    for link in db.exec(select(FindingEvidence)).all():
        db.delete(link)
    for row in db.exec(select(Finding)).all():
        db.delete(row)
    db.flush()


def test_the_provider_is_registered():
    assert paper_findings in PROVIDERS


def test_deductions_flow_from_counted_papers_only(db, demo, app):
    fresh(db, demo)
    created, leaves = scoring_paper(db, demo, "资金使用合规性")
    target = leaves["资金使用合规性"]
    add(
        db,
        demo,
        created,
        text="账目未分开核算",
        kind="deduction",
        indicator_id=target.id,
        points=Decimal("0.5"),
    )
    add(
        db,
        demo,
        created,
        text="列支劳务费",
        kind="deduction",
        indicator_id=target.id,
        points=Decimal("1"),
        money=Decimal("32000"),
    )
    assert paper_findings(db, demo.engagement) == {}  # a draft does not move a score
    sign(db, demo, created, "prepare")
    out = paper_findings(db, demo.engagement)[target.id]
    assert out.deductions == (Decimal("0.50"), Decimal("1.00"))
    assert [(f["text"], f["paper_index"], f["paper_id"], f["amount"]) for f in out.findings] == [
        ("账目未分开核算", created.index_no, created.id, Decimal("0.50")),
        ("列支劳务费", created.index_no, created.id, Decimal("1.00")),
    ]
    assert out.findings[1]["money"] == Decimal("32000.00")
    result = score_leaf(to_leaf(target, collect(db, demo.engagement).get(target.id)))
    assert result.score == Decimal("3.50") and "5 − 0.5 − 1" in result.explanation
    review.return_paper(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, paper=created, reason="重核"
    )
    assert target.id not in paper_findings(db, demo.engagement)  # returned: no longer counted


def test_judged_elements_replace_met_and_keep_shares(db, demo):
    fresh(db, demo)
    created, leaves = scoring_paper(db, demo, "立项依据充分性")
    target = leaves["立项依据充分性"]  # 1/4:1;1/4:1;1/4:1;1/4:0.5, weight 3
    add(
        db,
        demo,
        created,
        text="缺少可行性研究",
        kind="element",
        indicator_id=target.id,
        element_index=2,
        met=Decimal("0.5"),
    )
    add(
        db,
        demo,
        created,
        text="调研报告过简",
        kind="element",
        indicator_id=target.id,
        element_index=2,
        met=Decimal("0.8"),
    )
    sign(db, demo, created, "prepare")
    out = paper_findings(db, demo.engagement)[target.id]
    quarter = Decimal(1) / 4
    shares = [s for s, _ in out.elements]
    assert all(abs(s - quarter) < Decimal("1e-9") for s in shares)
    assert [m for _, m in out.elements] == [
        Decimal(1),
        Decimal("0.5"),
        Decimal(1),
        Decimal("0.5"),
    ]
    assert [f["amount"] for f in out.findings] == [Decimal("0.38"), Decimal("0.15")]
    result = score_leaf(to_leaf(target, out))
    assert result.score == Decimal("2.25")


def test_finding_validation_names_each_problem_and_stores_nothing(db, demo):
    fresh(db, demo)
    created, leaves = scoring_paper(db, demo, "资金使用合规性", "立项依据充分性")
    before = db.exec(select(func.count()).select_from(Finding)).one()
    cases = [
        ({"text": ""}, "请填写发现的问题"),
        ({"text": "x", "kind": "deduction"}, "须选择对应的指标"),
        (
            {
                "text": "x",
                "kind": "deduction",
                "indicator_id": leaves["资金使用合规性"].id,
                "points": Decimal(9),
            },
            "超过该指标的分值",
        ),
        (
            {
                "text": "x",
                "kind": "deduction",
                "indicator_id": leaves["立项依据充分性"].id,
                "points": Decimal(1),
            },
            "不按“扣分”规则计分",
        ),
        (
            {
                "text": "x",
                "kind": "element",
                "indicator_id": leaves["立项依据充分性"].id,
                "element_index": 5,
                "met": Decimal(1),
            },
            "应在 1 到 4 之间",
        ),
        (
            {
                "text": "x",
                "kind": "element",
                "indicator_id": leaves["立项依据充分性"].id,
                "element_index": 1,
                "met": Decimal("1.5"),
            },
            "达成度应在 0 到 1 之间",
        ),
        ({"text": "x", "indicator_id": leaves["学生满意度"].id}, "不在本底稿涉及的指标中"),
        ({"text": "x", "money": Decimal(-1)}, "不能为负数"),
        ({"text": "x", "evidence_ids": [999999]}, "不属于本底稿"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationFailed) as caught:
            add(db, demo, created, **data)
        assert any(message in d["message"] for d in caught.value.details), (
            data,
            caught.value.details,
        )
    assert db.exec(select(func.count()).select_from(Finding)).one() == before


def test_a_finding_rests_on_evidence_and_changes_the_hash(db, demo, app):
    fresh(db, demo)
    created = paper(db, demo, values=dict(SITE_VALUES))
    with app.test_request_context():
        [photo] = evidence.upload(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            files=[("现场.pdf", b"%PDF-1.4 site")],
            max_mb=5,
        )
    sign(db, demo, created, "prepare", "review")
    signed_hash = review.current_hash(db, created)
    finding = add(db, demo, created, True, text="台账缺失", evidence_ids=[photo.id])
    assert [e.name for _f, ev in findings.findings_of(db, created.id) for e in ev] == ["现场.pdf"]
    assert review.current_hash(db, created) != signed_hash
    assert created.status == "prepared" and created.edited_after_review  # the review was cleared
    findings.delete_finding(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        finding_id=finding.id,
    )
    assert review.current_hash(db, created) == signed_hash
