"""导入绩效目标申报表（目标值） (issue 21): a bureau's declaration onto the leaves' 目标值 — the
template lists the leaves, the preview writes nothing, the confirmation writes what was previewed
through the leaf edit service, every bad row is named by row and column."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.indicators.helpers import audits, by_name, import_sample, new_engagement
from tests.permissions_roles import fresh_engagement
from tests.table_import_helpers import preview_token, sheet_bytes
from workbench.facts import services as facts
from workbench.indicators import services
from workbench.indicators.system import get_system
from workbench.indicators.targets_import import FIELDS, SHEET
from workbench.indicators.tree import to_leaf
from workbench.scoring import services as scoring
from workbench.scoring.calculator import score_leaf

HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"]


def _xlsx(rows: list[list], *, sheet: str = SHEET) -> bytes:
    return sheet_bytes(rows, sheet=sheet)


def _upload(client, engagement, data: bytes, name: str = "绩效目标申报表.xlsx"):
    return client.post(
        f"/engagements/{engagement.id}/indicators/targets/import",
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, engagement, token: str, **extra):
    return client.post(
        f"/engagements/{engagement.id}/indicators/targets/import/confirm",
        data={"token": token, **extra},
    )


_token = preview_token


def _targets(db, engagement) -> dict[str, str]:
    return {name: leaf.target for name, leaf in by_name(db, engagement).items()}


def _flashed(client) -> list[str]:
    with client.session_transaction() as session:
        return [text for _category, text in session.get("_flashes", [])]


def _error(response) -> str:
    return unquote(response.headers.get("X-Domain-Error", ""))


@pytest.fixture()
def sample(db, demo):
    """A fresh engagement with the sample sheet imported by the lead (not confirmed)."""
    engagement = new_engagement(db, demo)
    import_sample(db, engagement, demo.users["demo-lead"])
    return engagement


def test_the_template_lists_the_leaves_with_their_targets(login, sample):
    response = login("demo-evaluator").get(
        f"/engagements/{sample.id}/indicators/targets/import/template.xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [SHEET, "填写说明"]
    rows = list(book[SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER == [f.header for f in FIELDS]
    by_leaf = {r[2]: r for r in rows[1:]}
    assert len(by_leaf) == 24
    assert by_leaf["受益学生人数"] == ("产出", "产出数量", "受益学生人数", None, "≥52,000人", None)
    assert by_leaf["资金拨付及时性"][4] is None  # no target yet: left to fill
    notes = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["三级指标"][1] == "必填"
    assert "≥、≤、＞、＜、=、定性" in notes["指标性质"][2]


def test_the_template_as_downloaded_changes_nothing(login, db, sample):
    client = login("demo-lead")
    data = client.get(f"/engagements/{sample.id}/indicators/targets/import/template.xlsx").data
    response = _upload(client, sample, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "目标值不变 11 行，未填写不导入 13 行" in page
    assert 'id="table-confirm"' in page and re.search(r'id="table-confirm"\s+disabled', page)
    assert "import-clear-warning" not in page


def test_preview_writes_nothing_then_the_confirmation_writes_what_was_previewed(
    login, db, demo, sample
):
    before = _targets(db, sample)
    logged = len(audits(db, "indicators.update", sample))
    client = login("demo-evaluator")
    tree = client.get(f"/engagements/{sample.id}/indicators").get_data(as_text=True)
    assert 'id="targets-import"' in tree and "导入绩效目标申报表（目标值）" in tree
    # As a bureau's declaration reads: its own group names and column names, merged group cells.
    data = _xlsx([
        ["一级指标", "二级指标", "三级指标", "符号", "年度指标值", "计量单位"],
        ["产出指标", "数量指标", "受益学生人数", "≥", "53000", "人"],
        [None, None, "新建食堂数量", "≥", 12, "个"],  # not an indicator of this evaluation
        [None, "质量指标", "营养餐标准达标率", "≥", 96, "%"],
        [None, None, "食品安全抽检合格率", None, 100, "%"],  # as it is: 100%
        [None, "时效指标", "资金拨付及时性", None, None, None],  # nothing declared
        [None, "成本指标", "生均每日补助标准", "≤", "4.5", "元"],
        ["效益指标", "社会效益指标", "学生营养健康状况改善", "定性", "明显改善", None],
        ["满意度指标", "服务对象满意度指标", "学生 满意度", "≥", "92", "%"],  # under 效益 here
    ])  # fmt: skip
    response = _upload(client, sample, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert (
        "更新目标值 4 行，目标值不变 1 行，定性目标不导入 1 行，未填写不导入 1 行，未匹配不导入 1 行"
        in page
    )
    for shown in ("未匹配，不导入", "定性目标，不导入", "不变", "效益/满意度/学生满意度",
                  "评分只读取一个数值", "≥53000人", "≤4.5元"):  # fmt: skip
        assert shown in page, shown
    assert "import-clear-warning" not in page  # nothing confirmed or signed yet
    assert _targets(db, sample) == before
    assert len(audits(db, "indicators.update", sample)) == logged

    done = _confirm(client, sample, _token(page))
    assert done.status_code == 302 and not _error(done), _error(done)
    after = _targets(db, sample)
    changed = {k: v for k, v in after.items() if before[k] != v}
    assert changed == {
        "受益学生人数": "≥53000人",
        "营养餐标准达标率": "≥96%",
        "生均每日补助标准": "≤4.5元",
        "学生满意度": "≥92%",
    }
    entries = audits(db, "indicators.update", sample)[logged:]
    assert {(e.before["target"], e.after["target"]) for e in entries} == {
        (before[name], target) for name, target in changed.items()
    }
    assert all(e.actor_id == demo.users["demo-evaluator"].id for e in entries)
    # The engine reads the number meant: 6 × 50,936 ÷ 53,000.
    leaves = by_name(db, sample)
    assert score_leaf(to_leaf(leaves["受益学生人数"])).score == Decimal("5.77")
    tree = client.get(f"/engagements/{sample.id}/indicators").get_data(as_text=True)
    assert "≥53000人" in tree and "≤4.5元" in tree


def test_every_bad_row_is_named_and_nothing_is_written(login, db, demo, sample):
    lead = demo.users["demo-lead"]
    data = services.IndicatorInput(level1="效益", level2="社会效益", name="学生满意度",
                                   weight=Decimal(1), rule="ratio", target="≥90%")  # fmt: skip
    services.create_indicator(db, actor=lead, engagement=sample, data=data)
    db.flush()
    before = _targets(db, sample)
    long_value = "较" * 97 + "95"
    data = _xlsx([HEADER,
                  [None, None, "供餐天数", "约", "200", "天"],
                  [None, None, "学生出勤率", "≥", "较高", None],
                  [None, None, "预算执行率", "≤", "≥100%", None],
                  [None, None, "供餐天数", "≥", "210", "天"],
                  [None, None, "家长满意度", "≥", "85", "㎡"],
                  [None, None, None, "≥", "1", None],
                  [None, None, "学生满意度", "≥", "92", "%"],
                  ["效益指标", "满意度指标", "学生满意度", "≥", "92", "%"],  # told apart: fine
                  [None, None, "营养餐标准达标率", "≥", long_value, "%"]])  # fmt: skip
    response = _upload(login("demo-lead"), sample, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第2行“指标性质”列：指标性质“约”无法识别",
        "第3行“指标值”列：指标性质为“≥”，指标值应为一个数值：“较高”中没有数字",
        "第4行“指标值”列：指标值“≥100%”中的符号与指标性质“≤”不一致",
        "第5行“三级指标”列：与第2行是同一指标“产出/产出数量/供餐天数”",
        "第6行“度量单位”列：与指标值连写为“≥85㎡”后无法按原数值读取",
        "第7行“三级指标”列：必填，不能为空",
        "第8行“三级指标”列：“学生满意度”对应本项目的多个三级指标"
        "（效益/社会效益/学生满意度、效益/满意度/学生满意度），请在“一级指标”“二级指标”列写明",
        "第10行“指标值”列：目标值不能超过100个字符",
    ):
        assert expected in page, re.findall(r"<li>(第.*?)</li>", page)
    assert "第9行" not in page
    assert 'id="table-confirm"' not in page
    assert _targets(db, sample) == before


def test_a_file_that_is_not_the_declaration_is_refused_with_the_reason(login, db, sample):
    client = login("demo-lead")
    before = _targets(db, sample)
    cases = {
        "缺少必填列“三级指标”": _xlsx([["一级指标", "指标值"], ["产出", "95"]]),
        "列名之下没有数据": _xlsx([HEADER]),
        "“指标值”列出现了两次": _xlsx([HEADER + ["目标值"], ["", "", "学生出勤率", "", "1", "", "2"]]),
        "表格是空的": _xlsx([]),
        "公式": _xlsx([HEADER, [None, None, "学生出勤率", None, "=1+1", None]]),
        "没有读到任何指标值": _xlsx([["三级指标", "2025年指标值"], ["学生出勤率", "98%"]]),
    }  # fmt: skip
    for reason, data in cases.items():
        response = _upload(client, sample, data)
        assert response.status_code == 422, reason
        assert reason in response.get_data(as_text=True), reason
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = _upload(client, sample, png, "绩效目标申报表.xlsx")
    assert response.status_code == 422 and "文件有误" in response.get_data(as_text=True)
    missing = client.post(f"/engagements/{sample.id}/indicators/targets/import", data={})
    assert missing.status_code == 302 and _error(missing).startswith("422 ")
    assert _targets(db, sample) == before


def test_csv_and_columns_in_any_order_with_extra_columns_ignored(login, db, sample):
    text = "备注,指标值,三级指标,单位,指标性质\n来自申报系统,99,学生出勤率,%,≥\n".encode("gb18030")
    client = login("demo-lead")
    response = _upload(client, sample, text, "绩效目标申报表.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "以下列不属于模板，未读取：备注" in page
    assert _confirm(client, sample, _token(page)).status_code == 302
    assert _targets(db, sample)["学生出勤率"] == "≥99%"


def test_a_token_is_only_good_for_its_user_engagement_and_contents(login, db, demo, sample):
    client = login("demo-lead")
    page = _upload(client, sample, _xlsx([HEADER, [None, None, "学生出勤率", "≥", "99", "%"]]))
    token = _token(page.get_data(as_text=True))
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (tampered, "", "not-a-token"):
        refused = _confirm(client, sample, bad)
        assert refused.status_code == 302 and "预览已失效" in _error(refused)
    other = fresh_engagement(db, demo, "另一项目")
    import_sample(db, other, demo.users["demo-lead"])
    assert "预览已失效" in _error(_confirm(client, other, token))
    assert "预览已失效" in _error(_confirm(login("demo-evaluator"), sample, token))
    assert _targets(db, sample)["学生出勤率"] == _targets(db, other)["学生出勤率"] == "98%"
    assert _confirm(client, sample, token).status_code == 302
    assert _targets(db, sample)["学生出勤率"] == "≥99%"


def test_a_binding_made_after_the_preview_refuses_the_confirmation(login, db, demo, sample):
    client = login("demo-lead")
    page = _upload(
        client, sample, _xlsx([HEADER, [None, None, "受益学生人数", "≥", "53000", "人"]])
    )
    token = _token(page.get_data(as_text=True))
    leaf = by_name(db, sample)["受益学生人数"]
    facts.save(db, actor=demo.users["demo-lead"], engagement=sample, version=0,
               entries={"beneficiaries_planned": facts.FactEntry(text="52000")})  # fmt: skip
    facts.bind(db, actor=demo.users["demo-lead"], engagement=sample,
               version=facts.sheet_version(db, sample),
               choices={leaf.id: ("beneficiaries_planned", "")})  # fmt: skip
    db.flush()
    refused = _confirm(client, sample, token)
    assert refused.status_code == 302 and _error(refused).startswith("422 ")
    assert any("已绑定基本信息“计划受益人数”" in text for text in _flashed(client))
    assert _targets(db, sample)["受益学生人数"] == "52,000人"


def test_a_bound_target_is_a_problem_unless_unchanged(login, db, demo):
    e = demo.engagement  # 受益学生人数's 目标值 is bound to 计划受益人数 (52,000人)
    client = login("demo-lead")
    refused = _upload(client, e, _xlsx([HEADER, [None, None, "受益学生人数", "≥", "53000", "人"]]))
    assert refused.status_code == 422
    assert (
        "第2行“指标值”列：“产出/产出数量/受益学生人数”的目标值已绑定基本信息“计划受益人数”"
        "（现为“52,000人”），请先在基本信息页解除绑定，或删去此行"
    ) in refused.get_data(as_text=True)
    same = _upload(client, e, _xlsx([HEADER, [None, None, "受益学生人数", None, "52,000", "人"]]))
    assert same.status_code == 200 and "目标值不变 1 行" in same.get_data(as_text=True)


def test_a_confirmed_and_signed_system_is_cleared_only_with_the_box_ticked(login, db, demo):
    e = demo.engagement
    lead = demo.users["demo-lead"]
    scoring.sign(db, actor=lead, engagement=e)
    db.flush()
    before = _targets(db, e)
    client = login("demo-lead")
    page = _upload(client, e, _xlsx([HEADER, [None, None, "学生出勤率", "≥", "99", "%"]]))
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "import-clear-warning" in text and "对指标体系的确认" in text and "评分签字" in text
    token = _token(text)
    refused = _confirm(client, e, token)
    assert refused.status_code == 302 and _error(refused).startswith("409 ")
    assert _targets(db, e) == before
    done = _confirm(client, e, token, confirm_clear_signoffs="y")
    assert done.status_code == 302 and not _error(done), _error(done)
    assert _targets(db, e)["学生出勤率"] == "≥99%"
    db.expire_all()
    system = get_system(db, e)
    assert system.confirmed_at is None and system.scores_signed_at is None
    assert audits(db, "indicators.confirmation_cleared", e)
    assert audits(db, "scoring.signoff_cleared", e)


def test_after_confirmation_only_the_lead_imports(login, demo):
    e = demo.engagement  # confirmed by the lead
    evaluator = login("demo-evaluator")
    tree = evaluator.get(f"/engagements/{e.id}/indicators").get_data(as_text=True)
    assert 'id="targets-import"' not in tree
    data = _xlsx([HEADER, [None, None, "学生出勤率", "≥", "99", "%"]])
    refused = _upload(evaluator, e, data)
    assert refused.status_code == 302 and refused.headers["X-Permission-Denied"] == "403"
    assert "确认后只有项目负责人可以修改" in _error(refused)
    assert 'id="targets-import"' in login("demo-lead").get(
        f"/engagements/{e.id}/indicators"
    ).get_data(as_text=True)


def test_only_the_team_may_import(login, demo):
    e = demo.engagement
    data = _xlsx([HEADER, [None, None, "学生出勤率", "≥", "99", "%"]])
    for username in ("demo-bureau", "demo-unit", "demo-expert"):
        assert _upload(login(username), e, data).status_code in (403, 404), username


def test_a_value_typed_as_a_percentage_in_excel_is_read_as_one(login, db, sample):
    """A declaration's 95% is the number 0.95 formatted 0%: the target is ≥95%, not ≥0.95%."""
    from openpyxl import load_workbook as load

    data = _xlsx([
        HEADER,
        ["产出", "产出质量", "营养餐标准达标率", "≥", 0.96, "%"],
        ["产出", "产出质量", "食品安全抽检合格率", "≥", 0.985, None],
    ])  # fmt: skip
    book = load(BytesIO(data))
    book[SHEET]["E2"].number_format = "0%"
    book[SHEET]["E3"].number_format = "0.0%"
    buffer = BytesIO()
    book.save(buffer)
    client = login("demo-lead")
    page = _upload(client, sample, buffer.getvalue()).get_data(as_text=True)
    assert "≥96%" in page and "≥98.5%" in page
    assert _confirm(client, sample, _token(page)).status_code == 302
    targets = _targets(db, sample)
    assert targets["营养餐标准达标率"] == "≥96%" and targets["食品安全抽检合格率"] == "≥98.5%"
