"""Forms of the hub pages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length

from workbench.core.forms import BaseForm, VersionField, choices


class ConnectionForm(BaseForm):
    url = StringField(
        "枢纽地址",
        description="如 https://hub.example.org（行业协会或财政部门运行的工作台）；只用离线指标包时留空",
        validators=[Length(max=300)],
    )
    key = PasswordField(
        "成员密钥",
        description="枢纽管理员为本机构生成的密钥；已保存时留空即保持不变",
        validators=[Length(max=200)],
    )
    public_key = StringField(
        "枢纽公钥",
        description="用于校验离线指标包的签名（枢纽“成员管理”页可见）",
        validators=[Length(max=200)],
    )
    region = StringField(
        "本机构所在地区",
        description="共享使用统计时按地区分组，如 浙江省",
        validators=[Length(max=60)],
    )
    share_stats = BooleanField(
        "向枢纽提供匿名使用统计（只含次数、分值和得分率的汇总，不含任何项目信息）"
    )


class PublishForm(BaseForm):
    shown_as = RadioField(
        "发布方式",
        choices=choices([("named", "显示本机构名称"), ("anonymous", "匿名发布")]),
        default="named",
    )
    pack_key = StringField("整包发布", validators=[Length(max=60)])


class DecisionForm(BaseForm):
    version = VersionField()


class PackForm(BaseForm):
    file = FileField("离线指标包文件（.wbpack）")


class MemberForm(BaseForm):
    name = StringField(
        "成员机构名称", validators=[DataRequired("请填写成员机构名称"), Length(max=200)]
    )
