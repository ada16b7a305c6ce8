"""导入基本信息 (issue 21, Excel in: 项目基本信息): the template lists the engagement's facts, the
preview writes nothing, the confirmation goes through the facts page's own save."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select

from tests.table_import_helpers import preview_token, sheet_bytes
from workbench.core.audit import AuditEntry
from workbench.facts import services
from workbench.facts.facts_import import SHEET
from workbench.indicators.tree import list_indicators
from workbench.scoring import services as scoring

HEADER = ["项目", "数值", "单位"]


def _xlsx(rows: list[list]) -> bytes:
    return sheet_bytes(rows, sheet=SHEET)


def _upload(client, engagement, data: bytes):
    return client.post(
        f"/engagements/{engagement.id}/facts/import",
        data={"file": (BytesIO(data), "基本信息.xlsx")},
        content_type="multipart/form-data",
    )


def _facts(db, engagement) -> dict[str, tuple[str, str]]:
    db.expire_all()
    return {f.key: (f.text, f.source) for f in services.current(db, engagement)}


_token = preview_token


def test_the_template_lists_this_engagements_facts_with_entered_values(login, demo):
    response = login("demo-evaluator").get(
        f"/engagements/{demo.engagement.id}/facts/import/template.xlsx"
    )
    book = load_workbook(BytesIO(response.data))
    rows = list(book[SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["实际受益人数"] == ("实际受益人数", "50936", "人")
    assert by_label["预算资金"] == ("预算资金", None, "万元")  # from a paper: left blank
    assert "部门基本信息" not in by_label and "编制人数" not in by_label  # a project, not a dept


def test_preview_then_confirm_through_the_facts_save(login, db, demo):
    e = demo.engagement
    before = _facts(db, e)
    client = login("demo-evaluator")
    assert "从Excel导入" in client.get(f"/engagements/{e.id}/facts").get_data(as_text=True)
    data = _xlsx([HEADER,
                  ["受益学生", "51,200", "人"],  # a word the narrative uses for 实际受益人数
                  ["预算资金", "12,600,000", "元"],  # taken from a paper so far
                  ["覆盖单位数", 126, None],  # as it is
                  ["调整后预算", None, "万元"]])  # fmt: skip
    response = _upload(client, e, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "更新 1 行，改为手工录入 1 行，与现值相同 1 行，留空，不修改 1 行" in page
    assert "原来自底稿 D-07-01" in page and "1,260.00万元" in page
    assert "将同步更新指标" in page
    assert _facts(db, e) == before

    done = client.post(f"/engagements/{e.id}/facts/import/confirm", data={"token": _token(page)})
    assert done.status_code == 302, unquote(done.headers.get("X-Domain-Error", ""))
    after = _facts(db, e)
    assert after["beneficiaries"] == ("51,200人", "entered")
    assert after["budget"] == ("1,260.00万元", "entered")
    assert after["received"] == before["received"]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "facts.update")).all()[-1]
    assert entry.after == {"budget": "1,260.00万元", "beneficiaries": "51,200人"}


def test_every_bad_row_is_named_and_nothing_is_written(login, db, demo):
    e = demo.engagement
    before = _facts(db, e)
    data = _xlsx([HEADER,
                  ["实际受益人数", "50,000", "人"],
                  ["编制人数", 30, "人"],  # a department's fact, not this project's
                  ["受益人数", "50,100", None],  # the same fact again
                  ["实际支出", "一千万", None],
                  ["预算执行率", "9600", "%"],
                  ["计划受益人数", "12.5", None]])  # fmt: skip
    response = _upload(login("demo-lead"), e, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行“项目”列：“编制人数”不是本项目的基本信息（可填：预算资金、",
        "第4行“项目”列：与第2行是同一项“实际受益人数”",
        "第5行“数值”列：实际支出“一千万”不是有效的数字",
        "第6行“数值”列：预算执行率“9600%”超出合理范围",
        "第7行“数值”列：计划受益人数应为整数",
    ):
        assert expected in page, expected
    assert _facts(db, e) == before


def test_a_signed_score_is_cleared_only_with_the_box_ticked(login, db, demo):
    e = demo.engagement
    scoring_lead = demo.users["demo-lead"]
    assert not scoring.blockers(db, e, include_signoff=False)
    scoring.sign(db, actor=scoring_lead, engagement=e)
    db.flush()
    client = login("demo-lead")
    page = _upload(client, e, _xlsx([HEADER, ["计划受益人数", 53000, "人"]])).get_data(as_text=True)
    assert "import-clear-warning" in page and "评分签字" in page
    token = _token(page)
    refused = client.post(f"/engagements/{e.id}/facts/import/confirm", data={"token": token})
    assert refused.status_code == 302 and "409" in refused.headers["X-Domain-Error"]
    assert _facts(db, e)["beneficiaries_planned"] == ("52,000人", "entered")
    done = client.post(
        f"/engagements/{e.id}/facts/import/confirm",
        data={"token": token, "confirm_clear_signoffs": "y"},
    )
    assert done.status_code == 302 and "X-Domain-Error" not in done.headers
    assert _facts(db, e)["beneficiaries_planned"] == ("53,000人", "entered")
    leaves = {i.name: i for i in list_indicators(db, e)}
    assert any(i.target == "53,000人" for i in leaves.values())


def test_only_the_team_may_import(login, demo):
    e = demo.engagement
    data = _xlsx([HEADER, ["实际受益人数", 1, "人"]])
    assert _upload(login("demo-bureau"), e, data).status_code == 403
    assert _upload(login("demo-unit"), e, data).status_code == 403
