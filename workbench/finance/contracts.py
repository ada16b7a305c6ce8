"""The firm's default terms and the engagement contract (委托合同)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import today_local, utcnow
from workbench.engagements.models import Engagement
from workbench.finance import terms as t
from workbench.finance.models import Contract, FinanceSettings
from workbench.finance.records import (
    active_entries,
    consistency,
    contract_for,
    locked_contract,
    require_manager,
)

CONTRACT_FIELDS = [
    "number",
    "signed_on",
    "fee",
    "deposit_rate",
    "instalments",
    "bands",
    "release_days",
    "note",
]
MAX_FEE = Decimal("1000000000000")


# --- firm settings ----------------------------------------------------------------------------


def settings_row(db: Session, *, agency_id: int) -> FinanceSettings | None:
    return db.exec(select(FinanceSettings).where(FinanceSettings.agency_id == agency_id)).first()


def firm_terms(db: Session, *, agency_id: int) -> t.Terms:
    """The agency's default terms (the code defaults until an admin saves others)."""
    row = settings_row(db, agency_id=agency_id)
    return row.terms if row is not None else t.default_terms()


def update_settings(
    db: Session, *, actor: User, terms: t.Terms, version: int | None
) -> FinanceSettings:
    """An admin saves the firm's default terms; a stale version is refused."""
    authorize(actor, "admin", message="只有机构管理员可以修改费用与保证金默认规则")
    row = settings_row(db, agency_id=actor.org_id)
    if row is not None:
        require_version(version, row.version, stale="默认规则已被他人修改，请刷新后重试")
    errors = t.terms_problems(terms)
    if errors:
        raise ValidationFailed("默认规则有误", details=errors)
    before = dict(row.data) if row is not None else None
    if row is None:
        row = FinanceSettings(agency_id=actor.org_id)
    row.data = t.terms_to_json(terms)
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finance.settings",
        obj=row,
        before=before,
        after=row.data,
        summary="修改费用与质量保证金默认规则",
    )
    return row


# --- contract ---------------------------------------------------------------------------------


@dataclass
class ContractInput:
    number: str
    signed_on: date | None
    fee: Decimal | None
    deposit_rate: Decimal | None
    instalments: list[t.Instalment] = field(default_factory=list)
    bands: list[t.Band] = field(default_factory=list)
    release_days: int | None = t.DEFAULT_RELEASE_DAYS
    note: str = ""

    @property
    def terms(self) -> t.Terms:
        return t.Terms(
            instalments=self.instalments,
            deposit_rate=self.deposit_rate,  # type: ignore[arg-type]  # checked by rate_problems
            bands=self.bands,
            release_days=self.release_days,  # type: ignore[arg-type]
        )


def default_input(db: Session, engagement: Engagement) -> ContractInput:
    """A new contract's form, filled from the agency's default terms."""
    terms = firm_terms(db, agency_id=engagement.agency_id)
    return ContractInput(
        number="",
        signed_on=today_local(),
        fee=None,
        deposit_rate=terms.deposit_rate,
        instalments=list(terms.instalments),
        bands=list(terms.bands),
        release_days=terms.release_days,
    )


def contract_input(contract: Contract) -> ContractInput:
    """The contract as form input (the edit form starts from it)."""
    terms = contract.terms
    return ContractInput(
        number=contract.number,
        signed_on=contract.signed_on,
        fee=contract.fee,
        deposit_rate=contract.deposit_rate,
        instalments=list(terms.instalments),
        bands=list(terms.bands),
        release_days=contract.release_days,
        note=contract.note,
    )


def _problems(data: ContractInput) -> list[dict]:
    errors = []
    if not data.number or not data.number.strip():
        errors.append({"field": "number", "message": "请填写合同编号"})
    elif len(data.number.strip()) > 60:
        errors.append({"field": "number", "message": "合同编号不能超过 60 个字符"})
    if data.signed_on is None:
        errors.append({"field": "signed_on", "message": "请填写合同签订日期"})
    if data.fee is None or not data.fee.is_finite() or data.fee <= 0:
        errors.append({"field": "fee", "message": "合同金额须大于 0"})
    elif t.places(data.fee) > 2 or data.fee >= MAX_FEE:
        errors.append({"field": "fee", "message": "合同金额最多保留两位小数，且须小于一万亿元"})
    return errors + t.terms_problems(data.terms)


def _apply(contract: Contract, data: ContractInput) -> None:
    contract.number = data.number.strip()
    contract.signed_on = data.signed_on
    contract.fee = t.q2(data.fee)
    contract.deposit_rate = t.q2(data.deposit_rate)
    contract.instalments = t.instalments_to_json(data.instalments)
    contract.bands = t.bands_to_json(data.bands)
    contract.release_days = int(data.release_days)
    contract.note = (data.note or "").strip()[:2000]


def _deposit_terms_changed(contract: Contract, data: ContractInput) -> bool:
    return (
        t.q2(data.fee) != contract.fee
        or data.deposit_rate != contract.deposit_rate
        or list(data.bands) != contract.terms.bands
        or data.release_days != contract.release_days
    )


def create_contract(
    db: Session, *, actor: User, engagement: Engagement, data: ContractInput
) -> Contract:
    """Record the engagement's contract (one per engagement)."""
    require_manager(db, engagement, actor)
    if contract_for(db, engagement) is not None:
        raise Conflict("本项目已登记委托合同，请直接修改")
    errors = _problems(data)
    if errors:
        raise ValidationFailed("合同信息有误", details=errors)
    contract = Contract(engagement_id=engagement.id, created_by_id=actor.id)
    _apply(contract, data)
    db.add(contract)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finance.contract.create",
        obj=contract,
        engagement_id=engagement.id,
        after=audit.snapshot(contract, CONTRACT_FIELDS),
        summary=f"合同 {contract.number}，金额 {contract.fee:,.2f} 元",
    )
    return contract


def update_contract(
    db: Session, *, actor: User, engagement: Engagement, data: ContractInput, version: int
) -> Contract:
    """Edit the contract; the ledger must stay consistent and rated deposit terms stay fixed."""
    require_manager(db, engagement, actor)
    contract = locked_contract(db, engagement)
    if contract is None:
        raise NotFound("本项目尚未登记委托合同")
    require_version(version, contract.version, stale="合同已被他人修改，请刷新后重试")
    errors = _problems(data)
    if errors:
        raise ValidationFailed("合同信息有误", details=errors)
    if contract.rated and _deposit_terms_changed(contract, data):
        raise Conflict("已完成质量考核，合同金额、保证金比例、释放规则和期限不能再修改")
    probe = Contract(**contract.model_dump(exclude={"id"}))
    _apply(probe, data)
    problems = consistency(probe, active_entries(db, engagement))
    if problems:
        raise ValidationFailed("修改后的合同与已登记的收付款不一致", details=problems)
    before = audit.snapshot(contract, CONTRACT_FIELDS)
    _apply(contract, data)
    contract.updated_at = utcnow()
    db.add(contract)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finance.contract.update",
        obj=contract,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(contract, CONTRACT_FIELDS),
        summary=f"合同 {contract.number}",
    )
    return contract
