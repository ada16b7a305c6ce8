"""An engagement's facts (基本信息) and the pre-generation check (报告体检), read-only."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from workbench import db
from workbench.api.blueprint import operation, respond
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.facts import services as facts
from workbench.reports.services import checkups


class FactOut(BaseModel):
    key: str
    label: str
    unit: str
    value: Decimal | None  # 元 for money, percent for rates, a count otherwise
    text: str  # as the documents print it: 1,250万元, 96.00%
    source: str  # entered | paper | derived | engagement | ''
    source_label: str


class FactsOut(BaseModel):
    facts: list[FactOut]


class FindingOut(BaseModel):
    level: str  # error | warning
    area: str
    where: str
    message: str


class CheckOut(BaseModel):
    errors: int
    warnings: int
    fingerprint: str
    acknowledged: bool
    findings: list[FindingOut]


def load(id: int, **_):  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


@operation(
    "/engagements/{id}/facts", "GET", summary="项目基本信息（事实）及来源", response=FactsOut
)
@requires("engagement.internal", load=load)
def list_facts(id: int):  # noqa: A002
    rows = facts.current(db.session(), guarded_object())
    return respond(
        FactsOut(
            facts=[
                FactOut(
                    key=f.key,
                    label=f.label,
                    unit=f.definition.unit,
                    value=f.value,
                    text=f.text,
                    source=f.source,
                    source_label=f.source_label,
                )
                for f in rows
            ]
        )
    )


@operation("/engagements/{id}/report-check", "GET", summary="报告体检结果", response=CheckOut)
@requires("engagement.internal", load=load)
def report_check(id: int):  # noqa: A002
    session = db.session()
    engagement = guarded_object()
    result = checkups.run(session, engagement)
    ack = checkups.acknowledgement(session, engagement, result.fingerprint)
    return respond(
        CheckOut(
            errors=len(result.errors),
            warnings=len(result.warnings),
            fingerprint=result.fingerprint,
            acknowledged=ack is not None,
            findings=[FindingOut(**r) for r in result.as_records()],
        )
    )
