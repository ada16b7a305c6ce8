"""The demo report's numbers are the API's: scores, total, grade and the project's figures."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
from flask import current_app

from tests.reports.test_render import cell_text, cells, score_table_rows


def _wan(value: str) -> str:
    """ "12500000.00" → "1,250.00万元", the way the documents state money."""
    return f"{Decimal(value) / 10000:,.2f}万元"


def test_the_demo_report_states_the_apis_figures(ctx, db, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    api = current_app.test_client()
    base = f"/api/v1/engagements/{demo.engagement.id}"
    answer = api.post(f"{base}/documents/report", headers=headers)
    assert answer.status_code == 200
    document = docx.Document(io.BytesIO(answer.data))
    answer.close()
    texts = [p.text for p in document.paragraphs]
    scores = api.get(f"{base}/scores", headers=headers).get_json()
    facts = {f["key"]: f for f in api.get(f"{base}/facts", headers=headers).get_json()["facts"]}

    # Every indicator's score in 表1, in the API's order.
    rows = score_table_rows(document)[1 : 1 + len(scores["indicators"])]
    assert [cell_text(cells(tr)[2]) for tr in rows] == [i["path"][-1] for i in scores["indicators"]]
    assert [cell_text(cells(tr)[4]) for tr in rows] == [
        "不适用" if i["not_applicable"] else i["score"] for i in scores["indicators"]
    ]
    # The total and grade, in the conclusion's sentence.
    assert any(
        f"绩效评价得分为{scores['total']}分，评价等级为“{scores['grade']}”" in t for t in texts
    )
    # The overview's money and rate are the facts' values, as the facts' own text states them.
    overview = next(t for t in texts if "预算年度为" in t)
    for key, label in (("budget", "预算资金"), ("received", "实际到位资金"), ("spent", "实际支出")):
        fact = facts[key]
        assert fact["text"] == _wan(fact["value"])
        assert f"{label}{fact['text']}" in overview, (key, overview)
    assert f"预算执行率{facts['execution_rate']['text']}" in overview
