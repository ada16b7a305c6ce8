"""Packs as files: page export/import (YAML, Excel), bad uploads, and the CLI round trip."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlmodel import Session, func, select

from tests.library.library_helpers import counts
from workbench import cli
from workbench.db import make_engine
from workbench.library import pack_io, packs
from workbench.library.models import LibraryIndicator, LibraryIndicatorVersion

ROOT = packs.default_library_root()


def _upload(client, name: str, data: bytes):
    return client.post(
        "/library/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _water_text() -> str:
    return (ROOT / "sectors" / "water.yaml").read_text(encoding="utf-8")


def test_export_yaml_and_excel_from_the_page(login, demo):
    client = login("demo-expert")
    shipped = packs.load_pack(ROOT / "sectors" / "education.yaml")
    response = client.get("/library/packs/education/export?format=yaml")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert packs.load_pack(response.data) == shipped
    response = client.get("/library/packs/education/export?format=xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert packs.import_excel(response.data) == shipped
    assert client.get("/library/packs/nothing_here/export").status_code == 404
    listing = client.get("/library/packs").get_data(as_text=True)
    assert "教育领域个性指标" in listing and "导入指标包" not in listing  # experts only export


def test_import_a_changed_pack_from_the_page(login, demo, db):
    changed = _water_text().replace('version: "2024.1"', 'version: "2025.1"', 1)
    first = packs.load_pack(ROOT / "sectors" / "water.yaml")
    leaf = packs.flatten(first)[0].indicator
    changed = changed.replace(leaf.definition, leaf.definition + "（2025年修订）", 1)
    page = _upload(login("demo-admin"), "water.yaml", changed.encode("utf-8"))
    text = page.get_data(as_text=True)
    assert "更新 1 项" in text and "新增 0 项" in text
    row = db.exec(select(LibraryIndicator).where(LibraryIndicator.key == f"water.{leaf.key}")).one()
    assert row.current_version == 2
    again = _upload(login("demo-admin"), "water.yaml", changed.encode("utf-8"))
    assert "与库中内容一致，未作改动" in again.get_data(as_text=True)


def test_import_an_excel_pack(login, demo, db):
    pack = packs.load_pack(ROOT / "sectors" / "water.yaml")
    pack.key, pack.name, pack.sector = "water_county", "县域水利指标", "水利"
    page = _upload(login("demo-admin"), "县域水利.xlsx", packs.export_excel(pack))
    assert f"新增 {len(packs.flatten(pack))} 项" in page.get_data(as_text=True)
    total = db.exec(select(func.count()).where(LibraryIndicator.pack_key == "water_county")).one()
    assert total == len(packs.flatten(pack))


BAD_UPLOADS = [
    ("broken.yaml", b"key: water\nname: [unclosed\n", "YAML 格式错误"),
    ("rule.yaml", None, "规则「guesswork」未知"),
    ("dupkeys.yaml", None, "重复"),
    ("dupfield.yaml", None, "字段「name」在同一层级重复出现"),
    ("fake.xlsx", b"<!doctype html><html><body>hello</body></html>", "网页"),
    ("fake.yaml", b"<html><script>alert(1)</script></html>", "网页"),
    ("zip.yaml", b"PK\x03\x04" + b"\x00" * 40, "二进制"),
    ("gbk.yaml", "key: 水利".encode("gbk"), "UTF-8"),
    ("empty.yaml", b"", "空文件"),
    ("pack.csv", b"a,b\n1,2\n", "文件类型不在允许范围内"),
    ("../../etc/passwd.yaml", b"key: x\n", "文件名"),
]


def _bad_content(name: str) -> bytes:
    text = _water_text()
    first = packs.flatten(packs.load_pack(ROOT / "sectors" / "water.yaml"))
    if name == "rule.yaml":
        return text.replace(f"rule: {first[0].indicator.rule}", "rule: guesswork", 1).encode()
    if name == "dupkeys.yaml":
        return text.replace(
            f"key: {first[1].indicator.key}", f"key: {first[0].indicator.key}", 1
        ).encode()
    # A mapping with the same field twice: PyYAML alone would silently keep the last one.
    return text.replace(
        f"name: {first[0].indicator.name}",
        f"name: {first[0].indicator.name}\n            name: 另一个名字",
        1,
    ).encode()


@pytest.mark.parametrize(("name", "data", "expected"), BAD_UPLOADS)
def test_bad_pack_uploads_are_refused_and_nothing_is_imported(
    login, demo, db, name, data, expected
):
    before = counts(db)
    page = _upload(login("demo-admin"), name, data if data is not None else _bad_content(name))
    text = page.get_data(as_text=True)
    assert expected in text, text[text.find("alert") - 200 : text.find("alert") + 600]
    assert counts(db) == before


def test_staff_cannot_import(login, demo, db):
    before = counts(db)
    response = login("demo-lead").post(
        "/library/import",
        data={"file": (io.BytesIO(_water_text().encode()), "water.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and counts(db) == before


def test_read_upload_never_reads_a_server_path(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(_water_text(), encoding="utf-8")
    from workbench.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as raised:
        pack_io.read_upload("x.yaml", str(secret).encode())  # one line ending in .yaml
    assert "指标包内容必须是键值映射" in raised.value.details[0]["message"]


# ---------------------------------------------------------------------------------------------
# CLI


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path / "one"))
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    return tmp_path


def _library_rows(folder: Path) -> dict[str, tuple[int, str]]:
    engine = make_engine(f"sqlite:///{folder / 'workbench.db'}")
    with Session(engine) as session:
        found = {
            row.key: (row.current_version, row.status)
            for row in session.exec(select(LibraryIndicator)).all()
        }
        versions = session.exec(select(func.count()).select_from(LibraryIndicatorVersion)).one()
    engine.dispose()
    return {"__versions__": (versions, ""), **found}


def test_cli_upgrade_loads_packs_and_export_import_round_trips(instance, monkeypatch):
    runner = CliRunner()
    upgraded = runner.invoke(cli.main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "指标库：" in upgraded.output
    first = _library_rows(instance / "one")
    assert first["__versions__"][0] == 260 and first["education.per_student_funding_rate"] == (
        1,
        "shared",
    )
    again = runner.invoke(cli.main, ["library", "import"])
    assert again.exit_code == 0 and "0 个有变化" in again.output
    assert _library_rows(instance / "one") == first

    out = instance / "exported"
    exported = runner.invoke(cli.main, ["library", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in (out / "common").glob("*.yaml")) == sorted(
        p.name.replace(".yaml", "_common.yaml") for p in (ROOT / "common").glob("*.yaml")
    )
    for path in (out / "sectors").glob("*.yaml"):
        assert packs.load_pack(path) == packs.load_pack(ROOT / "sectors" / path.name)
    single = runner.invoke(
        cli.main, ["library", "export", str(instance / "health.xlsx"), "--pack", "health"]
    )
    assert single.exit_code == 0
    assert packs.import_excel((instance / "health.xlsx").read_bytes()) == packs.load_pack(
        ROOT / "sectors" / "health.yaml"
    )
    assert runner.invoke(cli.main, ["library", "export", str(instance / "a.yaml")]).exit_code != 0

    # A second installation imports the export and holds the same library.
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(instance / "two"))
    assert runner.invoke(cli.main, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite:///{instance / 'two' / 'workbench.db'}")
    with Session(engine) as session:  # start from an empty library
        from sqlalchemy import delete

        from workbench.library.models import LibraryPack, LibraryTag

        for model in (LibraryTag, LibraryIndicatorVersion, LibraryIndicator, LibraryPack):
            session.exec(delete(model))
        session.commit()
    engine.dispose()
    imported = runner.invoke(cli.main, ["library", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    assert _library_rows(instance / "two") == first
    one_file = runner.invoke(
        cli.main, ["library", "import", str(out / "sectors" / "education.yaml")]
    )
    assert one_file.exit_code == 0 and "未变 21 项" in one_file.output


def test_cli_import_of_a_bad_pack_fails_with_messages(instance, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["db", "upgrade"]).exit_code == 0
    before = _library_rows(instance / "one")
    data = yaml.safe_load(_water_text())
    leaf = data["indicators"][0]["children"][0]["children"][0]
    leaf["rule"] = "guesswork"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli.main, ["library", "import", str(bad)])
    assert result.exit_code == 2
    assert "guesswork" in result.output and "水利领域个性指标" in result.output
    assert leaf["name"] in result.output and "未导入任何内容" in result.output
    leaf["rule"], leaf["weight"] = "ratio", "lots"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli.main, ["library", "import", str(bad)])
    assert result.exit_code == 2 and "bad.yaml" in result.output and "「lots」" in result.output
    assert _library_rows(instance / "one") == before
