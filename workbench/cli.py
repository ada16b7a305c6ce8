"""The `workbench` command: serve, db, demo, user; domains add their own commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask

from workbench import create_app, migrate
from workbench import db as database
from workbench.core import jobs, storage


def _app() -> Flask:
    return create_app()


@contextmanager
def _app_scope() -> Iterator[Flask]:
    """An app with a pushed context whose database connections are closed when the command ends."""
    app = create_app()
    try:
        with app.app_context():
            yield app
    finally:
        app.extensions[database.ENGINE_KEY].dispose()


@click.group()
def main() -> None:
    """绩效评价工作台命令行。"""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=5000, show_default=True, type=int, help="端口")
@click.option("--demo", is_flag=True, help="载入演示数据（演示项目与各角色账号）")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="WORKBENCH_THREADS",
    help="同时处理请求的线程数（环境变量 WORKBENCH_THREADS）",
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="在本进程中运行一个后台任务进程（另行运行 workbench worker 时用 --no-worker）",
)
def serve(host: str, port: int, demo: bool, threads: int, worker: bool) -> None:
    """在 waitress（生产级 WSGI 服务器，Windows 亦可）上启动工作台（内置 SQLite 时自动升级数据库）。"""
    with _app_scope() as app:
        if database.engine().dialect.name == "sqlite" or demo:
            _upgrade(app)
        if demo:
            _load_demo(app)
    click.echo(f"工作台已启动： http://{host}:{port}/  （{threads} 个线程，Ctrl+C 停止）")
    run_server(app, host=host, port=port, threads=threads, worker=worker)


def run_server(app: Flask, *, host: str, port: int, threads: int, worker: bool = True) -> None:
    """Serve the app on waitress until Ctrl+C (`workbench serve`, `workbench offline open`)."""
    from waitress import serve as waitress_serve

    # Queued jobs (reports, PDFs, large survey imports, webhook deliveries) run in a worker of
    # this process; with --no-worker, `workbench worker` processes run them.
    consumer = jobs.start_in_process() if worker else None
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="workbench")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@main.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
def worker(workers: int) -> None:
    """运行后台任务进程（生成报告、转换 PDF、导入大型问卷、Webhook 推送；多节点部署时与 QUEUE_URL 共用队列）。Ctrl+C 等当前任务完成后退出。"""
    with _app_scope():
        click.echo(f"后台任务进程已启动（{workers} 个线程，队列：{jobs.describe()}）")
        jobs.run_worker(workers)


def _upgrade(app: Flask, revision: str = "heads") -> None:
    """Migrate the schema, then the domains' after-upgrade work (e.g. loading the indicator packs)."""
    from workbench.core.hooks import run_after_upgrade

    migrate.upgrade(database.engine(), revision)
    run_after_upgrade(app)


def _load_demo(app: Flask) -> None:
    from workbench.demo.loader import load_demo

    with app.app_context(), database.session_scope() as session:
        logins = load_demo(session, password=app.config["DEMO_PASSWORD"])
    click.echo("演示账号（密码均为 {}）：".format(app.config["DEMO_PASSWORD"]))
    for username, label in logins:
        click.echo(f"  {username:<16} {label}")


@main.group()
def db() -> None:
    """数据库迁移。"""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """升级数据库结构到最新版本。"""
    with _app_scope() as app:
        _upgrade(app, revision)
    click.echo("数据库已升级到最新版本")


@db.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
def db_downgrade(revision: str) -> None:
    """回退数据库结构。"""
    with _app_scope():
        migrate.downgrade(database.engine(), revision)
    click.echo(f"数据库已回退到 {revision}")


@db.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """（开发）根据模型生成新的迁移脚本。"""
    with _app_scope():
        migrate.revision(database.engine(), message)


