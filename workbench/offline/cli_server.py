"""`workbench offline checkout` and `checkin`: the server's side of offline fieldwork by command.

Both act as a named user (`--user`), so the same permission rules and the same audit log apply as
on the pages; the passphrase is asked for (or read from WORKBENCH_OFFLINE_PASSPHRASE in scripts).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.core.cli_errors import fail_on
from workbench.core.errors import DomainError

PASSPHRASE_ENV = "WORKBENCH_OFFLINE_PASSPHRASE"


def _user(session, username: str):
    from sqlmodel import select

    from workbench.accounts.models import User

    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        click.echo(f"失败：没有名为 {username} 的有效用户", err=True)
        sys.exit(2)
    return user


@click.command("checkout")
@click.argument("engagement_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="检出人的用户名（项目负责人或评价人员）")
@click.option("--device", required=True, help="设备名称，如：笔记本 X")
@click.password_option(
    "--passphrase", envvar=PASSPHRASE_ENV, help="离线包口令（至少 8 个字符；导入回传包时还要用）"
)
def checkout_command(
    engagement_id: int, out: Path, username: str, device: str, passphrase: str
) -> None:
    """把项目检出为加密的离线包，供笔记本在现场无网络时工作。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.engagements.models import Engagement
    from workbench.offline import checkout

    with create_app().app_context():
        try:
            with database.session_scope() as session:
                engagement = session.get(Engagement, engagement_id)
                user = _user(session, username)
                if engagement is None or not engagement.visible_to(user):
                    click.echo(f"失败：项目 {engagement_id} 不存在", err=True)
                    sys.exit(2)
                row = checkout.checkout(
                    session,
                    actor=user,
                    engagement=engagement,
                    device=device,
                    passphrase=passphrase,
                    out=out,
                )
                click.echo(
                    f"已检出《{engagement.title}》到 {row.device}：{row.records} 条记录、"
                    f"{row.files} 个文件，{row.size / 1048576:.1f} MB → {out}"
                )
        except DomainError as error:
            out.unlink(missing_ok=True)
            fail_on(error)


@click.command("checkin")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="导入人的用户名（项目负责人或评价人员）")
@click.option("--finish/--keep-open", default=True, show_default=True, help="导入后结束该检出")
@click.option("--passphrase", envvar=PASSPHRASE_ENV, prompt=True, hide_input=True)
def checkin_command(source: Path, username: str, finish: bool, passphrase: str) -> None:
    """导入笔记本导出的回传包：新增、更新、冲突逐条列出；整个导入在一个事务里完成。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.offline import checkin

    with create_app().app_context():
        try:
            with database.session_scope() as session:
                user = _user(session, username)
                row = checkin.checkin(
                    session, actor=user, path=source, passphrase=passphrase, finish=finish
                )
                _report(row.summary)
        except DomainError as error:
            fail_on(error)


def _report(summary: dict) -> None:
    def listed(counts: dict) -> str:
        return "、".join(f"{name} {n}" for name, n in counts.items()) or "无"

    click.echo(f"新增：{listed(summary['added'])}")
    click.echo(f"更新：{listed(summary['updated'])}")
    click.echo(f"删除：{listed(summary['deleted'])}")
    for item in summary["renumbered"]:
        click.echo(f"底稿「{item['title']}」编号 {item['from']} 已被占用，改为 {item['to']}")
    for item in summary["resign"]:
        click.echo(f"需重新签字：{item['paper']}（{item['level']}）")
    click.echo(
        f"冲突 {summary['conflicts']} 条（请项目负责人在“离线工作”页逐条处理）；"
        f"收到文件 {summary['files']} 个，离线审计记录 {summary['audit']} 条"
    )
