"""The `workbench` command: serve --demo, db upgrade/downgrade, demo, user create."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlmodel import Session, select

from workbench import cli
from workbench.accounts.models import User
from workbench.db import make_engine


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    return tmp_path


def _users(instance):
    engine = make_engine(f"sqlite:///{instance / 'workbench.db'}")
    with Session(engine) as s:
        names = {u.username for u in s.exec(select(User)).all()}
    engine.dispose()
    return names


def test_serve_demo_upgrades_loads_and_prints_logins(instance, monkeypatch):
    calls = {}
    monkeypatch.setattr(
        "waitress.serve",
        lambda app, host, port, threads, **kw: calls.update(host=host, port=port, threads=threads),
    )
    result = CliRunner().invoke(cli.main, ["serve", "--demo", "--port", "5055"])
    assert result.exit_code == 0, result.output
    for name in (
        "demo-admin",
        "demo-lead",
        "demo-evaluator",
        "demo-reviewer",
        "demo-expert",
        "demo-bureau",
        "demo-bureau2",
        "demo-unit",
    ):
        assert name in result.output
    assert "demo12345" in result.output
    assert calls == {"host": "127.0.0.1", "port": 5055, "threads": 8}
    assert (instance / "secret_key").exists()
    assert "demo-bureau2" in _users(instance)
    # Second start: nothing is created twice.
    again = CliRunner().invoke(cli.main, ["serve", "--demo"])
    assert again.exit_code == 0


def test_serve_thread_count_from_option_and_environment(instance, monkeypatch):
    calls = []
    monkeypatch.setattr("waitress.serve", lambda app, threads, **kw: calls.append(threads))
    assert CliRunner().invoke(cli.main, ["serve", "--threads", "3"]).exit_code == 0
    monkeypatch.setenv("WORKBENCH_THREADS", "12")
    assert CliRunner().invoke(cli.main, ["serve"]).exit_code == 0
    refused = CliRunner().invoke(cli.main, ["serve", "--threads", "0"])
    assert refused.exit_code == 2 and "--threads" in refused.output
    assert calls == [3, 12]


def test_demo_password_from_environment(instance, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DEMO_PASSWORD", "another123")
    result = CliRunner().invoke(cli.main, ["demo"])
    assert result.exit_code == 0 and "another123" in result.output


def test_db_upgrade_and_downgrade(instance):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite:///{instance / 'workbench.db'}")
    assert "engagement" in inspect(engine).get_table_names()
    assert runner.invoke(cli.main, ["db", "downgrade", "--revision", "base"]).exit_code == 0
    assert "engagement" not in inspect(engine).get_table_names()
    engine.dispose()


def test_user_create_and_refusals(instance):
    runner = CliRunner()
    runner.invoke(cli.main, ["db", "upgrade"])
    ok = runner.invoke(
        cli.main,
        [
            "user",
            "create",
            "wang.wu",
            "--name",
            "王五",
            "--org",
            "某评价公司",
            "--role",
            "admin",
            "--password",
            "secret123",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "wang.wu" in _users(instance)
    weak = runner.invoke(
        cli.main,
        ["user", "create", "li.si", "--name", "李四", "--org", "某评价公司", "--password", "123"],
    )
    assert weak.exit_code == 2 and "密码至少 8 位" in weak.output
    dup = runner.invoke(
        cli.main,
        [
            "user",
            "create",
            "wang.wu",
            "--name",
            "王五",
            "--org",
            "某评价公司",
            "--password",
            "secret123",
        ],
    )
    assert dup.exit_code == 2 and "已被使用" in dup.output


def _managed_by(instance, username):
    engine = make_engine(f"sqlite:///{instance / 'workbench.db'}")
    with Session(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        found = user.managed_by_id
    engine.dispose()
    return found


def test_operator_makes_a_bureau_account_for_one_agency(instance):
    runner = CliRunner()
    runner.invoke(cli.main, ["db", "upgrade"])
    base = ["user", "create", "--org", "某财政局", "--kind", "bureau", "--role", "external"]
    admin = runner.invoke(
        cli.main,
        [
            "user",
            "create",
            "boss",
            "--name",
            "甲",
            "--org",
            "甲评价公司",
            "--role",
            "admin",
            "--password",
            "secret123",
        ],  # fmt: skip
    )
    assert admin.exit_code == 0, admin.output
    typo = runner.invoke(
        cli.main,
        base + ["x.rev", "--name", "乙", "--managed-by", "甲评价", "--password", "secret123"],
    )
    assert typo.exit_code == 2 and "没有名为“甲评价”的评价机构" in typo.output
    assert "x.rev" not in _users(instance)  # nothing half-written
    ok = runner.invoke(
        cli.main,
        base + ["x.rev", "--name", "乙", "--managed-by", "甲评价公司", "--password", "secret123"],
    )
    assert ok.exit_code == 0, ok.output
    assert _managed_by(instance, "x.rev") == _managed_by(instance, "boss")
    everyone = runner.invoke(cli.main, base + ["y.rev", "--name", "丙", "--password", "secret123"])
    assert everyone.exit_code == 0 and _managed_by(instance, "y.rev") is None
