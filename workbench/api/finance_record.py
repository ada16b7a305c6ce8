"""The engagement's contract and money through the API: 委托合同, 分期付款, 开票, 收款, 保证金.

The same services as the 费用与保证金 pages (workbench/finance/services.py), so every rule, refusal
and audit entry is theirs: the contract is recorded once and then edited with its version, and
locked with the rest of the evaluation after the archive; invoices, receipts and the deposit's
entries stay open after it (the deposit falls due after the bureau's acceptance). Entries are
never deleted: a mistaken one is voided with a reason, as on the ledger page.
"""

from __future__ import annotations

import dataclasses

from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.api.finance_schemas import (
    ContractIn,
    ContractInstalmentOut,
    ContractOut,
    ContractPatch,
    DepositReleaseIn,
    DepositWithholdingIn,
    InstalmentProgressList,
    InstalmentProgressOut,
    LedgerEntryIn,
    LedgerEntryOut,
    LedgerEntryPage,
    LedgerVoidIn,
    ReleaseBandOut,
    _Terms,
)
from workbench.api.versions import require_current, tagged
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.models import Engagement
from workbench.finance import services
from workbench.finance import terms as t
from workbench.finance.ledger import EntryKind
from workbench.finance.models import Contract, LedgerEntry

DEPOSIT_KINDS = (EntryKind.withheld, EntryKind.released, EntryKind.forfeited)
NO_CONTRACT = "本项目尚未登记委托合同"
LIST = "（新的在前；分页：limit, cursor；作废的记录也列出，voided 为 true）"


def _contract_out(contract: Contract) -> ContractOut:
    terms = contract.terms
    return ContractOut(
        **contract.model_dump(exclude={"instalments", "bands"}),
        deposit=contract.deposit,
        instalments=[
            ContractInstalmentOut(
                event=i.event,
                event_name=t.EVENT_NAMES.get(i.event, i.event),
                percent=i.percent,
                amount=amount,
            )
            for i, amount in zip(terms.instalments, contract.instalment_amounts(), strict=True)
        ],
        bands=[ReleaseBandOut(min_score=b.min_score, fraction=b.fraction) for b in terms.bands],
        release_fraction=contract.release_fraction,
        release_amount=contract.release_amount,
        release_due=contract.release_due,
    )


def _entry_out(entry: LedgerEntry) -> LedgerEntryOut:
    return LedgerEntryOut(
        **entry.model_dump(include=set(LedgerEntryOut.model_fields) - {"kind_name", "voided"}),
        kind_name=entry.kind_name,
        voided=entry.voided,
    )


def _entries(engagement: Engagement, kinds: tuple[EntryKind, ...]) -> LedgerEntryPage:
    stmt = select(LedgerEntry).where(
        LedgerEntry.engagement_id == engagement.id, col(LedgerEntry.kind).in_(kinds)
    )
    rows, next_cursor = cursor.page(db.session(), stmt, LedgerEntry.id)
    return LedgerEntryPage(items=[_entry_out(e) for e in rows], next_cursor=next_cursor)


def _contract_input(base: services.ContractInput, body: _Terms) -> services.ContractInput:
    """`base` with what the body gives (a null in a new contract's terms keeps the default)."""
    given = {name: getattr(body, name) for name in body.model_fields_set}
    changes = {name: value for name, value in given.items() if value is not None}
    if "instalments" in changes:
        changes["instalments"] = [t.Instalment(i.event, i.percent) for i in changes["instalments"]]
    if "bands" in changes:
        changes["bands"] = [t.Band(b.min_score, b.fraction) for b in changes["bands"]]
    return dataclasses.replace(base, **changes)


def _add(kind: EntryKind, body: LedgerEntryIn | DepositWithholdingIn):
    entry = services.add_entry(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        kind=kind,
        amount=body.amount,
        entry_date=body.entry_date,
        instalment=getattr(body, "instalment", None),
        note=body.note,
    )
    return respond(_entry_out(entry), 201)


# --- the contract -----------------------------------------------------------------------------


@operation(
    "/engagements/{id}/contract",
    "GET",
    summary="委托合同：编号、签订日期、金额、付款安排、保证金比例与释放规则、质量考核结果；"
    "响应头 ETag 供修改时作 If-Match；尚未登记时 404",
    response=ContractOut,
    tag="finance",
)
@requires("finance.view", load=load)
def get_contract(id: int):  # noqa: A002
    contract = services.contract_for(db.session(), guarded_object())
    if contract is None:
        raise NotFound(NO_CONTRACT)
    return tagged(respond(_contract_out(contract)), contract.version)


@operation(
    "/engagements/{id}/contract",
    "POST",
    summary="登记委托合同 {number, signed_on, fee, deposit_rate, instalments: [{event, percent}], "
    "bands: [{min_score, fraction}], release_days, note}：未给的条款取本机构默认规则；各期比例"
    "合计须为 100%，保证金一期须等于保证金比例；项目负责人或机构管理员；已登记时 409，已归档时 409",
    body=ContractIn,
    response=ContractOut,
    status=201,
    tag="finance",
)
@requires("finance.manage", load=load)
def record_contract(id: int):  # noqa: A002
    body = parse_body(ContractIn)
    engagement = guarded_object()
    session = db.session()
    data = _contract_input(services.default_input(session, engagement), body)
    contract = services.create_contract(
        session, actor=current_user, engagement=engagement, data=data
    )
    return respond(_contract_out(contract), 201)


