"""Import through the page and the API: the sample sheet, malformed sheets, JSON trees, export."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest

from tests.indicators.helpers import (
    EXPECTED,
    HEADER,
    audits,
    by_name,
    indicators_of,
    new_engagement,
    sample_bytes,
    small_tree,
    xlsx,
)
from workbench.indicators.sheet import read_sheet
from workbench.indicators.system import get_system


@pytest.fixture()
def fresh(db, demo):
    return new_engagement(db, demo)


def _upload(client, engagement, data: bytes, name: str = "指标表.xlsx"):
    return client.post(
        f"/engagements/{engagement.id}/indicators/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _api_upload(client, engagement, headers, data: bytes, name: str = "指标表.xlsx"):
    return client.put(
        f"/api/v1/engagements/{engagement.id}/indicators",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


# (name, file name, bytes, text the error list must contain)
BAD_SHEETS = [
    ("not an excel file", "指标表.xlsx", "一级指标,二级指标\n决策,立项\n".encode(), "内容是文本"),
    (
        "old .xls name",
        "指标表.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "不在允许范围",
    ),
    ("empty workbook", "空.xlsx", _empty_workbook(), "是空的"),
    (
        "missing 分值 column",
        "缺列.xlsx",
        xlsx(
            [["决策", "立项", "依据", "ratio"]], header=["一级指标", "二级指标", "三级指标", "规则"]
        ),
        "第1行“分值”列：缺少必需的列“分值”",
    ),
    ("weights sum to 90", "权重.xlsx", xlsx(small_tree((40, 30, 20))), "合计为90，应为100"),
    (
        "unknown rule",
        "规则.xlsx",
        xlsx([["产出", "数量", "完成率", 100, "随便打", "", "100%", "90%", None]]),
        "第2行“规则”列：未知的评分规则“随便打”",
    ),
    (
        "bad parameters",
        "参数.xlsx",
        xlsx([["产出", "数量", "完成率", 100, "linear", "per=1%", "100%", "90%", None]]),
        "第2行“参数”列：线性扣减须填写参数 deduct",
    ),
    (
        "duplicate leaf",
        "重复.xlsx",
        xlsx(
            [
                ["产出", "数量", "完成率", 50, "ratio", "", "100%", "90%", None],
                ["产出", "数量", "完成率", 50, "ratio", "", "100%", "90%", None],
            ]
        ),
        "重复（与第2行重复）",
    ),
    (
        "bad grade sheet",
        "等级.xlsx",
        xlsx(small_tree(), grades=[["等级", "下限"], ["优", 90], ["良", "八十"]]),
        "“等级”工作表第3行“下限”列",
    ),
    (
        "weight with three decimals",
        "小数.xlsx",
        xlsx(
            [
                ["产出", "数量", "完成率", 33.335, "ratio", "", "100%", "90%", None],
                ["产出", "数量", "合格率", 33.335, "ratio", "", "100%", "90%", None],
                ["产出", "数量", "及时率", 33.33, "ratio", "", "100%", "90%", None],
            ]
        ),
        "第2行“分值”列：分值最多保留两位小数",
    ),
    (
        "name too long",
        "名称.xlsx",
        xlsx([["产出", "数量", "完" * 130, 100, "ratio", "", "100%", "90%", None]]),
        "第2行“三级指标”列：三级指标不能超过120个字符",
    ),
]


@pytest.mark.parametrize(
    ("label", "name", "data", "text"), BAD_SHEETS, ids=[b[0] for b in BAD_SHEETS]
)
def test_page_refuses_malformed_sheets_and_keeps_the_tree(
    login, db, demo, fresh, label, name, data, text
):
    c = login("demo-lead")
    assert _upload(c, fresh, xlsx(small_tree())).status_code == 302
    before = [(i.name, i.weight) for i in indicators_of(db, fresh)]
    imports = len(audits(db, "indicators.import", fresh))
    r = _upload(c, fresh, data, name)
    page = r.get_data(as_text=True)
    assert r.status_code == 422, label
    assert 'id="import-errors"' in page and "未导入任何内容" in page
    assert text in page, page[page.find("import-errors") : page.find("import-errors") + 800]
    assert [(i.name, i.weight) for i in indicators_of(db, fresh)] == before
    assert len(audits(db, "indicators.import", fresh)) == imports


@pytest.mark.parametrize(
    ("label", "name", "data", "text"), BAD_SHEETS[2:], ids=[b[0] for b in BAD_SHEETS[2:]]
)
def test_api_refuses_malformed_sheets_with_rows_and_columns(
    client, db, demo, fresh, token_for, label, name, data, text
):
    headers = token_for(demo.users["demo-lead"])
    r = _api_upload(client, fresh, headers, data, name)
    assert r.status_code == 422, label
    body = r.get_json()
    assert "未导入任何内容" in body["error"]
    assert any(text in e["message"] for e in body["errors"]), body
    assert all({"row", "column", "message"} <= set(e) for e in body["errors"])
    assert indicators_of(db, fresh) == []


def test_api_rejects_a_non_excel_upload(client, demo, fresh, token_for, db):
    headers = token_for(demo.users["demo-lead"])
    r = _api_upload(client, fresh, headers, b"MZ\x90\x00 executable", "病毒.xlsx")
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["field"] == "file"
    assert indicators_of(db, fresh) == []


def test_page_import_of_the_sample_then_tree_shows_groups_and_subtotals(login, db, demo, fresh):
    c = login("demo-lead")
    r = _upload(c, fresh, sample_bytes(), "indicator_sheet_example.xlsx")
    assert r.status_code == 302
    r = c.get(r.headers["Location"])
    page = r.get_data(as_text=True)
    assert "已导入24项三级指标（新增24、更新0、删除0），等级表已按“等级”工作表设置" in page
    assert len(indicators_of(db, fresh)) == 24
    assert page.count('class="leaf') == 24
    assert (
        '<tr class="table-primary level1"><td colspan="1"><strong>决策</strong></td><td class="text-end"><strong>20.00</strong>'
        in page
    )
    assert 'id="indicator-valid"' in page
    assert get_system(db, fresh).confirmed_at is None


def test_api_import_of_the_sample_then_scores_reproduce_85_01(client, db, demo, fresh, token_for):
    headers = token_for(demo.users["demo-lead"])
    r = _api_upload(client, fresh, headers, sample_bytes(), "indicator_sheet_example.xlsx")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "imported": 24,
        "created": 24,
        "updated": 0,
        "deleted": 0,
        "grades_set": True,
        "warnings": [],
    }
    body = client.get(f"/api/v1/engagements/{fresh.id}/scores", headers=headers).get_json()
    assert (body["total"], body["grade"]) == ("85.01", "良")
    scores = {leaf["path"][2]: leaf["score"] for leaf in body["indicators"]}
    assert scores == EXPECTED
    first = body["indicators"][0]
    assert first == {
        "path": ["决策", "项目立项", "立项依据充分性"],
        "weight": "3.00",
        "score": "2.63",
        "rule": "elements",
        "not_applicable": False,
    }
    na = next(leaf for leaf in body["indicators"] if leaf["not_applicable"])
    assert na["path"][2] == "带动本地农产品采购" and na["score"] is None


def _tree(**changes) -> dict:
    items = [
        {
            "path": ["产出", "数量", "完成率"],
            "weight": "60",
            "rule": "ratio",
            "target": "100%",
            "actual": "90%",
        },
        {
            "path": ["效益", "满意度", "满意度"],
            "weight": "40",
            "rule": "正向比率",
            "target": "≥90%",
            "actual": "95%",
        },
    ]
    body = {"indicators": items, "grades": [["优秀", "90"], ["合格", "60"], ["不合格", "0"]]}
    body.update(changes)
    return body


def test_api_json_tree_replaces_the_tree_and_sets_grades(client, db, demo, fresh, token_for):
    headers = token_for(demo.users["demo-lead"])
    r = client.put(f"/api/v1/engagements/{fresh.id}/indicators", json=_tree(), headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["imported"] == 2 and r.get_json()["grades_set"]
    body = client.get(f"/api/v1/engagements/{fresh.id}/scores", headers=headers).get_json()
    assert body["total"] == "94.00" and body["grade"] == "优秀"
    assert [leaf["rule"] for leaf in body["indicators"]] == ["ratio", "ratio"]
    assert by_name(db, fresh)["满意度"].actual == "95%"


@pytest.mark.parametrize(
    ("change", "row", "column", "text"),
    [
        ({"weight": "50"}, None, "分值", "合计为90"),
        ({"rule": "随便"}, 1, "规则", "未知的评分规则"),
        ({"rule": "linear", "params": "per=1%"}, 1, "参数", "deduct"),
        ({"target": "很多"}, 1, "目标值", "没有数字"),
        ({"path": ["产出", "", "完成率"]}, 1, "二级指标", "不能为空"),
        ({"weight": "60.125"}, 1, "分值", "两位小数"),
    ],
)
def test_api_json_tree_errors_name_row_and_column(
    client, db, demo, fresh, token_for, change, row, column, text
):
    headers = token_for(demo.users["demo-lead"])
    body = _tree()
    body["indicators"][0].update(change)
    r = client.put(f"/api/v1/engagements/{fresh.id}/indicators", json=body, headers=headers)
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert any(e["row"] == row and e["column"] == column and text in e["message"] for e in errors)
    assert indicators_of(db, fresh) == []


def test_api_json_tree_refuses_a_bad_grade_table_and_bad_shapes(client, db, demo, fresh, token_for):
    headers = token_for(demo.users["demo-lead"])
    url = f"/api/v1/engagements/{fresh.id}/indicators"
    r = client.put(url, json=_tree(grades=[["优", "90"]]), headers=headers)
    assert r.status_code == 422
    assert any("下限为0" in e["message"] for e in r.get_json()["errors"])
    r = client.put(
        url, json={"indicators": [{"path": ["只有一级"], "weight": 100}]}, headers=headers
    )
    assert r.status_code == 422
    r = client.put(url, data="not json", headers={**headers, "Content-Type": "text/plain"})
    assert r.status_code == 422
    assert indicators_of(db, fresh) == []


def test_api_scores_total_is_null_while_incomplete(client, db, demo, fresh, token_for):
    headers = token_for(demo.users["demo-lead"])
    body = _tree()
    body["indicators"][0]["actual"] = None
    assert (
        client.put(
            f"/api/v1/engagements/{fresh.id}/indicators", json=body, headers=headers
        ).status_code
        == 200
    )
    scores = client.get(f"/api/v1/engagements/{fresh.id}/scores", headers=headers).get_json()
    assert scores["total"] is None and scores["grade"] is None
    assert [leaf["score"] for leaf in scores["indicators"]] == [None, "40.00"]


def test_api_other_bureau_and_unit_cannot_reach_the_tree(client, demo, token_for):
    e = demo.engagement
    for username, status in (("demo-bureau2", 404), ("demo-unit", 403), ("demo-expert", 403)):
        headers = token_for(demo.users[username])
        assert (
            client.get(f"/api/v1/engagements/{e.id}/scores", headers=headers).status_code == status
        )
        r = client.put(f"/api/v1/engagements/{e.id}/indicators", json=_tree(), headers=headers)
        assert r.status_code == status


def test_export_round_trips_through_the_reader_with_extra_columns(login, db, demo):
    c = login("demo-lead")
    e = demo.engagement
    r = c.get(f"/engagements/{e.id}/indicators/export")
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    parsed = read_sheet(r.data, for_scoring=True)
    assert len(parsed.leaves) == 24
    assert parsed.grades[0] == ("优", Decimal(90))
    workbook = openpyxl.load_workbook(io.BytesIO(r.data))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[-3:] == ["评价要点", "标准类型", "数据来源"]
    # The demo's 家长满意度 follows its survey and 预算执行率 its D-07-01 paper (93.35 %), so the demo
    # total is 85.47 (the sheet alone: 85.01).
    assert "85.47" in json.dumps(
        [[str(c.value) for c in row] for row in workbook["评分结果"].iter_rows()]
    )


def test_extra_columns_are_read_back_on_import(login, db, demo, fresh):
    rows = [[*row, "要点一\n要点二", "行业标准", "统计年报"] for row in small_tree()]
    data = xlsx(rows, header=[*HEADER, "评价要点", "标准类型", "数据来源"])
    assert _upload(login("demo-lead"), fresh, data).status_code == 302
    leaf = by_name(db, fresh)["完成率"]
    assert (leaf.points, leaf.standard_type, leaf.evidence_sources) == (
        "要点一\n要点二",
        "行业标准",
        "统计年报",
    )
    bad = xlsx(
        [[*small_tree()[0], "", "国际标准", ""], *[[*r, "", "", ""] for r in small_tree()[1:]]],
        header=[*HEADER, "评价要点", "标准类型", "数据来源"],
    )
    r = _upload(login("demo-lead"), fresh, bad)
    assert r.status_code == 422
    assert "第2行“标准类型”列：标准类型“国际标准”" in r.get_data(as_text=True)


def test_openapi_documents_the_tree_and_score_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    put = paths["/engagements/{id}/indicators"]["put"]
    assert "multipart" in put["summary"] and "TreeIn" in str(put["requestBody"])
    assert "ScoresOut" in str(paths["/engagements/{id}/scores"]["get"]["responses"]["200"])


def test_api_replacing_a_confirmed_signed_system_needs_the_flag(client, db, demo, fresh, token_for):
    from workbench.core.timeutil import utcnow
    from workbench.indicators import services

    lead = demo.users["demo-lead"]
    headers = token_for(lead)
    url = f"/api/v1/engagements/{fresh.id}/indicators"
    assert client.put(url, json=_tree(), headers=headers).status_code == 200
    services.confirm(db, actor=lead, engagement=fresh)
    system = get_system(db, fresh)
    system.scores_signed_by_id, system.scores_signed_at = lead.id, utcnow()
    db.flush()
    before = {i.name: i.weight for i in indicators_of(db, fresh)}
    changed = _tree()
    changed["indicators"][0]["weight"], changed["indicators"][1]["weight"] = "40", "60"
    refused = client.put(url, json=changed, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith(
        "替换指标体系将清除李项目（项目负责人）对指标体系的确认、李项目（项目负责人）的评分签字"
    )
    db.expire_all()
    assert {i.name: i.weight for i in indicators_of(db, fresh)} == before
    assert get_system(db, fresh).scores_signed_at is not None
    sheet = client.put(
        url, data={"file": (io.BytesIO(sample_bytes()), "指标表.xlsx"),
                   "confirm_clear_signoffs": "也许"},
        content_type="multipart/form-data", headers=headers,
    )  # fmt: skip
    assert sheet.status_code == 422
    done = client.put(url, json={**changed, "confirm_clear_signoffs": True}, headers=headers)
    assert done.status_code == 200, done.get_json()
    db.expire_all()
    system = get_system(db, fresh)
    assert system.confirmed_at is None and system.scores_signed_at is None
    assert audits(db, "scoring.signoff_cleared", fresh)
