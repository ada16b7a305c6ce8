"""Library pages that change things: create, edit, propose, review decisions, benchmarks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors
from workbench.core.permissions import guarded_object, requires
from workbench.library import content as leaf_content
from workbench.library import services
from workbench.library.blueprint import bp
from workbench.library.editing import content_of
from workbench.library.forms import (
    ActionForm,
    BenchmarkForm,
    IndicatorForm,
    ReasonForm,
)
from workbench.library.loaders import load_indicator


def _detail(indicator) -> str:
    return url_for("library.detail", library_id=indicator.id)


def _form_content(form: IndicatorForm) -> leaf_content.LeafContent:
    """The form as content; unparsable numbers and benchmark lines raise ValidationFailed."""
    errors = []
    try:
        weight = Decimal((form.weight.data or "").strip().replace("，", "").replace(",", ""))
        if not weight.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append({"field": "weight", "message": f"分值「{form.weight.data}」不是有效数字"})
        weight = Decimal(0)
    benchmarks, problems = leaf_content.parse_benchmarks(form.benchmarks.data)
    errors += [{"field": "benchmarks", "message": message} for message in problems]
    if errors:
        raise ValidationFailed("指标内容有误", details=errors)
    return leaf_content.LeafContent(
        level1=(form.level1.data or "").strip(),
        level2=(form.level2.data or "").strip(),
        name=(form.name.data or "").strip(),
        definition=(form.definition.data or "").strip(),
        points=leaf_content.split_lines(form.points.data),
        evidence=leaf_content.split_lines(form.evidence.data),
        standard_type=form.standard_type.data,
        rule=form.rule.data,
        params=(form.params.data or "").strip(),
        weight=weight,
        target=(form.target.data or "").strip(),
        scoring=(form.scoring.data or "").strip(),
        notes=(form.notes.data or "").strip(),
        tags=leaf_content.split_tags(form.tags.data),
        benchmarks=benchmarks,
    )


def _fill(form: IndicatorForm, indicator, version) -> None:
    data = content_of(version)
    for name in ("level1", "level2", "name", "definition", "standard_type", "rule", "params"):
        getattr(form, name).data = getattr(data, name)
    for name in ("target", "scoring", "notes"):
        getattr(form, name).data = getattr(data, name)
    form.weight.data = format(data.weight, "f")
    form.points.data = "\n".join(data.points)
    form.evidence.data = "\n".join(data.evidence)
    form.tags.data = "、".join(data.tags)
    form.benchmarks.data = "\n".join(f"{b.value}|{b.year}|{b.source}" for b in data.benchmarks)
    form.sector.data = indicator.sector or ""
    form.engagement_types.data = indicator.engagement_type_list
    form.version.data = indicator.version


@bp.route("/library/new", methods=["GET", "POST"])
@requires("library.contribute")
def create():
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            indicator = services.create_personal(
                db.session(),
                actor=current_user,
                data=_form_content(form),
                sector=form.sector.data,
                engagement_types=form.engagement_types.data or ["project"],
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"已保存为个人指标“{indicator.name}”，完善后可提交审核纳入共享库", "success")
            return redirect(_detail(indicator))
    return render_template("library/form.html", form=form, indicator=None)


@bp.route("/library/<int:library_id>/edit", methods=["GET", "POST"])
@requires("library.edit", load=load_indicator)
def edit(library_id: int):
    session = db.session()
    indicator = guarded_object()
    form = IndicatorForm()
    if not form.is_submitted():
        _fill(form, indicator, services.current_version(session, indicator.id))
    elif form.validate():
        try:
            row = services.edit(
                session,
                actor=current_user,
                indicator=indicator,
                data=_form_content(form),
                change_note=form.change_note.data or "",
                version=form.version.data,
                sector=None if indicator.is_system else form.sector.data,
                engagement_types=None if indicator.is_system else form.engagement_types.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            shown = f"第 {row.number} 版" if row is not None else "适用范围"
            flash(f"已保存{shown}", "success")
            return redirect(_detail(indicator))
    return render_template("library/form.html", form=form, indicator=indicator)


def _act(action, message: str, library_id: int, *, reason: bool = False, then: str = ""):
    indicator = load_indicator(library_id)
    form = ReasonForm() if reason else ActionForm()
    if not form.validate_on_submit():
        flash("请填写理由" if reason else "请求无效，请刷新页面后重试", "danger")
        return redirect(_detail(indicator))
    extra = {"reason": form.reason.data} if reason else {}
    action(
        db.session(),
        actor=current_user,
        indicator=indicator,
        version=form.version.data,
        **extra,
    )
    flash(message.format(name=indicator.name), "success")
    return redirect(then or _detail(indicator))


@bp.route("/library/<int:library_id>/propose", methods=["POST"])
@requires("library.own", load=load_indicator)
def propose(library_id: int):
    return _act(services.propose, "“{name}”已提交审核", library_id)


@bp.route("/library/<int:library_id>/withdraw", methods=["POST"])
@requires("library.own", load=load_indicator)
def withdraw(library_id: int):
    return _act(services.withdraw, "已撤回“{name}”的审核申请", library_id)


@bp.route("/library/<int:library_id>/approve", methods=["POST"])
@requires("admin", load=load_indicator)
def approve(library_id: int):
    return _act(services.approve, "“{name}”已审核通过，纳入共享指标库", library_id)


@bp.route("/library/<int:library_id>/reject", methods=["POST"])
@requires("admin", load=load_indicator)
def reject(library_id: int):
    # A returned proposal is personal again, hidden from the admin: back to the queue.
    return _act(
        services.reject,
        "已退回“{name}”，指标回到提交人的个人指标中",
        library_id,
        reason=True,
        then=url_for("library.review"),
    )


@bp.route("/library/<int:library_id>/deprecate", methods=["POST"])
@requires("admin", load=load_indicator)
def deprecate(library_id: int):
    return _act(services.deprecate, "已停用“{name}”", library_id, reason=True)


@bp.route("/library/<int:library_id>/restore", methods=["POST"])
@requires("admin", load=load_indicator)
def restore(library_id: int):
    return _act(services.restore, "已恢复“{name}”", library_id)


@bp.route("/library/<int:library_id>/benchmarks", methods=["POST"])
@requires("library.contribute", load=load_indicator)
def add_benchmark(library_id: int):
    indicator = guarded_object()
    form = BenchmarkForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_detail(indicator) + "#benchmarks")
    row = services.add_benchmark(
        db.session(),
        actor=current_user,
        indicator=indicator,
        value=form.value.data,
        year=form.year.data,
        source=form.source.data,
        version=form.version.data,
    )
    flash(f"已添加基准值，生成第 {row.number} 版", "success")
    return redirect(_detail(indicator) + "#benchmarks")
