"""The indicator system page: the tree, edits, reordering, import/export, confirmation."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.forms import attach_errors, refused
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.core.templating import register_tab
from workbench.engagements.services import load_engagement
from workbench.indicators import (
    permissions,  # noqa: F401 - registers the predicates
    services,
    transfer,
    tree_rows,
    views_benchmarks,  # noqa: F401 - its routes on bp
    views_library,  # noqa: F401 - its routes on bp
    views_targets,  # noqa: F401 - its routes on bp
)
from workbench.indicators.blueprint import bp
from workbench.indicators.forms import GradesForm, ImportForm, IndicatorForm
from workbench.indicators.loaders import load_indicator
from workbench.indicators.models import STANDARD_TYPES, IndicatorSystem
from workbench.indicators.system import (
    get_system_and_confirmer,
    grade_table,
    signatures_a_change_clears,
)
from workbench.indicators.tree import list_tree_rows
from workbench.scoring import services as scoring
from workbench.scoring.params import RULES
from workbench.scoring.values import format_number

register_tab(lazy_gettext("指标体系"), "indicators.index", "indicators.edit")


def _tree_url(engagement_id: int, anchor: str = "") -> str:
    return url_for("indicators.index", engagement_id=engagement_id) + anchor


def _grades_text(system) -> str:
    return "\n".join(f"{name} {format_number(bound)}" for name, bound in grade_table(system))


def render_tree(engagement, *, import_errors: ValidationFailed | None = None, status: int = 200):
    """The tree page (also re-rendered with the errors of a refused import)."""
    session = db.session()
    system, confirmer = get_system_and_confirmer(session, engagement)
    confirmed = system is not None and system.confirmed_at is not None
    grades_form = GradesForm(formdata=None)
    grades_form.grades.data = _grades_text(system)
    can_manage = engagement.can_manage(current_user)
    can_edit = not confirmed or can_manage
    rows = list_tree_rows(session, engagement)
    view = tree_rows.tree_view(
        engagement_id=engagement.id,
        rows=rows,
        editable=can_edit and not engagement.is_archived,
        archived=engagement.is_archived,
        rules=RULES,
    )
    known = {"system": system or IndicatorSystem(), "known": {}}
    if system is not None and system.confirmed_by_id:
        known["known"] = {system.confirmed_by_id: confirmer}
    page = render_template(
        "indicators/tree.html",
        engagement=engagement,
        view=view,
        system=system,
        confirmed=confirmed,
        confirmer=confirmer,
        can_edit=can_edit,
        can_manage=can_manage,
        import_form=ImportForm(formdata=None),
        grades_form=grades_form,
        grade_table=grade_table(system),
        import_errors=import_errors,
        clears=signatures_a_change_clears(session, engagement, confirmation=True, **known),
        score_clears=signatures_a_change_clears(session, engagement, **known),
        **views_benchmarks.tree_context(rows),
    )
    return page, status


@bp.route("/engagements/<int:engagement_id>/indicators")
@requires("indicators.edit", load=load_engagement)
def index(engagement_id: int):
    return render_tree(guarded_object())


def _form_page(engagement, form, indicator=None):
    return render_template(
        "indicators/form.html",
        engagement=engagement,
        form=form,
        indicator=indicator,
        level1_names=sorted({i.level1 for i in services.list_indicators(db.session(), engagement)}),
        level2_names=sorted({i.level2 for i in services.list_indicators(db.session(), engagement)}),
        standard_types=STANDARD_TYPES,
        clears=signatures_a_change_clears(db.session(), engagement, confirmation=True),
        **views_benchmarks.edit_page_context(indicator),
    )


@bp.route("/engagements/<int:engagement_id>/indicators/new", methods=["GET", "POST"])
@requires("indicators.edit", load=load_engagement)
def create(engagement_id: int):
    engagement = guarded_object()
    form = IndicatorForm()
    if request.method == "GET":
        form.level1.data = request.args.get("level1", "")
        form.level2.data = request.args.get("level2", "")
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(
                db.session(),
                actor=current_user,
                engagement=engagement,
                data=form.to_input(),
                confirm_clear=clear_confirmed(),
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        except Conflict as error:  # the confirmation or sign-off would go: typed values stay
            refused(error)
            return _form_page(engagement, form), 409
        else:
            flash(f"已新增指标“{indicator.name}”", "success")
            return redirect(_tree_url(engagement_id, f"#indicator-{indicator.id}"))
    return _form_page(engagement, form)


@bp.route(
    "/engagements/<int:engagement_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"]
)
@requires("indicators.edit", load=load_indicator)
def edit(engagement_id: int, indicator_id: int):
    engagement = guarded_object()
    indicator = services.get_indicator(db.session(), engagement, indicator_id)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.weight.data = format_number(indicator.weight)
        form.version.data = indicator.version
        if indicator.rule not in RULES:
            form.rule.data = "manual"
    if form.validate_on_submit():
        try:
            services.update_indicator(
                db.session(),
                actor=current_user,
                engagement=engagement,
                indicator=indicator,
                data=form.to_input(),
                version=_int(form.version.data),
                confirm_clear=clear_confirmed(),
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        except Conflict as error:
            refused(error)
            return _form_page(engagement, form, indicator), 409
        else:
            flash(f"已保存指标“{indicator.name}”", "success")
            return redirect(_tree_url(engagement_id, f"#indicator-{indicator.id}"))
    return _form_page(engagement, form, indicator)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/engagements/<int:engagement_id>/indicators/<int:indicator_id>/delete", methods=["POST"])
@requires("indicators.edit", load=load_indicator)
def delete(engagement_id: int, indicator_id: int):
    engagement = guarded_object()
    indicator = services.get_indicator(db.session(), engagement, indicator_id)
    name = indicator.name
    services.delete_indicator(
        db.session(),
        actor=current_user,
        engagement=engagement,
        indicator=indicator,
        version=_int(request.form.get("version")),
        confirm_clear=clear_confirmed(),
    )
    flash(f"已删除指标“{name}”", "success")
    return redirect(_tree_url(engagement_id))


@bp.route("/engagements/<int:engagement_id>/indicators/<int:indicator_id>/move", methods=["POST"])
@requires("indicators.edit", load=load_indicator)
def move(engagement_id: int, indicator_id: int):
    engagement = guarded_object()
    indicator = services.get_indicator(db.session(), engagement, indicator_id)
    moved = services.move_indicator(
        db.session(),
        actor=current_user,
        engagement=engagement,
        indicator=indicator,
        direction=request.form.get("direction", ""),
        confirm_clear=clear_confirmed(),
    )
    if not moved:
        flash("已在本组的最前或最后，无法继续移动", "info")
    return redirect(_tree_url(engagement_id, f"#indicator-{indicator_id}"))


@bp.route("/engagements/<int:engagement_id>/indicators/import", methods=["POST"])
@requires("indicators.edit", load=load_engagement)
def import_sheet(engagement_id: int):
    engagement = guarded_object()
    form = ImportForm()
    if not form.validate_on_submit():
        flash("请选择要导入的指标表文件（.xlsx）", "danger")
        return redirect(_tree_url(engagement_id))
    upload = form.file.data
    try:
        outcome = transfer.import_sheet(
            db.session(),
            actor=current_user,
            engagement=engagement,
            filename=upload.filename or "",
            data=upload.read(),
            confirm_clear=clear_confirmed(),
        )
    except ValidationFailed as error:
        db.mark_rollback()
        return render_tree(engagement, import_errors=error, status=422)
    flash(
        f"已导入{outcome.imported}项三级指标（新增{outcome.created}、更新{outcome.updated}、"
        f"删除{outcome.deleted}）" + ("，等级表已按“等级”工作表设置" if outcome.grades_set else ""),
        "success",
    )
    for warning in outcome.warnings:
        flash(warning, "warning")
    return redirect(_tree_url(engagement_id))


@bp.route("/engagements/<int:engagement_id>/indicators/export")
@requires("indicators.edit", load=load_engagement)
def export_sheet(engagement_id: int):
    engagement = guarded_object()
    data = scoring.export_sheet(db.session(), engagement)
    return send_xlsx(data, f"指标体系及评分表-{engagement.code}.xlsx")


@bp.route("/engagements/<int:engagement_id>/indicators/confirm", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def confirm(engagement_id: int):
    services.confirm(db.session(), actor=current_user, engagement=guarded_object())
    flash("指标体系已确认", "success")
    return redirect(_tree_url(engagement_id))


@bp.route("/engagements/<int:engagement_id>/indicators/unconfirm", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def unconfirm(engagement_id: int):
    services.unconfirm(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        confirm_clear=clear_confirmed(),
    )
    flash("已撤销对指标体系的确认", "warning")
    return redirect(_tree_url(engagement_id))


@bp.route("/engagements/<int:engagement_id>/indicators/grades", methods=["POST"])
@requires("indicators.edit", load=load_engagement)
def grades(engagement_id: int):
    engagement = guarded_object()
    form = GradesForm()
    if not form.validate_on_submit():
        flash("请填写等级表", "danger")
        return redirect(_tree_url(engagement_id, "#grades"))
    rows = services.parse_grades(form.grades.data)
    services.set_grades(
        db.session(),
        actor=current_user,
        engagement=engagement,
        grades=rows,
        confirm_clear=clear_confirmed(),
    )
    flash("等级表已保存", "success")
    return redirect(_tree_url(engagement_id, "#grades"))