@operation(
    "/engagements/{id}/contract",
    "PATCH",
    summary="修改委托合同（只改所给字段，字段同登记）：须带 If-Match（GET 合同的 ETag），已被他人"
    "修改时 412；修改后须与已登记的收付款一致（否则 422）；质量考核后金额、保证金比例、释放规则和"
    "期限不能再改（409）；已归档时 409",
    body=ContractPatch,
    response=ContractOut,
    tag="finance",
    versioned=True,
)
@requires("finance.manage", load=load)
def edit_contract(id: int):  # noqa: A002
    # The body first: a request that is no update at all is 422 whatever its If-Match says.
    body = parse_body(ContractPatch)
    engagement = guarded_object()
    session = db.session()
    contract = services.contract_for(session, engagement)
    if contract is None:
        raise NotFound(NO_CONTRACT)
    version = require_current(contract.version)
    contract = services.update_contract(
        session,
        actor=current_user,
        engagement=engagement,
        data=_contract_input(services.contract_input(contract), body),
        version=version,
    )
    return tagged(respond(_contract_out(contract)), contract.version)


@operation(
    "/engagements/{id}/instalments",
    "GET",
    summary="分期付款：合同约定的各期（index 从 0 起）、金额、已开票、已收款、是否已到付款节点；"
    "分期随合同修改，尚未登记合同时为空",
    response=InstalmentProgressList,
    tag="finance",
)
@requires("finance.view", load=load)
def list_instalments(id: int):  # noqa: A002
    summary = services.summary(db.session(), guarded_object())
    rows = [InstalmentProgressOut(**dataclasses.asdict(r)) for r in summary.instalments]
    return respond(InstalmentProgressList(items=rows))


# --- invoices and receipts --------------------------------------------------------------------


@operation(
    "/engagements/{id}/invoices",
    "GET",
    summary=f"开票记录{LIST}",
    response=LedgerEntryPage,
    tag="finance",
)
@requires("finance.view", load=load)
def list_invoices(id: int):  # noqa: A002
    return respond(_entries(guarded_object(), (EntryKind.invoiced,)))


@operation(
    "/engagements/{id}/invoices",
    "POST",
    summary="登记开票 {amount, entry_date, instalment, note}：金额大于 0、最多两位小数，累计不超过"
    "合同约定（422）；未登记合同时 409；归档后仍可登记",
    body=LedgerEntryIn,
    response=LedgerEntryOut,
    status=201,
    tag="finance",
)
@requires("finance.manage", load=load)
def record_invoice(id: int):  # noqa: A002
    return _add(EntryKind.invoiced, parse_body(LedgerEntryIn))


@operation(
    "/engagements/{id}/receipts",
    "GET",
    summary=f"收款记录{LIST}",
    response=LedgerEntryPage,
    tag="finance",
)
@requires("finance.view", load=load)
def list_receipts(id: int):  # noqa: A002
    return respond(_entries(guarded_object(), (EntryKind.received,)))


@operation(
    "/engagements/{id}/receipts",
    "POST",
    summary="登记收款 {amount, entry_date, instalment, note}：金额大于 0、最多两位小数，不超过已开票"
    "和合同约定（422）；未登记合同时 409；归档后仍可登记",
    body=LedgerEntryIn,
    response=LedgerEntryOut,
    status=201,
    tag="finance",
)
@requires("finance.manage", load=load)
def record_receipt(id: int):  # noqa: A002
    return _add(EntryKind.received, parse_body(LedgerEntryIn))


# --- the quality deposit ----------------------------------------------------------------------


@operation(
    "/engagements/{id}/deposit/entries",
    "GET",
    summary=f"质量保证金的记录：预留、释放到账、不予释放{LIST}",
    response=LedgerEntryPage,
    tag="finance",
)
@requires("finance.view", load=load)
def list_deposit_entries(id: int):  # noqa: A002
    return respond(_entries(guarded_object(), DEPOSIT_KINDS))


@operation(
    "/engagements/{id}/deposit/withholdings",
    "POST",
    summary="登记预留质量保证金 {amount, entry_date, note}：累计不超过保证金金额（422）；质量考核时"
    "未预留的部分由系统补登；未登记合同时 409；归档后仍可登记",
    body=DepositWithholdingIn,
    response=LedgerEntryOut,
    status=201,
    tag="finance",
)
@requires("finance.manage", load=load)
def record_withholding(id: int):  # noqa: A002
    return _add(EntryKind.withheld, parse_body(DepositWithholdingIn))


@operation(
    "/engagements/{id}/deposit/releases",
    "POST",
    summary="登记保证金释放到账 {amount, paid_on, note}：可分次，累计不超过应释放金额（422）；首次"
    "登记时未释放部分记为不予释放；尚未进行质量考核时 409；归档后仍可登记",
    body=DepositReleaseIn,
    response=LedgerEntryOut,
    status=201,
    tag="finance",
)
@requires("finance.manage", load=load)
def record_deposit_release(id: int):  # noqa: A002
    body = parse_body(DepositReleaseIn)
    entry = services.record_release(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        amount=body.amount,
        paid_on=body.paid_on,
        note=body.note,
    )
    return respond(_entry_out(entry), 201)


@operation(
    "/engagements/{id}/ledger/{entry_id}/void",
    "POST",
    summary="作废一条收付款记录 {reason}：记录保留、不计入合计；作废后收付款须仍一致（422）；质量"
    "考核后的预留和不予释放记录由系统登记，不能作废（409）；已作废时 409",
    body=LedgerVoidIn,
    response=LedgerEntryOut,
    tag="finance",
)
@requires("finance.manage", load=load)
def void_ledger_entry(id: int, entry_id: int):  # noqa: A002
    body = parse_body(LedgerVoidIn)
    entry = services.void_entry(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        entry_id=entry_id,
        reason=body.reason,
    )
    return respond(_entry_out(entry))