@main.command()
@click.option(
    "--scale",
    type=click.Choice(["reference", "large", "department"]),
    default=None,
    help="另外生成规模测试数据（reference：80 个指标、2000 份答卷、60 份底稿；large：1 万个项目；"
    "department：一个部门整体评价项目，300 个指标、3 份问卷 2 万份答卷、400 份底稿）",
)
def demo(scale: str | None) -> None:
    """载入演示数据（可重复执行，已有数据不会重复创建）。"""
    with _app_scope() as app:
        _upgrade(app)
        _load_demo(app)
        if scale == "department":
            from workbench.demo.department import populate as populate_department

            with database.session_scope() as session:
                populate_department(session, echo=click.echo)
            click.echo("规模数据（department）已载入")
        elif scale:
            from workbench.demo.scale import SCALES, populate

            with database.session_scope() as session:
                populate(session, scale=SCALES[scale], echo=click.echo)
            click.echo(f"规模数据（{scale}）已载入")


@main.group()
def user() -> None:
    """用户管理。"""


@user.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="姓名")
@click.option("--org", "org_name", required=True, help="所属单位名称（不存在则按 --kind 创建）")
@click.option(
    "--kind", type=click.Choice(["agency", "bureau", "unit"]), default="agency", show_default=True
)
@click.option(
    "--role", type=click.Choice(["admin", "staff", "external"]), default="staff", show_default=True
)
@click.option(
    "--managed-by",
    "managed_by",
    default="",
    help="管理该账号的评价机构名称（委托方、被评价单位账号；省略则由系统运维人员管理，"
    "可查看该单位在所有机构的项目）",
)
@click.password_option(help="密码（省略则交互输入）")
def user_create(
    username: str,
    display_name: str,
    org_name: str,
    kind: str,
    role: str,
    managed_by: str,
    password: str,
) -> None:
    """创建用户（系统运维人员：可为任一机构创建管理员）。"""
    from workbench.accounts import services
    from workbench.accounts.models import OrgKind, SystemRole
    from workbench.core.cli_errors import fail_on
    from workbench.core.errors import DomainError

    with _app_scope():
        try:
            with database.session_scope() as session:
                org = services.get_or_create_org(
                    session, actor=None, name=org_name, kind=OrgKind(kind)
                )
                manager = services.find_agency(session, managed_by) if managed_by else None
                services.create_user(
                    session,
                    actor=None,
                    username=username,
                    display_name=display_name,
                    password=password,
                    org_id=org.id,
                    system_role=SystemRole(role),
                    managed_by_id=manager.id if manager else None,
                )
        except DomainError as error:
            fail_on(error, prefix="创建失败")
    click.echo(f"用户 {username} 已创建")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """备份数据库和上传文件到一个 zip 文件。"""
    from workbench.core.backup import BackupError, backup

    with _app_scope():
        try:
            manifest = backup(database.engine(), storage.backend(), target)
        except BackupError as error:
            click.echo(f"备份失败：{error}", err=True)
            sys.exit(1)
    click.echo(
        f"已备份到 {target}：{sum(manifest.tables.values())} 行数据，{len(manifest.files)} 个文件"
    )


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path) -> None:
    """把备份恢复到一个空实例（先校验全部文件哈希）。"""
    from workbench.core.backup import BackupError, restore

    with _app_scope():
        try:
            migrate.upgrade(database.engine())
            manifest = restore(database.engine(), storage.backend(), source)
        except BackupError as error:
            click.echo(f"恢复失败：{error}", err=True)
            sys.exit(1)
    click.echo(f"已恢复：{sum(manifest.tables.values())} 行数据，{len(manifest.files)} 个文件")


def register(app: Flask) -> None:
    """Expose the same commands under `flask --app workbench`."""
    for command in main.commands.values():
        app.cli.add_command(command)


def _add_domain_commands() -> None:
    """Each domain's cli.py lists its commands in `commands`; core adds `storage`."""
    from workbench.cli_storage import storage_group
    from workbench.domains import modules

    main.add_command(storage_group)

    for module in modules("cli"):
        for command in module.commands:
            main.add_command(command)


_add_domain_commands()
