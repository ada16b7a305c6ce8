"""职称 and 资格证书: on the user's own profile page and, for the agency admin, per account;
the user's notice preferences (which kinds of notice they receive: workbench/notices)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.accounts import profile, services
from workbench.accounts.blueprint import bp
from workbench.accounts.forms import ChangePasswordForm, QualificationsForm, TokenForm
from workbench.accounts.loaders import managed_user
from workbench.accounts.models import User
from workbench.core.errors import ValidationFailed
from workbench.core.forms import BaseForm, attach_errors, refused
from workbench.core.permissions import guarded_object, requires
from workbench.notices import services as notices
from workbench.notices.kinds import KINDS


def qualifications_form(user: User) -> QualificationsForm:
    """The form filled from the account (the profile page shows it beside the password form)."""
    return QualificationsForm(data={"title": user.title, "qualifications": user.qualifications})


def _save(form: QualificationsForm, user: User) -> bool:
    if not form.validate_on_submit():
        return False
    try:
        profile.save_qualifications(
            db.session(),
            actor=current_user,
            user=user,
            values={"title": form.title.data, "qualifications": form.qualifications.data},
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return False
    return True


@bp.route("/profile/qualifications", methods=["POST"])
@requires("authenticated")
def save_qualifications():
    user = current_user._get_current_object()
    form = QualificationsForm()
    if _save(form, user):
        flash("职称和资格证书已保存", "success")
        return redirect(url_for("accounts.profile") + "#qualifications")
    page = render_template(
        "accounts/profile.html",
        form=ChangePasswordForm(formdata=None),
        token_form=TokenForm(formdata=None),
        tokens=services.list_tokens(db.session(), user=user),
        qualifications_form=form,
    )
    return page, 422


@bp.route("/admin/users/<int:user_id>/qualifications", methods=["GET", "POST"])
@requires("admin", load=managed_user)
def user_qualifications(user_id: int):
    user = guarded_object()
    form = (
        QualificationsForm() if QualificationsForm().is_submitted() else qualifications_form(user)
    )
    if _save(form, user):
        flash(f"{user.display_name}的职称和资格证书已保存", "success")
        return redirect(url_for("accounts.users"))
    return render_template("accounts/qualifications.html", form=form, user=user)


@bp.app_context_processor
def _notice_preferences() -> dict:
    """`notice_preferences()` for accounts/_notice_preferences.html: every kind with on/off."""

    def notice_preferences() -> list[dict]:
        off = notices.muted(db.session(), user_id=current_user.id)
        return [
            {"key": k.key, "label": k.label, "audience": k.audience, "on": k.key not in off}
            for k in KINDS
        ]

    return {"notice_preferences": notice_preferences, "notice_form": BaseForm}


@bp.route("/profile/notices", methods=["POST"])
@requires("authenticated")
def save_notice_preferences():
    back = url_for("accounts.profile") + "#notices"
    if not BaseForm().validate_on_submit():
        flash("页面已过期，通知设置未保存，请刷新后重试", "danger")
        return redirect(back)
    try:
        muted = notices.save(
            db.session(), actor=current_user, enabled=request.form.getlist("kinds")
        )
    except ValidationFailed as error:
        refused(error, message=error.details[0].message if error.details else None)
        return redirect(back)
    flash(f"通知设置已保存：接收 {len(KINDS) - len(muted)} 类，关闭 {len(muted)} 类", "success")
    return redirect(back)
