"""The commission stage's contract gate: fee and deposit terms recorded."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.finance.records import contract_for


@registry.gate(Stage.commission)
def contract_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """The contract is recorded with its fee, instalments and deposit terms."""
    link = f"/engagements/{engagement.id}/finance/contract"
    contract = contract_for(db, engagement)
    if contract is None:
        return [Blocker("尚未登记委托合同（合同金额、付款安排和质量保证金条款）", link)]
    blockers = []
    if not contract.fee or contract.fee <= 0:
        blockers.append(Blocker("委托合同未填写合同金额", link))
    if not contract.instalments:
        blockers.append(Blocker("委托合同未填写付款安排", link))
    if not contract.bands:
        blockers.append(Blocker("委托合同未填写质量保证金释放规则", link))
    return blockers
