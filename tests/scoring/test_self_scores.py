"""The 单位自评得分 page over HTTP: self-scores saved with audit, gaps shown, bad input refused."""

from __future__ import annotations

import re

from sqlmodel import select

from tests.reports.outline_helpers import engagement_of
from workbench.core.audit import AuditEntry
from workbench.indicators.models import Indicator


def _items(db, engagement) -> dict[str, Indicator]:
    rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    return {i.name: i for i in rows}


def _form(items, values: dict[str, tuple[str, str]]) -> dict[str, str]:
    data = {}
    for name, (score, note) in values.items():
        item = items[name]
        data |= {f"self_{item.id}": score, f"note_{item.id}": note,
                 f"version_{item.id}": str(item.version)}  # fmt: skip
    return data


def test_self_scores_are_saved_and_gaps_shown(ctx, db, demo, login):
    engagement = engagement_of(db, demo, "self_eval_review")
    items = _items(db, engagement)
    client = login("demo-lead")
    url = f"/engagements/{engagement.id}/scoring/self-scores"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "单位自评得分与复核得分对比" in html and "超过10分" in html
    assert "报告的“自评与复核结果对比”表列示这些数据" in html
    # The engagement's tab bar links the page (a self-evaluation review).
    flow = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert url in flow

    data = _form(
        items, {"立项依据充分性": ("3", "单位未扣除要素2的分值。"), "资金到位率": ("3.84", "")}
    )
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.expire_all()
    saved = _items(db, engagement)
    assert f"{saved['立项依据充分性'].self_score:.2f}" == "3.00"
    assert saved["立项依据充分性"].self_gap_note == "单位未扣除要素2的分值。"
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "indicators.self_score")).all()
    assert {e.object_id for e in entries} == {items["立项依据充分性"].id, items["资金到位率"].id}
    assert entries[0].before["self_score"] is None

    html = client.get(url).get_data(as_text=True)
    row = re.search(r"<tr class=\"table-warning\">.*?</tr>", html, re.S).group(0)
    assert "立项依据充分性" in row and "-0.37 ※" in row  # 3.00 vs 2.63, limit 0.30
    assert "+0.00" in html  # 资金到位率 3.84 = 3.84


def test_bad_self_scores_are_refused_and_nothing_written(ctx, db, demo, login):
    engagement = engagement_of(db, demo, "self_eval_review")
    items = _items(db, engagement)
    client = login("demo-lead")
    url = f"/engagements/{engagement.id}/scoring/self-scores"
    data = _form(items, {"立项依据充分性": ("abc", ""), "资金到位率": ("9", ""),
                         "预算执行率": ("2", "x" * 2001), "供餐天数": ("4", "")})  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "自评得分有误，未保存" in html
    assert "“立项依据充分性”的自评得分“abc”不是数字" in html
    assert "“资金到位率”的自评得分应在0到4.00分之间" in html
    assert "“预算执行率”的差异说明过长（上限2000字）" in html
    db.expire_all()
    assert all(i.self_score is None for i in _items(db, engagement).values())  # 供餐天数 too

    # A stale version (someone saved in between): refused, nothing written.
    data = _form(items, {"供餐天数": ("4", "")})
    data[f"version_{items['供餐天数'].id}"] = str(items["供餐天数"].version - 1)
    response = client.post(url, data=data, headers={"Referer": url})
    assert response.status_code == 302
    assert "“供餐天数”已被他人修改，请刷新页面后重新录入" in client.get(url).get_data(as_text=True)
    # No version at all: a field error.
    data = _form(items, {"供餐天数": ("4", "")})
    del data[f"version_{items['供餐天数'].id}"]
    assert client.post(url, data=data).status_code == 422
    db.expire_all()
    assert _items(db, engagement)["供餐天数"].self_score is None


def test_outsiders_cannot_reach_the_page(ctx, db, demo, login):
    engagement = engagement_of(db, demo, "self_eval_review")
    url = f"/engagements/{engagement.id}/scoring/self-scores"
    assert login("demo-bureau2").get(url).status_code == 404
    refused = login("demo-unit").post(url, data={})
    assert refused.status_code == 404 and refused.headers["X-Permission-Denied"]
