"""Finance pages: the engagement's contract and ledger, the deposit dashboard, firm defaults."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.templating import register_nav, register_panel, register_tab
from workbench.core.timeutil import today_local
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement
from workbench.finance import export, services
from workbench.finance import permissions as _permissions  # noqa: F401  (registers predicates)
from workbench.finance import terms as t
from workbench.finance.blueprint import bp
from workbench.finance.forms import (
    ContractForm,
    EntryForm,
    ReleaseForm,
    TermsForm,
    VoidForm,
    number,
    plain,
    terms_data,
    terms_from,
)
from workbench.finance.ledger import STATUS_NAMES, STATUS_STYLES

register_tab("费用与保证金", "finance.overview", "finance.view")
register_nav("保证金台账", "finance.deposits", "agency")
register_nav("费用与保证金规则", "finance.settings", "admin", admin=True)
register_panel("finance/_panel.html")


@bp.app_context_processor
def _panel_data() -> dict:
    # A callable, so the query runs only where the panel is shown (the home dashboard).
    def overdue():
        return services.overdue_for(db.session(), user=current_user, today=today_local())

    return {"finance_overdue": overdue}


def _money(form, field_name: str) -> object:
    """A money field's Decimal, or the field's error (returned as a ValidationFailed detail)."""
    text = getattr(form, field_name).data
    try:
        return number(text)
    except ValueError as error:
        return {"field": field_name, "message": str(error)}


# --- the engagement's finance page ------------------------------------------------------------


def _entry_form(summary) -> EntryForm:
    form = EntryForm()
    rows = [r for r in summary.instalments if not r.is_deposit]
    form.instalment.choices = choices(
        [("", "（不对应分期）")]
        + [(r.index, f"第 {r.index + 1} 期 · {r.event_name} · {r.amount:,.2f} 元") for r in rows]
    )
    if request.method == "GET":
        form.entry_date.data = today_local()
    return form


def _release_form(summary) -> ReleaseForm:
    form = ReleaseForm()
    if request.method == "GET":
        form.paid_on.data = today_local()
        outstanding = summary.release_outstanding
        form.amount.data = f"{outstanding:.2f}" if outstanding and outstanding > 0 else ""
    return form


@bp.route("/engagements/<int:engagement_id>/finance")
@requires("finance.view", load=load_engagement)
def overview(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    summary = services.summary(session, engagement)
    entries = services.all_entries(session, engagement) if summary.contract else []
    users = engagements.users_by_id(
        session,
        {e.created_by_id for e in entries if e.created_by_id}
        | {e.voided_by_id for e in entries if e.voided_by_id},
    )
    return render_template(
        "finance/overview.html",
        engagement=engagement,
        s=summary,
        c=summary.contract,
        b=summary.balances,
        entries=entries,
        users=users,
        entry_form=_entry_form(summary),
        release_form=_release_form(summary),
        void_form=VoidForm(),
        status_names=STATUS_NAMES,
        status_styles=STATUS_STYLES,
        fraction_text=t.fraction_text,
        can_manage=allowed("finance.manage", engagement),
        can_edit_contract=allowed("finance.manage", engagement) and not engagement.is_archived,
    )


@bp.route("/engagements/<int:engagement_id>/finance/contract", methods=["GET", "POST"])
@requires("finance.manage", load=load_engagement)
def contract(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    existing = services.contract_for(session, engagement)
    if request.method == "GET":
        data = (
            services.contract_input(existing)
            if existing
            else services.default_input(session, engagement)
        )
        form = ContractForm(
            data={
                **terms_data(data.terms),
                "number": data.number,
                "signed_on": data.signed_on,
                "fee": f"{data.fee:.2f}" if data.fee is not None else "",
                "note": data.note,
                "version": existing.version if existing else "",
            }
        )
    else:
        form = ContractForm()
    if form.validate_on_submit():
        terms, errors = terms_from(form)
        fee = _money(form, "fee")
        if isinstance(fee, dict):
            errors.append(fee)
        try:
            if errors:
                raise ValidationFailed("合同信息有误", details=errors)
            data = services.ContractInput(
                number=form.number.data,
                signed_on=form.signed_on.data,
                fee=fee,
                deposit_rate=terms.deposit_rate,
                instalments=terms.instalments,
                bands=terms.bands,
                release_days=terms.release_days,
                note=form.note.data or "",
            )
            if existing is None:
                services.create_contract(
                    session, actor=current_user, engagement=engagement, data=data
                )
            else:
                services.update_contract(
                    session,
                    actor=current_user,
                    engagement=engagement,
                    data=data,
                    version=form.version.data,
                )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("委托合同已保存", "success")
            return redirect(url_for("finance.overview", engagement_id=engagement.id))
    return render_template(
        "finance/contract.html",
        form=form,
        engagement=engagement,
        contract=existing,
        deposit_rate_hint=plain(t.DEFAULT_DEPOSIT_RATE),
    )


@bp.route("/engagements/<int:engagement_id>/finance/entries", methods=["POST"])
@requires("finance.manage", load=load_engagement)
def add_entry(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    form = _entry_form(services.summary(session, engagement))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    else:
        amount = _money(form, "amount")
        if isinstance(amount, dict):
            raise ValidationFailed("金额有误", details=[amount])
        choice = form.instalment.data
        entry = services.add_entry(
            session,
            actor=current_user,
            engagement=engagement,
            kind=form.kind.data,
            amount=amount,
            entry_date=form.entry_date.data,
            instalment=int(choice) if choice and choice.isdigit() else None,
            note=form.note.data or "",
        )
        flash(f"已登记{entry.kind_name} {entry.amount:,.2f} 元", "success")
    return redirect(url_for("finance.overview", engagement_id=engagement_id) + "#ledger")


@bp.route("/engagements/<int:engagement_id>/finance/entries/<int:entry_id>/void", methods=["POST"])
@requires("finance.manage", load=load_engagement)
def void_entry(engagement_id: int, entry_id: int):
    form = VoidForm()
    if not form.validate_on_submit():
        flash("请填写作废原因", "danger")
    else:
        entry = services.void_entry(
            db.session(),
            actor=current_user,
            engagement=guarded_object(),
            entry_id=entry_id,
            reason=form.reason.data,
        )
        flash(f"已作废{entry.kind_name} {entry.amount:,.2f} 元", "warning")
    return redirect(url_for("finance.overview", engagement_id=engagement_id) + "#ledger")


@bp.route("/engagements/<int:engagement_id>/finance/release", methods=["POST"])
@requires("finance.manage", load=load_engagement)
def record_release(engagement_id: int):
    form = ReleaseForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    else:
        amount = _money(form, "amount")
        if isinstance(amount, dict):
            raise ValidationFailed("金额有误", details=[amount])
        entry = services.record_release(
            db.session(),
            actor=current_user,
            engagement=guarded_object(),
            amount=amount,
            paid_on=form.paid_on.data,
            note=form.note.data or "",
        )
        flash(f"已登记保证金释放到账 {entry.amount:,.2f} 元", "success")
    return redirect(url_for("finance.overview", engagement_id=engagement_id) + "#deposit")


# --- firm-wide pages --------------------------------------------------------------------------


@bp.route("/finance/deposits")
@requires("agency")
def deposits():
    board = services.dashboard(db.session(), user=current_user, today=today_local())
    return render_template(
        "finance/deposits.html",
        board=board,
        status_names=STATUS_NAMES,
        status_styles=STATUS_STYLES,
        fraction_text=t.fraction_text,
    )


@bp.route("/finance/deposits.xlsx")
@requires("agency")
def deposits_export():
    today = today_local()
    board = services.dashboard(db.session(), user=current_user, today=today)
    return send_xlsx(export.workbook(board), f"质量保证金台账-{today:%Y%m%d}.xlsx")


@bp.route("/finance/settings", methods=["GET", "POST"])
@requires("admin")
def settings():
    session = db.session()
    row = services.settings_row(session, agency_id=current_user.org_id)
    if request.method == "GET":
        terms = row.terms if row is not None else t.default_terms()
        form = TermsForm(data={**terms_data(terms), "version": row.version if row else ""})
    else:
        form = TermsForm()
    if form.validate_on_submit():
        terms, errors = terms_from(form)
        try:
            if errors:
                raise ValidationFailed("默认规则有误", details=errors)
            services.update_settings(
                session,
                actor=current_user,
                terms=terms,
                version=form.version.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("默认规则已保存，新登记的合同将以此为默认值", "success")
            return redirect(url_for("finance.settings"))
    return render_template("finance/settings.html", form=form, row=row)
