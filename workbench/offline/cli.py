"""`workbench offline`: a checkout package opened and served on a laptop, the return package
exported from it; on the server, check-out and check-in (workbench/offline/cli_server.py).

The passphrase is asked for, or read from WORKBENCH_OFFLINE_PASSPHRASE in scripts.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from pathlib import Path

import click

from workbench import config
from workbench.core.cli_errors import fail, fail_on
from workbench.core.errors import DomainError
from workbench.offline.cli_server import PASSPHRASE_ENV, checkin_command, checkout_command

PUBLIC_URL_ENV = "WORKBENCH_OFFLINE_PUBLIC_URL"
_DIR_HELP = "离线实例文件夹（默认：WORKBENCH_INSTANCE_PATH 或当前目录下的 instance）"


def _folder(directory: Path | None) -> Path:
    return (directory or config.instance_path()).resolve()


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses that phones on its networks can reach, private ones first."""
    found: list[str] = []
    # The interface that routes to a private address (a UDP connect sends nothing), then every
    # address the computer's name has (a hotspot with no route beyond it).
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        names = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found += [str(info[4][0]) for info in names]
    usable = [
        a
        for a in dict.fromkeys(found)
        if not ipaddress.ip_address(a).is_loopback and not ipaddress.ip_address(a).is_unspecified
    ]
    return sorted(usable, key=lambda a: not ipaddress.ip_address(a).is_private)


def public_url(host: str, port: int, lan: list[str]) -> str:
    """Where phones reach the laptop: WORKBENCH_OFFLINE_PUBLIC_URL, else its first LAN address
    when the server listens there; "" when it listens on this computer only."""
    given = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if given:
        return given.rstrip("/")
    if host in ("0.0.0.0", "::", "") and lan:
        return f"http://{lan[0]}:{port}"
    if host in lan:
        return f"http://{host}:{port}"
    return ""


@click.group("offline")
def offline() -> None:
    """离线现场工作：笔记本上打开检出包、导出回传包；服务器上检出项目、导入回传包。"""


@offline.command("open")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help=_DIR_HELP
)
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="监听地址（0.0.0.0：手机可经热点访问）"
)
@click.option("--port", default=5000, show_default=True, type=int, help="端口")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="WORKBENCH_THREADS",
    help="同时处理请求的线程数",
)
def open_command(source: Path, directory: Path | None, host: str, port: int, threads: int) -> None:
    """在笔记本上打开检出包并启动离线工作台（首次打开时解包；再次运行同一文件夹直接启动）。"""
    from workbench import create_app, migrate
    from workbench import db as database
    from workbench.cli import run_server
    from workbench.offline import laptop, package

    folder = _folder(directory)
    try:
        header = package.read_header(source)
    except package.PackageRefused as refused:
        fail(refused.message)
    opened = laptop.settings(folder)
    if opened is None or opened.get("checkout") != header["package_id"]:
        passphrase = os.environ.get(PASSPHRASE_ENV) or click.prompt("离线包口令", hide_input=True)
        click.echo(f"正在解包到 {folder} …")
        try:
            laptop.unpack(source, passphrase=passphrase, directory=folder)
        except package.PackageRefused as refused:
            fail(refused.message)
        except DomainError as error:
            fail_on(error)
    offline_settings = laptop.settings(folder) or {}
    os.environ["WORKBENCH_INSTANCE_PATH"] = str(folder)
    lan = lan_addresses()
    phones = public_url(host, port, lan)
    app = create_app({**laptop.app_config(folder), "OFFLINE_PUBLIC_URL": phones})
    with app.app_context():
        migrate.upgrade(database.engine())  # the laptop's workbench may be newer than the package
    click.echo(
        f"离线模式：{offline_settings.get('device', '')} · 项目《{offline_settings.get('engagement_title', '')}》"
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    click.echo(f"本机访问： http://{shown}:{port}/")
    if phones:
        click.echo(
            f"手机（连接本机热点或同一局域网）访问： {phones}/  —— 问卷二维码和链接使用此地址"
        )
    else:
        click.echo("手机无法访问：请用 --host 0.0.0.0 启动，或设置 WORKBENCH_OFFLINE_PUBLIC_URL")
    for address in lan[1:]:
        click.echo(f"  其他网络地址： http://{address}:{port}/")
    click.echo(
        "工作完成后请在页面上“导出回传包”（或 workbench offline export），带回单位导入。Ctrl+C 停止"
    )
    try:
        run_server(app, host=host, port=port, threads=threads)
    finally:
        app.extensions[database.ENGINE_KEY].dispose()


@offline.command("export")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help=_DIR_HELP
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase", envvar=PASSPHRASE_ENV, prompt="离线包口令", hide_input=True)
def export_command(directory: Path | None, out: Path, passphrase: str) -> None:
    """导出回传包：本笔记本上的现场工作记录、离线新增的文件和审计日志，用检出时的口令加密。"""
    from workbench import create_app
    from workbench import db as database
    from workbench.core import storage
    from workbench.offline import laptop

    folder = _folder(directory)
    if laptop.settings(folder) is None:
        fail(
            f"{folder} 不是离线实例文件夹（没有 offline.json），请用 --dir 指定 workbench offline open 解包的文件夹"
        )
    app = create_app(laptop.app_config(folder))
    try:
        with app.app_context(), database.session_scope() as session:
            done = laptop.export(
                session,
                offline=app.config["OFFLINE"],
                store=storage.backend(),
                actor=None,
                passphrase=passphrase,
                out=out,
            )
    except DomainError as error:
        fail_on(error)
    finally:
        app.extensions[database.ENGINE_KEY].dispose()
    found = done.contents
    click.echo(
        f"已导出回传包 {out}：{found.record_count} 条记录、{len(found.new_files)} 个离线新增文件、"
        f"{found.audit} 条审计日志，{done.size / 1048576:.1f} MB"
    )


offline.add_command(checkout_command)
offline.add_command(checkin_command)

commands = [offline]
