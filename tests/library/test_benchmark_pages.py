"""Benchmark series pages: upload → preview → confirm, the versions list, the indicator's series,
and the command."""

from __future__ import annotations

import io
import re

from sqlmodel import select

from tests.library.benchmark_helpers import KEY, csv_bytes, row, stored
from tests.table_import_helpers import preview_token
from workbench.library.models import BenchmarkImport, LibraryIndicator


def _upload(client, data: bytes, name: str = "全国数据.csv"):
    return client.post(
        "/library/benchmarks/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, page: str):
    file_token = re.search(r'name="file_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/library/benchmarks/import/confirm",
        data={"token": preview_token(page), "file_token": file_token},
    )


def test_upload_preview_confirm(login, db, demo):
    client = login("demo-evaluator")
    assert "指标代码" in client.get("/library/benchmarks/import").get_data(as_text=True)
    before = stored(db)
    preview = _upload(client, csv_bytes([row(year=2020, value="93.8%"), row(year=2024)]))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "新增数值 2 行" in page and "九年义务教育巩固率" in page and "93.8%" in page
    assert "已陈旧" in page  # 2020 is beyond the horizon already
    assert stored(db) == before  # the preview wrote nothing
    done = _confirm(client, page)
    assert done.status_code == 302 and done.location.endswith("/library/benchmarks")
    record = db.exec(select(BenchmarkImport)).one()
    assert (record.filename, record.rows, record.added) == ("全国数据.csv", 2, 2)
    listing = client.get("/library/benchmarks").get_data(as_text=True)
    assert "全国数据.csv" in listing and "第1版" in listing and "张评价" in listing
    indicator = db.exec(select(LibraryIndicator).where(LibraryIndicator.key == KEY)).one()
    detail = client.get(f"/library/{indicator.id}").get_data(as_text=True)
    assert 'id="benchmark-series"' in detail and "95.5%" in detail
    assert "已有更新：2024年" in detail  # the 2020 value, superseded by the 2024 one
    assert "最新基准值为 2024 年" in detail


def test_problems_are_listed_by_row_and_nothing_is_written(login, db, demo):
    client = login("demo-evaluator")
    before = stored(db)
    refused = _upload(client, csv_bytes([row(value="abc"), row("no.such", year=2023)]))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "第2行“数值”列：数值应为数字" in page and "第3行“指标代码”列" in page
    assert 'id="table-confirm"' not in page and stored(db) == before


def test_a_tampered_or_missing_preview_is_refused(login, db, demo):
    client = login("demo-evaluator")
    page = _upload(client, csv_bytes([row()])).get_data(as_text=True)
    forged = client.post(
        "/library/benchmarks/import/confirm",
        data={"token": preview_token(page), "file_token": "forged"},
    )
    assert forged.headers["X-Domain-Error"].startswith("422 ") and stored(db) == (0, 0)
    another_user = _confirm(login("demo-lead"), page)
    assert another_user.headers["X-Domain-Error"].startswith("422 ") and stored(db) == (0, 0)


def test_readers_see_the_versions_but_do_not_import(login, demo):
    expert = login("demo-expert")
    listing = expert.get("/library/benchmarks").get_data(as_text=True)
    assert "尚未导入基准值" in listing and "导入基准值</a>" not in listing
    assert expert.get("/library/benchmarks/import").status_code == 403
    assert login("demo-bureau").get("/library/benchmarks").status_code == 403
    template = expert.get("/library/benchmarks/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_the_command_checks_and_imports(app, db, demo, tmp_path, monkeypatch):
    from workbench.library import cli
    from workbench.library.cli import benchmarks_command

    monkeypatch.setattr(cli, "_app", lambda: app)  # the test's database, inside its transaction

    path = tmp_path / "series.csv"
    path.write_bytes(csv_bytes([row()]))
    runner = app.test_cli_runner()
    checked = runner.invoke(benchmarks_command, [str(path), "--user", "demo-lead", "--check"])
    assert checked.exit_code == 0, checked.output
    assert "新增数值" in checked.output and "只检查，未写入" in checked.output
    assert stored(db) == (0, 0)
    done = runner.invoke(benchmarks_command, [str(path), "--user", "demo-lead"])
    assert done.exit_code == 0 and "已导入基准值第1版" in done.output
    path.write_bytes(csv_bytes([row(value="x")]))
    bad = runner.invoke(benchmarks_command, [str(path), "--user", "demo-lead"])
    assert bad.exit_code == 2 and "第2行“数值”列" in bad.output
