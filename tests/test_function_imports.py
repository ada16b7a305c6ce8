"""No hidden cycles (issue 16): a workbench module is imported at the top of the module that uses
it. Inside a function only where a comment on the line (or the one above) says why — and in the
command-line modules and the app factory, whose commands and blueprints import what they use when
they run (so `workbench --help` starts fast and the app exists before its parts)."""

from __future__ import annotations

import ast
from pathlib import Path

import workbench

ROOT = Path(workbench.__file__).parent
APP_FACTORY = {"__init__.py", "app.py", "gunicorn_conf.py"}  # workbench/ itself


def _lazy_by_design(relative: Path) -> bool:
    """A command-line module (`cli.py`, `cli_*.py`) or the app factory."""
    name = relative.name
    return (
        name == "cli.py"
        or name.startswith("cli_")
        or (relative.parent == Path(".") and name in APP_FACTORY)
    )


def _ours(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "workbench"
    return any(alias.name.split(".")[0] == "workbench" for alias in node.names)


def test_modules_of_the_workbench_are_imported_at_the_top_or_say_why():
    unexplained = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if _lazy_by_design(relative):
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and _ours(node):
                    line, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
                    if "#" not in line and not above.startswith("#"):
                        unexplained.append(f"{relative}:{node.lineno} {line.strip()}")
    assert unexplained == [], "\n".join(unexplained)
