"""Demo: the engagement's facts (money and rates from the 财务核查表, counts entered by the lead)
and the indicators that state them bound to the facts, so every document repeats one set."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.facts import services
from workbench.indicators.services import list_indicators

FROM_PAPER = ("budget", "received", "spent", "availability_rate", "execution_rate")
ENTERED = {"beneficiaries_planned": "52000", "beneficiaries": "50936", "units_covered": "126"}
BINDINGS = {
    "资金到位率": ("budget", "received"),
    "预算执行率": ("", "execution_rate"),
    "受益学生人数": ("beneficiaries_planned", "beneficiaries"),
}


def fill(session: Session, engagement: Engagement, users: dict) -> None:
    """Take the money figures from the D-07 paper, enter the counts, bind the indicators."""
    lead = users["demo-lead"]
    options = services.paper_options(session, engagement)
    finance = next((o for o in options if any(v.fact_key for v in o.values)), None)
    entries = {key: services.FactEntry(text=text) for key, text in ENTERED.items()}
    if finance is not None:
        for value in finance.values:
            if value.fact_key in FROM_PAPER:
                choice = f"paper:{finance.paper_id}:{value.ref}"
                entries[value.fact_key] = services.FactEntry(choice=choice)
    services.save(
        session,
        actor=lead,
        engagement=engagement,
        version=services.sheet_version(session, engagement),
        entries=entries,
    )
    choices = {
        i.id: BINDINGS[i.name] for i in list_indicators(session, engagement) if i.name in BINDINGS
    }
    services.bind(
        session,
        actor=lead,
        engagement=engagement,
        version=services.sheet_version(session, engagement),
        choices=choices,
    )
