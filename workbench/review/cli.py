"""`workbench archive verify FILE` and `workbench archive export ID`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from workbench.review.manifest import verify_zip


@click.group("archive")
def archive() -> None:
    """项目档案包（归档）。"""


@archive.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """按清单 manifest.json 校验档案包：文件齐全且 SHA-256 一致则退出码为 0，否则为 1。"""
    if not file.exists():
        click.echo(f"找不到文件：{file}", err=True)
        sys.exit(1)
    result = verify_zip(file)
    if result.ok:
        engagement = (result.manifest or {}).get("engagement", {})
        click.echo(
            f"档案包完好：{result.checked} 个文件与清单一致"
            + ("（含归档后补充件，与原清单的哈希链一致）" if result.addendum else "")
            + (
                f"（{engagement.get('code', '')} {engagement.get('title', '')}）"
                if engagement
                else ""
            )
        )
        return
    click.echo(f"档案包校验未通过（{len(result.problems)} 处问题）：", err=True)
    for problem in result.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@archive.command("export")
@click.argument("engagement_id", type=int)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出文件（默认按项目编号命名）",
)
def export(engagement_id: int, out: Path | None) -> None:
    """导出一个项目的档案包（zip，含 SHA-256 清单）。"""
    from workbench import db as database
    from workbench.cli import _app_scope
    from workbench.core.cli_errors import fail_on
    from workbench.core.errors import DomainError
    from workbench.engagements.services import get
    from workbench.review.archive import safe_name
    from workbench.review.seal import export_package

    with _app_scope(), database.session_scope() as session:
        try:
            engagement = get(session, engagement_id)
        except DomainError as error:
            fail_on(error, prefix="导出失败")
        path, addendum = export_package(session, engagement)
        target = out or Path(f"{safe_name(engagement.code, 'engagement')}-archive.zip")
    shutil.move(str(path), target)
    click.echo(f"已导出档案包：{target}" + ("（含归档后补充件 addendum/）" if addendum else ""))


commands = [archive]
