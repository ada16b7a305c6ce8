"""Login, logout, profile and password, tokens and the admin pages for users and organisations."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from workbench import db
from workbench.accounts import (
    admin,
    services,
    views_profile,  # 职称 and 资格证书: routes of their own on bp
)
from workbench.accounts.auth import renew_session, start_session
from workbench.accounts.blueprint import bp
from workbench.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    OrgForm,
    TemporaryPasswordForm,
    TokenForm,
    UserForm,
)
from workbench.accounts.loaders import managed_user
from workbench.accounts.models import OrgKind, SystemRole
from workbench.accounts.throttle import login_throttle, own_password_check, password_rejected
from workbench.core import audit_view
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.i18n import LOCALES
from workbench.core.permissions import public, requires
from workbench.engagements import services as engagements


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("engagements.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@login_throttle
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(
            db.session(), username=form.username.data, password=form.password.data
        )
        if user is None:
            password_rejected()
            flash("用户名或密码错误，或账号已停用", "danger")
        else:
            start_session(user, remember=form.remember.data)
            session["locale"] = user.locale
            if user.must_change_password:
                return redirect(url_for("accounts.change_password", next=request.args.get("next")))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires("authenticated")
def logout():
    services.log_out(db.session(), user=current_user._get_current_object())
    logout_user()
    flash("已退出登录（所有设备上的登录均已结束）", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code in LOCALES:
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")))


def _change_password(form: ChangePasswordForm) -> bool:
    """Apply a submitted password change; False (errors on the form) when it is refused."""
    if not form.validate_on_submit():
        return False
    if form.new.data != form.confirm.data:
        form.confirm.errors.append("两次输入的新密码不一致")
        return False
    user = current_user._get_current_object()
    try:
        services.change_password(
            db.session(), user=user, current=form.current.data, new=form.new.data
        )
    except services.WrongPassword as error:
        password_rejected()
        attach_errors(form, error)
        return False
    except ValidationFailed as error:
        attach_errors(form, error)
        return False
    renew_session(user)  # every other session and API token of the user has ended
    flash("密码已修改；其他设备上的登录和 API 令牌已失效", "success")
    return True


@bp.route("/profile", methods=["GET", "POST"])
@requires("authenticated")
@own_password_check
def profile():
    form = ChangePasswordForm()
    if _change_password(form):
        return redirect(url_for("accounts.profile"))
    tokens = services.list_tokens(db.session(), user=current_user)
    return render_template(
        "accounts/profile.html",
        form=form,
        token_form=TokenForm(),
        tokens=tokens,
        qualifications_form=views_profile.qualifications_form(current_user),
    )


@bp.route("/password", methods=["GET", "POST"])
@requires("authenticated")
@own_password_check
def change_password():
    """The page a user with a temporary password is kept on until they replace it."""
    if not current_user.must_change_password:
        return redirect(url_for("accounts.profile"))
    form = TemporaryPasswordForm()
    if _change_password(form):
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/profile/tokens", methods=["POST"])
@requires("authenticated")
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash("用途说明过长", "danger")
        return redirect(url_for("accounts.profile"))
    from flask import current_app

    _token, clear = services.create_token(
        db.session(),
        user=current_user,
        label=form.label.data or "",
        days=current_app.config["TOKEN_DAYS"],
    )
    flash(f"新令牌（只显示这一次，请妥善保存）：{clear}", "warning")
    return redirect(url_for("accounts.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@requires("authenticated")
def revoke_token(token_id: int):
    services.revoke_token(db.session(), user=current_user, token_id=token_id)
    flash("令牌已撤销", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/admin/users", methods=["GET", "POST"])
@requires("admin")
def users():
    session = db.session()
    form = UserForm()
    orgs = admin.account_orgs(session, admin=current_user)
    form.org_id.choices = choices(
        [(o.id, f"{o.name}（{o.kind_name}）") for o in orgs] + [(0, "（无：外部专家）")]
    )
    if form.validate_on_submit():
        try:
            admin.create_user(
                session,
                admin=current_user,
                username=form.username.data.strip(),
                display_name=form.display_name.data,
                password=form.password.data,
                org_id=form.org_id.data or None,
                system_role=SystemRole(form.system_role.data),
                email=form.email.data or "",
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"用户 {form.username.data} 已创建", "success")
            return redirect(url_for("accounts.users"))
    q = request.args.get("q", "")
    rows = admin.users(session, admin=current_user, q=q, org_kind=request.args.get("kind", ""))
    org_names = {o.id: o.name for o in admin.visible_orgs(session, admin=current_user)}
    return render_template("accounts/users.html", form=form, users=rows, org_names=org_names, q=q)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@requires("admin", load=managed_user)
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    user = admin.set_active(db.session(), admin=current_user, user_id=user_id, active=active)
    flash(f"{user.display_name} 已{'启用' if active else '停用'}", "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@requires("admin", load=managed_user)
def reset_password(user_id: int):
    temporary = admin.reset_password(db.session(), admin=current_user, user_id=user_id)
    flash(
        "该用户的所有登录和 API 令牌已失效。临时密码（请当面或电话告知本人，"
        f"其登录后须先修改）：{temporary}",
        "warning",
    )
    return redirect(url_for("accounts.users"))


@bp.route("/admin/orgs", methods=["GET", "POST"])
@requires("admin")
def orgs():
    form = OrgForm()
    if form.validate_on_submit():
        try:
            admin.create_org(
                db.session(),
                admin=current_user,
                name=form.name.data,
                kind=OrgKind(form.kind.data),
                code=form.code.data or "",
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"单位“{form.name.data}”已添加", "success")
            return redirect(url_for("accounts.orgs"))
    orgs = admin.visible_orgs(db.session(), admin=current_user)
    return render_template("accounts/orgs.html", form=form, orgs=orgs)


@bp.route("/admin/audit")
@requires("admin")
def audit_log():
    return audit_view.render(
        scope=engagements.agency_audit_scope(current_user),
        engagement=None,
        endpoint="accounts.audit_log",
        export_endpoint="accounts.audit_export",
    )


@bp.route("/admin/audit.xlsx")
@requires("admin")
def audit_export():
    return audit_view.send_export(scope=engagements.agency_audit_scope(current_user), name="本机构")
