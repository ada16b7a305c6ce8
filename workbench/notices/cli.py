"""`workbench notices run [--date YYYY-MM-DD]`: today's deadline reminders, for cron."""

from __future__ import annotations

from datetime import date

import click


@click.group("notices")
def notices() -> None:
    """通知：到期与逾期提醒。"""


@notices.command("run")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按哪一天计算（默认今天，格式 2027-03-01）",
)
def run(on) -> None:
    """发送质量保证金、整改事项的到期与逾期提醒；同一事项同一天只提醒一次，可每天由 cron 运行。"""
    from workbench import db as database
    from workbench.cli import _app_scope
    from workbench.core.timeutil import today_local
    from workbench.notices.due import run as run_reminders

    with _app_scope():
        today: date = on.date() if on else today_local()
        with database.session_scope() as session:
            report = run_reminders(session, today=today)
    if not report.total:
        click.echo(f"{today:%Y-%m-%d}：没有需要发送的提醒")
        return
    click.echo(f"{today:%Y-%m-%d}：已发送 {report.total} 条提醒")
    from workbench.notices.kinds import label

    for kind, count in sorted(report.sent.items()):
        click.echo(f"  {label(kind)}：{count} 条")


commands = [notices]
