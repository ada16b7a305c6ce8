"""导入整改事项 (issue 21, Excel in): the template from the approved report, a preview that writes
nothing, a confirmation creating what was previewed through the create form's rules, a row naming
an existing item, every bad row named by row and column, hostile files and tokens, the exported
list imported back."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from tests.permissions_roles import fresh_engagement
from tests.review.conftest import PLAN_SECTIONS, make_version
from tests.review.test_notifications import smtp  # noqa: F401 - the fixture
from tests.review.test_rating import FULL
from tests.table_import_helpers import sheet_bytes
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict
from workbench.core.spreadsheet.table_read import read_rows
from workbench.core.timeutil import local
from workbench.engagements.archive_hooks import archive
from workbench.review import rating, rectification
from workbench.review.models import Notification
from workbench.review.rectification_import import FIELDS, SHEET, import_items

HEADER = ["问题", "整改要求", "反馈期限", "整改期限"]
FIRST, SECOND = "资金拨付不及时，部分学校延迟两个月到账", "绩效目标设置不够细化量化"  # the report's


def _xlsx(rows: list[list], *, sheet: str = SHEET) -> bytes:
    return sheet_bytes(rows, sheet=sheet)


def _url(engagement, tail: str = "") -> str:
    return f"/engagements/{engagement.id}/review/rectification{tail}"


def _upload(client, engagement, data: bytes, name: str = "整改清单.xlsx"):
    return client.post(
        _url(engagement, "/import"),
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, engagement, page: str):
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post(_url(engagement, "/import/confirm"), data={"token": token})


def _items(db, engagement) -> list[tuple]:
    db.expire_all()  # the requests wrote through their own session
    return [
        (i.position, i.problem, i.requirement, i.feedback_due, i.rectify_due)
        for i in rectification.items_of(db, engagement)
    ]


def _count(db, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _written(db, engagement) -> tuple[int, int, int]:
    """Items, their audit entries, the notifications about them."""
    return (
        len(_items(db, engagement)),
        _count(db, AuditEntry, AuditEntry.engagement_id == engagement.id,
               AuditEntry.action == "review.rectification_create"),
        _count(db, Notification, Notification.engagement_id == engagement.id,
               Notification.kind == "review.rectification"),
    )  # fmt: skip


def _defaults(approved) -> tuple[date, date]:
    feedback = local(approved.decided_at).date() + timedelta(days=20)
    return feedback, feedback + timedelta(days=30)


# --- the service, with plain rows ---------------------------------------------------------------


def test_each_row_is_an_item_with_its_own_dates_and_one_notice_for_all(
    engagement, approved, db, people
):
    read = read_rows(
        [HEADER, ["甲问题", "甲要求", date(2026, 6, 30), date(2026, 9, 30)], ["乙问题", None, None, None]],
        FIELDS,
    )  # fmt: skip
    done = import_items(db, actor=people.lead, engagement=engagement, read=read)
    assert [(r.row, r.action) for r in done] == [(2, "add"), (3, "add")]
    feedback, rectify = _defaults(approved)
    assert _items(db, engagement) == [
        (1, "甲问题", "甲要求", date(2026, 6, 30), date(2026, 9, 30)),
        (2, "乙问题", "", feedback, rectify),
    ]
    notes = db.exec(select(Notification).where(Notification.kind == "review.rectification")).all()
    assert {n.user_id for n in notes} == {people.bureau.id, people.unit.id} and len(notes) == 2
    assert all("2 项" in n.title and "各项期限见整改清单" in n.body for n in notes)
    assert "最早的反馈期限 2026-06-30" in notes[0].body


def test_the_rules_are_the_create_forms(engagement, submitted, db, people):
    read = read_rows([HEADER, ["甲问题", None, None, None]], FIELDS)
    with pytest.raises(Conflict, match="经委托方审核通过后"):
        import_items(db, actor=people.lead, engagement=engagement, read=read)
    assert _items(db, engagement) == []


# --- the pages ----------------------------------------------------------------------------------


def test_the_template_lists_the_reports_problems_not_yet_items_with_dates(
    login, db, engagement, approved, people
):
    rectification.create_items(db, actor=people.lead, engagement=engagement, text=SECOND)
    db.flush()
    response = login("demo-lead").get(_url(engagement, "/import/template.xlsx"))
    assert response.status_code == 200
    assert unquote(response.headers["Content-Disposition"]).endswith(" 整改清单导入模板.xlsx")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [SHEET, "填写说明"]
    header, row, *rest = book[SHEET].iter_rows()
    assert [c.value for c in header] == HEADER == [f.header for f in FIELDS] and rest == []
    feedback, rectify = _defaults(approved)
    assert [c.value for c in row] == [FIRST, None, datetime(*feedback.timetuple()[:3]),
                                      datetime(*rectify.timetuple()[:3])]  # fmt: skip
    assert row[2].is_date and row[2].number_format == "yyyy-mm-dd"
    notes = {r[0]: r for r in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["问题"][1] == "必填" and "留空则为" in notes["反馈期限"][2]


def test_before_the_approval_there_is_no_button_and_the_upload_is_refused(
    login, db, engagement, submitted
):
    client = login("demo-lead")
    assert 'id="import-rectification"' not in client.get(_url(engagement)).get_data(as_text=True)
    template = load_workbook(BytesIO(client.get(_url(engagement, "/import/template.xlsx")).data))
    assert [[c.value for c in r] for r in template[SHEET].iter_rows()] == [HEADER]
    refused = _upload(client, engagement, _xlsx([HEADER, ["甲问题", None, None, None]]))
    assert refused.status_code == 302
    assert "经委托方审核通过后" in unquote(refused.headers["X-Domain-Error"])
    assert _written(db, engagement) == (0, 0, 0)


def test_preview_writes_nothing_and_the_confirmation_writes_what_was_previewed(
    login, db, engagement, approved, people
):
    [known] = rectification.create_items(
        db, actor=people.lead, engagement=engagement, text=f"{SECOND} | 细化绩效目标"
    )
    db.flush()
    before = _written(db, engagement)
    client = login("demo-lead")
    page = client.get(_url(engagement)).get_data(as_text=True)
    assert 'id="import-rectification"' in page and "从Excel导入" in page
    data = _xlsx([HEADER,
                  [FIRST, "建立拨付时限制度", "2026/6/30", "2026年9月30日"],
                  [None, None, None, None],  # a blank row is skipped
                  ["问卷回收率偏低", None, date(2026, 7, 15), None],
                  [f" {SECOND}", "细化绩效目标", None, known.rectify_due]])  # fmt: skip
    response = _upload(client, engagement, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "新增 2 行，已有此事项，不变 1 行" in page
    rectify_default = date(2026, 7, 15) + timedelta(days=30)
    assert f"{rectify_default:%Y-%m-%d}（默认）" in page
    assert f"{known.feedback_due:%Y-%m-%d}（默认）" not in page  # the item's own, not a default
    assert _written(db, engagement) == before  # the preview undid its writes

    done = _confirm(client, engagement, page)
    assert done.status_code == 302 and done.headers["Location"].endswith(_url(engagement))
    assert _items(db, engagement)[1:] == [
        (2, FIRST, "建立拨付时限制度", date(2026, 6, 30), date(2026, 9, 30)),
        (3, "问卷回收率偏低", "", date(2026, 7, 15), rectify_default),
    ]
    # An audit entry per item; the bureau and the unit told once.
    assert _written(db, engagement) == (3, before[1] + 2, before[2] + 2)
    page = client.get(_url(engagement)).get_data(as_text=True)
    assert "已导入整改事项：新增 2 行，已有此事项，不变 1 行" in page


def test_the_preview_mails_nobody_and_the_confirmation_mails_once(
    login,
    db,
    engagement,
    approved,
    people,
    smtp,  # noqa: F811 - the fixture
):
    people.bureau.email = "liu@czj.example.cn"
    db.add(people.bureau)
    db.flush()
    client = login("demo-lead")
    data = _xlsx([HEADER, ["甲问题", None, None, None], ["乙问题", None, None, None]])
    page = _upload(client, engagement, data).get_data(as_text=True)
    assert "新增 2 行" in page and smtp.sent == []
    assert _confirm(client, engagement, page).status_code == 302
    [message] = smtp.sent
    assert message["To"] == "liu@czj.example.cn" and "已建立 2 项整改跟踪事项" in message["Subject"]


def test_every_bad_row_is_named_and_nothing_is_written(login, db, engagement, approved, people):
    rectification.create_items(db, actor=people.lead, engagement=engagement,
                               text=f"{SECOND} | 细化绩效目标")  # fmt: skip
    db.flush()
    before = _written(db, engagement)
    data = _xlsx([HEADER,
                  ["可以导入的问题", None, None, None],  # fine alone, but the file has errors
                  [None, "只有要求", None, None],
                  ["长" * 2001, None, None, None],
                  ["日期写错", None, "下月底", "2026-02-30"],
                  ["整改早于反馈", None, "2026-06-30", "2026-06-01"],
                  ["可以导入的问题", None, None, None],
                  [SECOND, "另一要求", None, None]])  # fmt: skip
    response = _upload(login("demo-lead"), engagement, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行“问题”列：必填，不能为空",
        "第4行“问题”列：不能超过 2000 个字（现有 2001 个）",
        "第5行“反馈期限”列：应为日期（如 2026-03-31），现为“下月底”",
        "第5行“整改期限”列：应为日期（如 2026-03-31），现为“2026-02-30”",
        "第6行：整改事项有误（整改期限不能早于反馈期限）",
        "第7行“问题”列：与第2行的问题相同",
        "第8行“问题”列：与已有整改事项第1项的问题相同，但整改要求不同；导入只新增事项",
    ):
        assert expected in page, expected
    assert 'id="table-confirm"' not in page
    assert _written(db, engagement) == before


def test_the_exported_list_imports_back_with_new_rows_added(
    login, db, engagement, approved, people
):
    rectification.create_items(db, actor=people.lead, engagement=engagement,
                               text=f"{FIRST} | 建立拨付时限制度\n{SECOND}")  # fmt: skip
    db.flush()
    client = login("demo-lead")
    book = load_workbook(BytesIO(client.get(_url(engagement, ".xlsx")).data))
    sheet = book[SHEET]
    sheet.append([None, "问卷回收率偏低", "提高回收率", "2026-08-01", "2026-09-01"])
    buffer = BytesIO()
    book.save(buffer)
    page = _upload(client, engagement, buffer.getvalue()).get_data(as_text=True)
    assert "新增 1 行，已有此事项，不变 2 行" in page, page
    assert "以下列不属于模板，未读取：序号、状态、反馈情况" in page
    assert _confirm(client, engagement, page).status_code == 302
    assert [i[1:3] for i in _items(db, engagement)] == [
        (FIRST, "建立拨付时限制度"), (SECOND, ""), ("问卷回收率偏低", "提高回收率"),
    ]  # fmt: skip


def test_a_file_that_is_not_the_list_is_refused_with_the_reason(login, db, engagement, approved):
    client = login("demo-lead")
    cases = {
        "缺少必填列“问题”": _xlsx([["整改要求", "反馈期限"], ["甲", None]]),
        "列名之下没有数据": _xlsx([HEADER]),
        "“问题”列出现了两次": _xlsx([[*HEADER, "问题"], ["甲", None, None, None, "乙"]]),
        "表格是空的": _xlsx([]),
        "公式": _xlsx([HEADER, ["=1+1", None, None, None]]),
    }
    for reason, data in cases.items():
        response = _upload(client, engagement, data)
        assert response.status_code == 422, reason
        assert reason in response.get_data(as_text=True), reason
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = _upload(client, engagement, png, "整改清单.xlsx")
    assert response.status_code == 422 and "文件有误" in response.get_data(as_text=True)
    missing = client.post(_url(engagement, "/import"), data={})
    assert missing.status_code == 302
    assert "请选择要导入的文件" in unquote(missing.headers["X-Domain-Error"])
    assert _written(db, engagement) == (0, 0, 0)


def test_csv_with_columns_in_any_order(login, db, engagement, approved):
    feedback = _defaults(approved)[0]
    due = feedback + timedelta(days=45)
    text = f"整改期限,问题,备注\n{due:%Y/%m/%d},问卷回收率偏低,来自OA\n".encode("gb18030")
    client = login("demo-lead")
    page = _upload(client, engagement, text, "整改清单.csv").get_data(as_text=True)
    assert "以下列不属于模板，未读取：备注" in page, page
    assert _confirm(client, engagement, page).status_code == 302
    assert [i[1:] for i in _items(db, engagement)] == [("问卷回收率偏低", "", feedback, due)]


def test_a_token_is_only_good_for_its_user_engagement_and_contents(
    login, db, demo, engagement, approved
):
    client = login("demo-lead")
    page = _upload(client, engagement, _xlsx([HEADER, ["甲问题", None, None, None]]))
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    confirm = _url(engagement, "/import/confirm")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (tampered, "", "not-a-token"):
        refused = client.post(confirm, data={"token": bad})
        assert refused.status_code == 302
        assert "预览已失效" in unquote(refused.headers["X-Domain-Error"])
    # The agency's admin may import too, but not with the lead's preview.
    replayed = login("demo-admin").post(confirm, data={"token": token})
    assert "预览已失效" in unquote(replayed.headers["X-Domain-Error"])
    other = fresh_engagement(db, demo, "另一项目")
    moved = client.post(_url(other, "/import/confirm"), data={"token": token})
    assert "预览已失效" in unquote(moved.headers["X-Domain-Error"])
    assert _written(db, engagement) == (0, 0, 0) and _items(db, other) == []
    assert client.post(confirm, data={"token": token}).status_code == 302
    assert [i[1] for i in _items(db, engagement)] == ["甲问题"]


def test_what_changed_since_the_preview_is_checked_again(login, db, engagement, approved, people):
    client = login("demo-lead")
    page = _upload(client, engagement, _xlsx([HEADER, [FIRST, "建立拨付时限制度", None, None]]))
    rectification.create_items(db, actor=people.lead, engagement=engagement,
                               text=f"{FIRST} | 另行规定")  # fmt: skip
    db.flush()
    refused = _confirm(client, engagement, page.get_data(as_text=True))
    assert refused.status_code == 302
    assert unquote(refused.headers["X-Domain-Error"]).startswith("422 文件有误")
    assert [i[1:3] for i in _items(db, engagement)] == [(FIRST, "另行规定")]


def test_the_follow_up_outlives_the_archive_and_so_does_the_import(
    login, db, engagement, approved, people
):
    rectification.create_items(db, actor=people.lead, engagement=engagement, text=SECOND)
    make_version(db, engagement, kind="plan", sections=PLAN_SECTIONS, user=people.lead)
    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    archive(db, actor=people.lead, engagement=engagement)
    db.flush()
    client = login("demo-lead")
    page = _upload(client, engagement, _xlsx([HEADER, [FIRST, None, None, None]]))
    assert _confirm(client, engagement, page.get_data(as_text=True)).status_code == 302
    assert [i[1] for i in _items(db, engagement)] == [SECOND, FIRST]


def test_only_whoever_creates_items_may_import(login, db, engagement, approved):
    data = _xlsx([HEADER, ["甲问题", None, None, None]])
    for username in ("demo-evaluator", "demo-bureau"):
        assert _upload(login(username), engagement, data).status_code == 403, username
        page = login(username).get(_url(engagement)).get_data(as_text=True)
        assert 'id="import-rectification"' not in page
    # The unit's contact sees the engagement (its own rectification page) but not this one.
    assert _upload(login("demo-unit"), engagement, data).status_code == 403
    assert _written(db, engagement)[0] == 0
