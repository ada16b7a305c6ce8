"""Review fixtures: deliverable versions stored as real blobs, a submission at each step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from workbench.core import storage
from workbench.finance import terms as t
from workbench.finance.contracts import ContractInput, create_contract
from workbench.reports.models import DeliverableVersion
from workbench.review import decisions, submissions

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

REPORT_SECTIONS = {
    "overview": {
        "title": "（一）项目概况",
        "html": "<p>项目覆盖全市126所学校。</p><p>资金来源为市级财政。<script>alert(1)</script></p>",
    },
    "problems": {
        "title": "（二）存在的问题及原因分析",
        "html": "<ol><li>（一）资金拨付不及时，部分学校延迟两个月到账</li>"
        "<li>2. 绩效目标设置不够细化量化</li></ol>",
    },
    "suggestions": {"title": "有关建议", "html": "<p>建立资金拨付时限制度。</p>"},
}
PLAN_SECTIONS = {"methods": {"title": "（一）评价方法", "html": "<p>比较法。</p><p>问卷调查。</p>"}}


def make_version(db, engagement, *, kind="report", sections=None, user=None, label="送审稿"):
    """A stored deliverable version (numbered per kind); needs an app context for storage."""
    number = (
        db.exec(
            select(func.max(DeliverableVersion.number)).where(
                DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == kind
            )
        ).one()
        or 0
    ) + 1
    data = f"{engagement.id}-{kind}-{number}-文档内容".encode()
    blob = storage.store(db, data, mime=DOCX)
    version = DeliverableVersion(
        engagement_id=engagement.id,
        kind=kind,
        number=number,
        label=label,
        sha256=blob.sha256,
        filename=f"{kind}-第{number}版.docx",
        mime=DOCX,
        size=len(data),
        stage=engagement.stage,
        generated_by_id=user.id if user else None,
        sections=sections if sections is not None else REPORT_SECTIONS,
    )
    db.add(version)
    db.flush()
    return version


@pytest.fixture()
def people(demo):
    users = demo.users
    return type(
        "People",
        (),
        {
            "lead": users["demo-lead"],
            "evaluator": users["demo-evaluator"],
            "reviewer": users["demo-reviewer"],
            "bureau": users["demo-bureau"],
            "bureau2": users["demo-bureau2"],
            "unit": users["demo-unit"],
            "expert": users["demo-expert"],
            "admin": users["demo-admin"],
        },
    )


@pytest.fixture()
def files(ctx, demo):
    """An app context (stored files need it), pushed before the demo loads, as `workbench demo` does."""


@pytest.fixture()
def engagement(files, db, demo, people):
    """A fresh engagement of the demo agency for the demo bureau, untouched by the demo fills.

    The demo engagement already carries the review demo (a returned plan); these tests start
    clean. The team has signed; the contract matches the demo's (fee 480,000.00, 10% deposit).
    """
    from workbench.engagements import services

    found = services.create(
        db,
        actor=people.lead,
        data=services.EngagementInput(
            title="2025年度城乡居民医疗保险补助资金绩效评价",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=2025,
        ),
    )
    for user, role in [(people.evaluator, "evaluator"), (people.reviewer, "reviewer"),
                       (people.expert, "expert"), (people.unit, "unit")]:  # fmt: skip
        services.add_member(db, actor=people.lead, engagement=found, user_id=user.id, role=role)
    for user in (people.lead, people.evaluator, people.reviewer, people.expert):
        for kind in ("independence", "confidentiality"):
            services.sign_declaration(db, actor=user, engagement=found, kind=kind)
    _contract(db, found, people.lead)
    db.flush()
    return found


def _contract(db, engagement, lead) -> None:
    """The demo's contract terms."""
    create_contract(
        db,
        actor=lead,
        engagement=engagement,
        data=ContractInput(
            number=f"HT-TEST-{engagement.id}",
            signed_on=date(2026, 1, 5),
            fee=Decimal("480000.00"),
            deposit_rate=t.DEFAULT_DEPOSIT_RATE,
            instalments=list(t.DEFAULT_INSTALMENTS),
            bands=list(t.DEFAULT_BANDS),
            release_days=t.DEFAULT_RELEASE_DAYS,
        ),
    )


@pytest.fixture()
def version(engagement, db, people):
    return make_version(db, engagement, user=people.lead)


@pytest.fixture()
def submitted(version, db, engagement, people):
    """The report's final version submitted to the bureau."""
    return submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")


def comment(
    db, engagement, people, submission, body="请补充数据来源", section="overview", paragraph=1
):
    return decisions.add_comment(
        db,
        actor=people.bureau,
        engagement=engagement,
        submission=submission,
        item=decisions.CommentInput(body=body, section=section, paragraph=paragraph),
    )


@pytest.fixture()
def approved(submitted, db, engagement, people):
    """The final report approved by the bureau."""
    return decisions.decide(
        db, actor=people.bureau, engagement=engagement, submission=submitted, decision="approve"
    )
