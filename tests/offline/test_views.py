"""The server's offline pages through HTTP: check out, import a return package, settle conflicts."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlmodel import col, func, select

from tests.conftest import PASSWORD
from tests.offline.helpers import PASSPHRASE, check_out
from workbench.indicators.models import Indicator
from workbench.offline import package
from workbench.offline.models import OfflineCheckin, OfflineCheckout, OfflineConflict


@pytest.fixture(autouse=True)
def _app_context(ctx):
    """The packages the tests build are signed with the app's key."""


@pytest.fixture()
def scratch(tmp_path, monkeypatch) -> Path:
    """The system temporary folder for this test: what the pages leave behind shows there."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def _url(demo, tail: str = "") -> str:
    return f"/engagements/{demo.engagement.id}/offline{tail}"


def _checkout(client, demo, **fields):
    data = {"device": "笔记本 X", "passphrase": PASSPHRASE, "passphrase2": PASSPHRASE, **fields}
    return client.post(_url(demo, "/checkouts"), data=data)


def _upload(client, demo, path: Path, passphrase: str = PASSPHRASE, **extra):
    with path.open("rb") as f:
        data = {"file": (f, path.name), "passphrase": passphrase, "finish": "y", **extra}
        return client.post(_url(demo, "/checkins"), data=data, content_type="multipart/form-data")


def _indicator(db, demo) -> Indicator:
    return db.exec(
        select(Indicator)
        .where(Indicator.engagement_id == demo.engagement.id)
        .order_by(col(Indicator.id))
    ).first()


def test_the_page_offers_check_out_and_check_in_and_says_how(login, demo):
    page = login("demo-lead").get(_url(demo))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "检出到笔记本" in text and "导入回传包" in text and "导入后结束该检出" in text
    assert "workbench offline open" in text and "口令不保存在服务器上" in text
    assert re.search(r'<input checked[^>]*name="finish"', text)  # 结束该检出 is ticked by default
    assert f'href="{_url(demo)}"' in text  # the engagement tab


def test_check_out_downloads_a_package_that_opens_with_the_passphrase(
    login, demo, db, scratch, tmp_path
):
    client = login("demo-evaluator")
    response = _checkout(client, demo)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert re.fullmatch(rf"离线包-{re.escape(demo.engagement.code)}-笔记本_X-\d{{8}}\.wbpkg", name)
    saved = tmp_path / "download.wbpkg"
    saved.write_bytes(response.get_data())
    response.close()
    assert list(scratch.iterdir()) == []  # the temporary package is gone once sent
    assert package.read_header(saved)["kind"] == "checkout"
    opened = package.open_package(saved, passphrase=PASSPHRASE, workdir=tmp_path / "open")
    with zipfile.ZipFile(opened.payload_path) as zf:
        assert '"kind": "checkout"' in zf.read("manifest.json").decode()
    row = db.exec(select(OfflineCheckout)).one()
    assert (row.device, row.user_id) == ("笔记本 X", demo.users["demo-evaluator"].id)

    evaluator = demo.users["demo-evaluator"].display_name
    shown = f"离线工作中（{evaluator}，笔记本 X，自 "
    assert shown in client.get(_url(demo)).get_data(as_text=True)
    overview = client.get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert 'id="offline-notice"' in overview and shown in overview


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"passphrase2": "另一个口令-2026"}, "两次输入的口令不一致"),
        ({"passphrase": "short", "passphrase2": "short"}, "口令至少 8 个字符"),
        ({"device": "  "}, "请填写设备名称"),
        ({"device": "长" * 61}, "设备名称不能超过 60 个字符"),
    ],
)
def test_a_refused_check_out_says_why_and_writes_nothing(login, demo, db, scratch, fields, message):
    response = _checkout(login("demo-lead"), demo, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(db, OfflineCheckout) == 0
    assert list(scratch.iterdir()) == []


def test_a_reviewer_cannot_check_out(login, demo, db):
    response = _checkout(login("demo-reviewer"), demo)
    assert response.status_code == 403 and response.headers["X-Permission-Denied"] == "403"
    assert _count(db, OfflineCheckout) == 0
    page = login("demo-reviewer").get(_url(demo)).get_data(as_text=True)
    assert "导入记录" in page and 'id="checkout-form"' not in page


def test_a_return_package_is_imported_and_reported(login, demo, db, tmp_path, scratch):
    indicator = _indicator(db, demo)
    row, laptop = check_out(db, demo, tmp_path)
    laptop.row("indicator", id=indicator.id)["actual"] = "离线填的 96%"
    path = laptop.export(tmp_path)
    client = login("demo-evaluator")

    response = _upload(client, demo, path)

    assert response.status_code == 302, response.get_data(as_text=True)
    checkin = db.exec(select(OfflineCheckin)).one()
    assert response.headers["Location"].endswith(_url(demo, f"/checkins/{checkin.id}"))
    db.refresh(indicator)
    db.refresh(row)
    assert indicator.actual == "离线填的 96%" and row.status == "returned"
    assert list(scratch.iterdir()) == []  # the uploaded copy is removed
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    kinds = report.split('id="by-kind"')[1].split("</table>")[0]
    assert re.search(r"<td>指标</td><td[^>]*>0</td><td[^>]*>1</td><td[^>]*>0</td>", kinds)
    assert "笔记本 A" in report and "没有冲突" in report
    assert "已导入回传包：新增 0、更新 1、删除 0" in report and "冲突待" not in report
    page = client.get(_url(demo)).get_data(as_text=True)
    assert "新增 0 · 更新 1 · 删除 0" in page and f"/checkins/{checkin.id}" in page
    assert "离线工作中" not in page  # 导入后结束该检出 was ticked


def test_a_wrong_passphrase_is_refused_and_nothing_written(login, demo, db, tmp_path):
    indicator = _indicator(db, demo)
    _row, laptop = check_out(db, demo, tmp_path)
    laptop.row("indicator", id=indicator.id)["actual"] = "不该写入"
    response = _upload(login("demo-evaluator"), demo, laptop.export(tmp_path), "错误的口令-0000")
    assert response.status_code == 422
    assert "口令不正确" in response.get_data(as_text=True)
    assert _count(db, OfflineCheckin) == 0
    db.refresh(indicator)
    assert indicator.actual != "不该写入"


def test_a_file_that_is_no_return_package_is_refused(login, demo, db, tmp_path):
    other = tmp_path / "照片.jpg"
    other.write_bytes(b"\xff\xd8\xff not a package")
    response = _upload(login("demo-evaluator"), demo, other)
    assert response.status_code == 422
    assert "不是回传包" in response.get_data(as_text=True)
    missing = login("demo-evaluator").post(_url(demo, "/checkins"), data={"passphrase": "x"})
    assert missing.status_code == 422 and "请选择笔记本上导出的回传包" in missing.text


def test_the_same_file_twice_is_refused_the_second_time(login, demo, db, tmp_path):
    _row, laptop = check_out(db, demo, tmp_path)
    path = laptop.export(tmp_path)
    client = login("demo-evaluator")
    assert _upload(client, demo, path, finish="").status_code == 302
    again = _upload(client, demo, path, finish="")
    assert again.status_code == 409
    assert re.search(r"此回传包已于 .* 导入，本次未重复导入", again.get_data(as_text=True))
    assert _count(db, OfflineCheckin) == 1


def test_a_conflict_is_shown_side_by_side_and_the_lead_settles_it(login, demo, db, tmp_path):
    indicator = _indicator(db, demo)
    before = indicator.actual
    _row, laptop = check_out(db, demo, tmp_path)
    laptop.row("indicator", id=indicator.id)["actual"] = "98.5%"
    indicator.actual = "97%"
    db.add(indicator)
    db.flush()
    assert _upload(login("demo-evaluator"), demo, laptop.export(tmp_path)).status_code == 302
    conflict = db.exec(select(OfflineConflict)).one()
    one = _url(demo, f"/conflicts/{conflict.id}")

    evaluator = login("demo-evaluator")
    listing = evaluator.get(_url(demo, "/conflicts")).get_data(as_text=True)
    assert conflict.label in listing
    page = evaluator.get(one).get_data(as_text=True)
    assert "检出时" in page and "服务器现在" in page and "离线版本" in page
    row = page.split("实际值</th>")[1].split("</tr>")[0]
    assert re.findall(r">([^<]*)</td>", row) == [before or "（空）", "97%", "98.5%"]
    assert "确定" not in page  # others read it only
    refused = evaluator.post(one, data={"choice": "offline"})
    assert refused.status_code == 403
    db.refresh(conflict)
    assert conflict.open

    lead = login("demo-lead")
    assert "确定" in lead.get(one).get_data(as_text=True)
    empty = lead.post(one, data={})
    assert empty.status_code == 422 and "请选择一种处理方式" in empty.get_data(as_text=True)
    done = lead.post(one, data={"choice": "offline"})
    assert done.status_code == 302 and done.headers["Location"].endswith(_url(demo, "/conflicts"))
    listing = lead.get(done.headers["Location"]).get_data(as_text=True)
    assert "已处理冲突" in listing and "采用离线版本" in listing
    assert "没有待处理的离线冲突" in listing
    db.refresh(indicator)
    assert indicator.actual == "98.5%"
    settled = lead.get(one).get_data(as_text=True)
    assert "已处理：采用离线版本" in settled and "服务器（导入时）" in settled
    assert "确定" not in settled
    again = lead.post(one, data={"choice": "server"})
    assert again.status_code == 409 and "已由他人处理" in again.get_data(as_text=True)


def test_the_lead_revokes_a_check_out(login, demo, db, tmp_path):
    row, _laptop = check_out(db, demo, tmp_path)
    url = _url(demo, f"/checkouts/{row.id}/revoke")
    assert login("demo-evaluator").post(url).status_code == 403
    response = login("demo-lead").post(url)
    assert response.status_code == 302
    db.refresh(row)
    assert row.status == "revoked"


def test_the_return_package_may_be_larger_than_other_uploads(
    app, login, demo, db, tmp_path, monkeypatch
):
    _row, laptop = check_out(db, demo, tmp_path)
    path = laptop.export(tmp_path)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    assert path.stat().st_size > 1024
    client = login("demo-evaluator")
    assert _upload(client, demo, path).status_code == 302
    monkeypatch.setitem(app.config, "OFFLINE_UPLOAD_MB", 0)
    too_big = _upload(client, demo, laptop.export(tmp_path))
    assert too_big.status_code == 302 and too_big.headers["Location"].endswith(_url(demo))
    assert "回传包不能超过 0 MB" in client.get(_url(demo)).get_data(as_text=True)


def test_check_out_and_check_in_need_the_csrf_token(app_with, demo, db, tmp_path):
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', client.get("/login").text)[1]
    login = {"username": "demo-evaluator", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    assert _checkout(client, demo).status_code == 400
    assert _count(db, OfflineCheckout) == 0
    _row, laptop = check_out(db, demo, tmp_path)
    path = laptop.export(tmp_path)
    assert _upload(client, demo, path).status_code == 400
    assert _count(db, OfflineCheckin) == 0
    assert _upload(client, demo, path, csrf_token=token).status_code == 302
    assert _count(db, OfflineCheckin) == 1
