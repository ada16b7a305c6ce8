"""The endpoint form of /settings/webhooks."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from workbench.core.forms import BaseForm, MultiCheckboxField, choices
from workbench.webhooks.kinds import KINDS


class EndpointForm(BaseForm):
    url = StringField(
        "推送地址（URL）",
        validators=[Length(max=500, message="推送地址不能超过 500 个字符")],
        description="对方系统接收推送的地址，如 https://pm.example.gov.cn/hooks/workbench",
    )
    description = StringField("说明", validators=[Length(max=200, message="说明不能超过 200 个字")])
    events = MultiCheckboxField("推送事件", choices=choices((k.key, k.label) for k in KINDS))
    bureau_id = SelectField("只推送该委托方的项目", coerce=int, default=0)
    active = BooleanField("启用", default=True)

    def set_bureaus(self, bureaus) -> None:
        self.bureau_id.choices = choices([(0, "（全部项目）")] + [(b.id, b.name) for b in bureaus])
