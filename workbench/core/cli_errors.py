"""How a command-line command says it failed: the message, each detail, exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NoReturn

import click

from workbench.core.errors import DomainError, detail_text


def fail(message: str, details: Iterable = (), *, prefix: str = "失败") -> NoReturn:
    click.echo(f"{prefix}：{message}", err=True)
    for item in details or ():
        click.echo(f"  - {detail_text(item)}", err=True)
    sys.exit(2)


def fail_on(error: DomainError, *, prefix: str = "失败") -> NoReturn:
    """A domain refusal as the command's failure."""
    fail(error.message, error.details, prefix=prefix)
