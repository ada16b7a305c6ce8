"""`workbench library import [PATH]`, `workbench library export OUT [--pack KEY]` and
`workbench library benchmarks FILE --user NAME [--check]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.core.cli_errors import fail_on
from workbench.core.errors import DomainError, ValidationFailed

FOLDERS = {"common": "common", "sector": "sectors"}


def _app():
    from workbench import create_app

    return create_app()


def _read(path: Path):
    """The packs at a path: a library folder, one YAML file or one Excel file."""
    from workbench.library import packs, services
    from workbench.library.loading import PACKS_REFUSED, read_folder

    try:
        if path.is_dir():
            return read_folder(path)
        if path.suffix.lower() in (".yaml", ".yml", ".xlsx"):
            return [services.read_upload(path.name, path.read_bytes(), max_mb=100)]
    except packs.PackError as error:
        raise ValidationFailed.from_invalid(error, PACKS_REFUSED) from error
    raise click.BadParameter(f"{path} 不是指标库目录、.yaml/.yml 或 .xlsx 文件", param_hint="PATH")


@click.group()
def library() -> None:
    """指标库：导入、导出指标包。"""


@library.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def import_command(path: Path | None) -> None:
    """导入指标包（默认导入随工作台提供的 indicator_library 目录；可重复执行）。"""
    from workbench import db as database
    from workbench.library import packs, services

    target = path or packs.default_library_root()
    app = _app()
    with app.app_context():
        try:
            items = _read(Path(target))
            with database.session_scope() as session:
                results = services.import_packs(session, actor=None, items=items)
        except DomainError as error:
            fail_on(error)
    for result in results:
        click.echo(result.summary())
    changed = sum(1 for result in results if result.changed)
    click.echo(f"共 {len(results)} 个指标包，{changed} 个有变化")


@library.command("export")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--pack", "pack_key", help="指标包代码；不指定时导出全部指标包到 OUT 目录")
def export_command(out: Path, pack_key: str | None) -> None:
    """导出指标包为 YAML（.yaml/.yml）或 Excel（.xlsx）；不指定 --pack 时 OUT 为目录。"""
    from workbench import db as database
    from workbench.library import packs, services

    suffix = out.suffix.lower()
    if pack_key is None and suffix in (".yaml", ".yml", ".xlsx"):
        raise click.UsageError("导出单个文件时请用 --pack 指定指标包代码；导出全部请给出目录")
    if pack_key is not None and suffix not in (".yaml", ".yml", ".xlsx"):
        raise click.UsageError("OUT 应以 .yaml、.yml 或 .xlsx 结尾")
    app = _app()
    with app.app_context():
        try:
            with database.session_scope() as session:
                if pack_key is not None:
                    items = [services.export_pack(session, pack_key=pack_key)]
                else:
                    items = services.export_all(session)
        except DomainError as error:
            fail_on(error)
    if pack_key is not None:
        pack = items[0]
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".xlsx":
            out.write_bytes(packs.export_excel(pack))
        else:
            out.write_text(packs.dump_yaml(pack), encoding="utf-8")
        written = [out]
    else:
        written = []
        for pack in items:
            target = out / FOLDERS.get(pack.kind, "sectors") / f"{pack.key}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(packs.dump_yaml(pack), encoding="utf-8")
            written.append(target)
    for pack in items:
        for problem in packs.validate_pack(pack):
            click.echo(f"注意：{pack.key}：{problem}", err=True)
    for target in written:
        click.echo(f"已导出 {target}")


@library.command("benchmarks")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="导入人的用户名（评价机构人员）")
@click.option("--check", is_flag=True, help="只检查并列出每行将如何导入，不写入")
def benchmarks_command(file: Path, username: str, check: bool) -> None:
    """按模板导入基准值序列（.xlsx/.xls/.csv，格式见 indicator_library/BENCHMARKS.md）。"""
    import hashlib

    from sqlmodel import select

    from workbench import db as database
    from workbench.accounts.models import User
    from workbench.core.spreadsheet import read_table
    from workbench.core.spreadsheet.table_read import TABLE_LIMITS
    from workbench.core.staging import RowsRefused
    from workbench.core.timeutil import today_local
    from workbench.library import benchmark_rules, benchmarks

    with file.open("rb") as handle:
        data = handle.read(TABLE_LIMITS.max_file_bytes + 1)
    read = read_table(
        data, filename=file.name, fields=benchmark_rules.FIELDS, sheet=benchmark_rules.SHEET
    )
    app = _app()
    with app.app_context():
        try:
            with database.session_scope() as session:
                actor = session.exec(select(User).where(User.username == username)).first()
                if actor is None:
                    raise click.BadParameter(f"没有用户名为“{username}”的账号", param_hint="--user")
                done = benchmarks.import_series(
                    session,
                    actor=actor,
                    read=read,
                    filename=file.name,
                    sha256=hashlib.sha256(data).hexdigest(),
                    today=today_local(),
                    stale_years=int(app.config.get("BENCHMARK_STALE_YEARS", 3)),
                )
                if check:
                    session.rollback()
        except RowsRefused as refused:
            click.echo(f"失败：{file.name} 有误，未导入任何内容", err=True)
            for problem in refused.problems:
                click.echo(f"  - {problem.text}", err=True)
            sys.exit(2)
        except DomainError as error:
            fail_on(error)
    for row in done.rows:
        words = benchmarks.ACTIONS[row.action][0]
        stale = "（已陈旧）" if row.stale else ""
        click.echo(f"第{row.row}行 {row.indicator} {row.values['region']} {row.values['year']}年 "
                   f"{row.shown}：{words}{stale}")  # fmt: skip
    if check:
        click.echo("只检查，未写入")
    elif done.record is None:
        click.echo("与指标库中已有的数值相同，没有导入新内容")
    else:
        record = done.record
        click.echo(f"已导入基准值第{record.number}版：新增{record.added}条，修订{record.revised}条")


commands = [library]
