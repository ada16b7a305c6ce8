"""Account forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from workbench.accounts.models import OrgKind
from workbench.core.forms import BaseForm, choices


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])
    remember = BooleanField("记住我")


class ChangePasswordForm(BaseForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=200)])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码")])


class UserForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=60)])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=60)])
    email = StringField(
        "电子邮箱", validators=[Optional(), Email("邮箱格式不正确"), Length(max=200)]
    )
    org_id = SelectField("所属单位", coerce=int, validate_choice=False)
    system_role = SelectField(
        "系统角色",
        choices=choices(
            [
                ("staff", "机构人员"),
                ("admin", "机构管理员"),
                ("external", "外部用户（委托方/被评价单位/专家）"),
            ]
        ),
    )
    password = PasswordField(
        "初始密码", validators=[DataRequired("请输入初始密码"), Length(max=200)]
    )


class OrgForm(BaseForm):
    name = StringField("单位名称", validators=[DataRequired("请输入单位名称"), Length(max=200)])
    kind = SelectField(
        "类型",
        choices=choices(
            [
                (OrgKind.bureau.value, "委托方（财政部门）"),
                (OrgKind.unit.value, "被评价单位"),
            ]
        ),
    )
    code = StringField("统一社会信用代码", validators=[Optional(), Length(max=40)])


class TokenForm(BaseForm):
    label = StringField("用途说明", validators=[Optional(), Length(max=100)])


class TemporaryPasswordForm(ChangePasswordForm):
    """The forced change after an admin reset: the current password is the temporary one."""

    current = PasswordField(
        "临时密码", validators=[DataRequired("请输入管理员告知的临时密码"), Length(max=200)]
    )


class QualificationsForm(BaseForm):
    """职称 and 资格证书: what the plan's team table prints beside the name."""

    title = StringField(
        "职称",
        validators=[Optional(), Length(max=60, message="职称不能超过60个字")],
        description="如：高级会计师、副教授",
    )
    qualifications = TextAreaField(
        "资格证书",
        validators=[Optional(), Length(max=500, message="资格证书不能超过500个字")],
        description="每行一项，如：注册会计师",
    )
