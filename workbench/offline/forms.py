"""Forms of the offline pages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length

from workbench.core.forms import BaseForm


class ExportForm(BaseForm):
    passphrase = PasswordField(
        "检出时设定的口令",
        description="回传包用同一口令加密：带回单位导入时还要输入它",
        validators=[DataRequired("请输入检出时设定的口令"), Length(max=200)],
    )


# -- the server's pages: check out, check in, conflicts ------------------------------------------
# Emptiness and the passphrase rules are the services' (checkout.check_device, check_passphrase):
# the forms only bound what a field may hold, so each message is written once.


class CheckoutForm(BaseForm):
    device = StringField(
        "设备名称",
        description="如：笔记本 X、张三的 ThinkPad；页面上据此知道项目在哪台电脑上",
        validators=[Length(max=60, message="设备名称不能超过 60 个字符")],
    )
    passphrase = PasswordField(
        "口令",
        description="至少 8 个字符。口令不保存在服务器上：在笔记本上打开离线包、带回后导入回传包都要用它",
        validators=[Length(max=200, message="口令不能超过 200 个字符")],
    )
    passphrase2 = PasswordField(
        "再次输入口令", validators=[Length(max=200, message="口令不能超过 200 个字符")]
    )


class CheckinForm(BaseForm):
    file = FileField("回传包文件（.wbpkg）")
    passphrase = PasswordField(
        "口令",
        description="检出时设定的口令",
        validators=[Length(max=200, message="口令不能超过 200 个字符")],
    )
    finish = BooleanField(
        "导入后结束该检出",
        default=True,
        description="笔记本上的工作已全部带回时勾选；还要继续离线工作（中途先带回一部分）时不勾选",
    )


class ResolveForm(BaseForm):
    # The choices are the conflict's own (conflicts.choices); the service refuses any other.
    choice = RadioField("处理方式", choices=[], validate_choice=False)


class ConfirmForm(BaseForm):
    """A button that only needs the CSRF token (作废检出)."""
