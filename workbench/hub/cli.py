"""`workbench hub ...`: sync with the hub, accept updates, members (on the hub), offline packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.core.cli_errors import fail_on
from workbench.core.errors import DomainError


def _connections(session, agency: str | None):
    from sqlmodel import select

    from workbench.accounts.models import Organisation
    from workbench.hub.models import HubConnection

    query = select(HubConnection, Organisation.name).join(
        Organisation, Organisation.id == HubConnection.org_id
    )
    if agency:
        query = query.where(Organisation.name == agency)
    found = session.exec(query).all()
    if not found:
        click.echo("没有符合条件的枢纽连接（请先在“行业指标库”页设置）", err=True)
        sys.exit(2)
    return found


@click.group()
def hub() -> None:
    """行业指标库（协会枢纽）：同步、接受更新、成员、离线指标包。"""


@hub.command("sync")
@click.option("--agency", help="只同步该评价机构的连接（默认：全部）")
def sync_command(agency: str | None) -> None:
    """与枢纽同步：推送本机构已发布指标的修改，接收新指标和更新，交换使用统计。"""
    from flask import current_app

    from workbench import create_app
    from workbench import db as database
    from workbench.hub import sync

    failed = False
    with create_app().app_context():
        with database.session_scope() as session:
            pairs = _connections(session, agency)
        for connection, name in pairs:
            with database.session_scope() as session:
                connection = session.merge(connection)
                if not connection.online:
                    click.echo(f"{name}：只使用离线指标包，跳过")
                    continue
                try:
                    with sync.open_client(connection, config=current_app.config) as client:
                        result = sync.sync(
                            session, actor=None, connection=connection, client=client
                        )
                except DomainError as error:
                    fail_on(error)
                click.echo(
                    f"{name}：{'同步完成' if result.ok else '同步未完成'}：{result.summary()}"
                )
                failed = failed or not result.ok
    sys.exit(1 if failed else 0)


@hub.command("accept")
@click.option("--all", "everything", is_flag=True, help="接受全部无冲突的待接受更新（必填）")
@click.option("--agency", help="只处理该评价机构的连接（默认：全部）")
def accept_command(everything: bool, agency: str | None) -> None:
    """接受待接受的枢纽更新：新指标、有更新和内容相同的各项；冲突的留待在页面上逐项决定。"""
    if not everything:
        click.echo("请加 --all：逐项接受（含冲突）请在“待接受更新”页查看差异后处理", err=True)
        sys.exit(2)
    from workbench import create_app
    from workbench import db as database
    from workbench.hub import accepting

    with create_app().app_context():
        with database.session_scope() as session:
            pairs = _connections(session, agency)
        for connection, name in pairs:
            try:
                with database.session_scope() as session:
                    connection = session.merge(connection)
                    done = accepting.accept_all(session, actor=None, connection=connection)
            except DomainError as error:
                fail_on(error)
            click.echo(f"{name}：{done.summary()}")


@hub.group()
def member() -> None:
    """枢纽成员（在以 HUB_MODE 运行的枢纽上）。"""


@member.command("add")
@click.argument("name")
def member_add(name: str) -> None:
    """新增成员机构并打印其密钥（只显示这一次）。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.hub import hub_side

    with create_app().app_context():
        try:
            with database.session_scope() as session:
                _member, key = hub_side.create_member(session, actor=None, name=name)
        except DomainError as error:
            fail_on(error)
    click.echo(f"已新增成员「{name}」，成员密钥（只显示这一次）：")
    click.echo(key)


@member.command("revoke")
@click.argument("name")
def member_revoke(name: str) -> None:
    """撤销成员机构的密钥。"""
    from sqlmodel import select

    from workbench import create_app
    from workbench import db as database
    from workbench.hub import hub_side
    from workbench.hub.models import HubMember

    with create_app().app_context():
        try:
            with database.session_scope() as session:
                row = session.exec(select(HubMember).where(HubMember.name == name)).first()
                if row is None:
                    click.echo(f"没有名为「{name}」的成员", err=True)
                    sys.exit(2)
                hub_side.revoke_member(session, actor=None, member=row)
        except DomainError as error:
            fail_on(error)
    click.echo(f"已撤销成员「{name}」的密钥")


@hub.command("public-key")
def public_key() -> None:
    """打印枢纽公钥（成员校验离线指标包用）。"""
    from workbench import create_app
    from workbench.hub import hub_side, signing

    app = create_app()
    click.echo(signing.public_key_text(hub_side.signing_key(app.config["INSTANCE_PATH"])))


@hub.command("export-pack")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_pack(out: Path) -> None:
    """把枢纽上已发布的全部指标导出为签名的离线指标包。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.hub import hub_side

    app = create_app()
    with app.app_context(), database.session_scope() as session:
        out.write_bytes(hub_side.pack_file(session, instance=app.config["INSTANCE_PATH"]))
    click.echo(f"已导出离线指标包：{out}")


@hub.command("import-pack")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", help="导入到该评价机构的连接（只有一个连接时可省略）")
def import_pack(path: Path, agency: str | None) -> None:
    """校验签名后导入离线指标包（内容列为待接受更新）。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.hub import sync

    with create_app().app_context():
        try:
            with database.session_scope() as session:
                pairs = _connections(session, agency)
                if len(pairs) > 1:
                    click.echo("有多个枢纽连接，请用 --agency 指定评价机构", err=True)
                    sys.exit(2)
                connection, _name = pairs[0]
                got = sync.import_pack(
                    session, actor=None, connection=connection, data=path.read_bytes()
                )
        except DomainError as error:
            fail_on(error)
    click.echo(f"已导入离线指标包（签名校验通过）：{got.summary()}")


commands = [hub]
