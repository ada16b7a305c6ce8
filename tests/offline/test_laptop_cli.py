"""`workbench offline open` and `export`: unpack on first use, serve like `workbench serve`, then
start again without asking; the return package by command."""

from __future__ import annotations

import ipaddress

import pytest
from click.testing import CliRunner

from tests.offline.laptop_helpers import DEVICE, PASSPHRASE, open_return
from workbench import cli
from workbench.offline import cli as offline_cli
from workbench.offline import laptop


@pytest.fixture()
def served(monkeypatch, tmp_path):
    """What `workbench offline open` handed to waitress (nothing listens)."""
    calls: list[dict] = []

    def serve(app, host, port, threads, **kw):
        calls.append({"app": app, "host": host, "port": port, "threads": threads})
        app.extensions["workbench.engine"].dispose()

    monkeypatch.setattr("waitress.serve", serve)
    monkeypatch.setattr(offline_cli, "lan_addresses", lambda: ["192.168.137.1", "10.8.0.5"])
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("WORKBENCH_OFFLINE_PUBLIC_URL", raising=False)
    monkeypatch.delenv("WORKBENCH_OFFLINE_PASSPHRASE", raising=False)
    return calls


def test_open_unpacks_once_and_serves_for_the_phones_on_the_hotspot(
    checkout_file, served, tmp_path
):
    folder = tmp_path / "项目A"
    args = ["offline", "open", str(checkout_file[0]), "--dir", str(folder), "--port", "5055"]
    first = CliRunner().invoke(cli.main, args, input=f"{PASSPHRASE}\n")
    assert first.exit_code == 0, first.output
    assert "离线包口令" in first.output and f"正在解包到 {folder}" in first.output
    assert "手机（连接本机热点或同一局域网）访问： http://192.168.137.1:5055/" in first.output
    assert (
        "本机访问： http://127.0.0.1:5055/" in first.output
        and "http://10.8.0.5:5055/" in first.output
    )
    (call,) = served
    assert (call["host"], call["port"]) == ("0.0.0.0", 5055)
    config = call["app"].config
    assert config["OFFLINE"]["device"] == DEVICE and config["INSTANCE_PATH"] == folder.resolve()
    assert config["OFFLINE_PUBLIC_URL"] == "http://192.168.137.1:5055"
    assert config["DATABASE_URL"] == laptop.database_url(folder.resolve())
    assert "DEMO" not in first.output and "demo-admin" not in first.output

    again = CliRunner().invoke(cli.main, args)  # no passphrase to give: it must not ask
    assert again.exit_code == 0, again.output
    assert "离线包口令" not in again.output and "正在解包" not in again.output
    assert len(served) == 2


def test_open_refuses_a_wrong_passphrase_and_leaves_nothing(checkout_file, served, tmp_path):
    folder = tmp_path / "new" / "laptop"
    result = CliRunner().invoke(
        cli.main,
        ["offline", "open", str(checkout_file[0]), "--dir", str(folder)],
        env={"WORKBENCH_OFFLINE_PASSPHRASE": "不对的口令"},
    )
    assert result.exit_code == 2 and "失败：口令不正确" in result.output
    assert not (tmp_path / "new").exists() and served == []


def test_export_by_command(unpacked, tmp_path, monkeypatch):
    import shutil

    folder = shutil.copytree(unpacked, tmp_path / "laptop")
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(folder))
    out = tmp_path / "回传.wbpkg"
    wrong = CliRunner().invoke(
        cli.main, ["offline", "export", "--out", str(out)], input="错误口令\n"
    )
    assert wrong.exit_code == 2 and "口令与检出时设定的口令不一致" in wrong.output
    assert not out.exists()
    done = CliRunner().invoke(
        cli.main,
        ["offline", "export", "--dir", str(folder), "--out", str(out)],
        env={"WORKBENCH_OFFLINE_PASSPHRASE": PASSPHRASE},
    )
    assert done.exit_code == 0, done.output
    assert f"已导出回传包 {out}" in done.output and "0 个离线新增文件" in done.output
    got = open_return(out, tmp_path / "open")
    assert got["manifest"]["exported_by"] == "命令行"
    assert [e["action"] for e in got["records"]["audit"]] == ["offline.export"]


def test_export_refuses_a_folder_that_is_no_offline_instance(tmp_path):
    result = CliRunner().invoke(
        cli.main,
        ["offline", "export", "--dir", str(tmp_path), "--out", str(tmp_path / "x.wbpkg")],
        env={"WORKBENCH_OFFLINE_PASSPHRASE": PASSPHRASE},
    )
    assert result.exit_code == 2 and "不是离线实例文件夹" in result.output


def test_the_address_for_phones(monkeypatch):
    for address in offline_cli.lan_addresses():
        assert not ipaddress.ip_address(address).is_loopback
    lan = ["192.168.137.1"]
    monkeypatch.delenv("WORKBENCH_OFFLINE_PUBLIC_URL", raising=False)
    assert offline_cli.public_url("0.0.0.0", 5000, lan) == "http://192.168.137.1:5000"
    assert offline_cli.public_url("192.168.137.1", 8080, lan) == "http://192.168.137.1:8080"
    assert offline_cli.public_url("127.0.0.1", 5000, lan) == ""
    assert offline_cli.public_url("0.0.0.0", 5000, []) == ""
    monkeypatch.setenv("WORKBENCH_OFFLINE_PUBLIC_URL", "http://laptop.local:5000/")
    assert offline_cli.public_url("127.0.0.1", 5000, lan) == "http://laptop.local:5000"
