"""`workbench storage migrate --to URL` (copy every stored file to another backend, resumable),
`workbench storage verify` (every file the database names is there with its bytes intact) and
`workbench storage sweep` (files no record holds, left by writes that did not finish, removed)."""

from __future__ import annotations

import sys

import click
from sqlmodel import select

from workbench.core import storage
from workbench.core.blobstore import stored_hash
from workbench.core.blobstore.transfer import copy_all

_OUTCOMES = {
    "corrupt": "源文件已损坏（SHA-256 与文件名不符），未复制",
    "mismatched": "复制后校验不符",
}


@click.group("storage")
def storage_group() -> None:
    """文件存储（本地目录或 S3 兼容对象存储）：迁移、校验与清理。"""


@storage_group.command("migrate")
@click.option(
    "--to", "target_url", required=True, help="目标：file:///绝对路径 或 s3://存储桶/前缀"
)
@click.option(
    "--endpoint-url",
    default=None,
    help="目标对象存储的服务地址（默认取 WORKBENCH_S3_ENDPOINT_URL）",
)
def migrate(target_url: str, endpoint_url: str | None) -> None:
    """把当前存储中的全部文件复制到目标存储，逐个校验 SHA-256；已存在且完好的跳过（可中断后续传）。"""
    from workbench.cli import _app_scope

    with _app_scope() as app:
        source = storage.backend()
        try:
            target = storage.make_store(
                target_url, endpoint_url=endpoint_url or app.config.get("S3_ENDPOINT_URL")
            )
        except ValueError as error:
            click.echo(f"迁移失败：{error}", err=True)
            sys.exit(2)
        if target.url.rstrip("/") == source.url.rstrip("/"):
            click.echo("迁移失败：目标与当前存储相同", err=True)
            sys.exit(2)
        click.echo(f"从 {source.url} 迁移到 {target.url} …")

        def done(sha: str, outcome: str) -> None:
            if outcome in _OUTCOMES:
                click.echo(f"  - {sha}：{_OUTCOMES[outcome]}", err=True)

        report = copy_all(source, target, done=done)
    click.echo(
        f"复制 {report.copied} 个，已存在跳过 {report.skipped} 个，"
        f"源文件损坏 {len(report.corrupt)} 个，复制后校验不符 {len(report.mismatched)} 个"
    )
    if not report.ok:
        sys.exit(1)
    click.echo(f"迁移完成：请把 WORKBENCH_STORAGE_URL 设为 {target_url} 后重启工作台")


@storage_group.command("verify")
def verify() -> None:
    """校验数据库登记的每个文件：存在且内容的 SHA-256 与文件名一致；列出丢失或损坏的文件。"""
    from workbench import db as database
    from workbench.cli import _app_scope

    missing: list[str] = []
    corrupt: list[str] = []
    with _app_scope(), database.session_scope() as session:
        source = storage.backend()
        names = session.exec(select(storage.Blob.sha256).order_by(storage.Blob.sha256)).all()
        for sha in names:
            found = stored_hash(source, sha)
            if found is None:
                missing.append(sha)
            elif found != sha:
                corrupt.append(sha)
    for sha in missing:
        click.echo(f"  - 丢失：{sha}", err=True)
    for sha in corrupt:
        click.echo(f"  - 损坏：{sha}", err=True)
    click.echo(f"共 {len(names)} 个文件：完好 {len(names) - len(missing) - len(corrupt)} 个，"
               f"丢失 {len(missing)} 个，损坏 {len(corrupt)} 个（{source.url}）")  # fmt: skip
    if missing or corrupt:
        sys.exit(1)


@storage_group.command("sweep")
@click.option(
    "--hours",
    default=24,
    show_default=True,
    type=click.IntRange(min=1),
    help="只清理至少这么多小时未改动的文件（正在进行的导入、上传不受影响）",
)
@click.option("--dry-run", is_flag=True, help="只统计，不删除")
def sweep(hours: int, dry_run: bool) -> None:
    """删除存储中没有任何记录引用的文件（被中断或被拒绝的导入、上传留下的）。"""
    from datetime import timedelta

    from workbench import db as database
    from workbench.cli import _app_scope
    from workbench.core.storage_sweep import sweep as run_sweep

    with _app_scope(), database.session_scope() as session:
        url = storage.backend().url
        swept = run_sweep(session, older_than=timedelta(hours=hours), dry_run=dry_run)
    megabytes = swept.size / 1_000_000
    if dry_run:
        click.echo(
            f"试运行：{hours} 小时以上未改动、没有记录引用的文件 {swept.found} 个（{megabytes:.1f} MB），"
            f"未完成写入的临时文件 {swept.leftovers} 个；未删除（{url}）"
        )
        return
    click.echo(
        f"已删除没有记录引用的文件 {swept.removed} 个（共找到 {swept.found} 个，{megabytes:.1f} MB；"
        f"其余期间又被使用，保留），未完成写入的临时文件 {swept.leftovers} 个（{url}）"
    )
