"""The import contracts `make lint` checks (pyproject.toml, import-linter) cover every module that
says it is pure, and the contracts themselves hold."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from flask import Blueprint

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_that_says_it_is_pure_is_under_the_contract() -> None:
    said = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if "(pure" in doc.split("\n\n")[0]:
            said.add(_module(path))
    pure = next(c for name, c in _contracts().items() if name.startswith("Pure modules"))
    assert said == set(pure["source_modules"])
    assert {"flask", "sqlmodel", "sqlalchemy"} <= set(pure["forbidden_modules"])


def test_the_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is in the test lock"
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout


def test_no_domain_imports_another_domains_views() -> None:
    """DESIGN.md: a domain calls another domain's services, never its views (pages and API routes
    are found by name, `workbench.domains.modules`)."""
    import grimp

    graph = grimp.build_graph("workbench", cache_dir=None)
    crossing = []
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 3 or not parts[2].startswith(("views", "view_")):
            continue
        for importer in graph.find_modules_that_directly_import(module):
            if importer.split(".")[1] != parts[1]:
                crossing.append(f"{importer} -> {module}")
    assert crossing == []


def _public(module: str, pure: set[str]) -> bool:
    """A domain's public interface: its tables (`models`), its services (`services`, a module or a
    package whose `__init__` lists what it re-exports, submodules included, in `__all__`) and its
    pure modules (rules and vocabulary without state)."""
    parts = module.split(".")
    if (len(parts) == 3 and parts[2] in ("models", "services")) or module in pure:
        return True
    if len(parts) == 4 and parts[2] == "services":
        package = importlib.import_module(".".join(parts[:3]))
        return parts[3] in getattr(package, "__all__", ())
    return False


def test_no_domain_imports_another_domains_private_modules() -> None:
    """Issue 16: a domain reaches another only through its public interface. `core` is the shared
    kernel, not a domain; the composition root (app, cli, models, domains) wires every domain."""
    import grimp

    from workbench.domains import DOMAINS

    domains = {*DOMAINS, "api", "demo"}
    pure = set(
        next(c for n, c in _contracts().items() if n.startswith("Pure modules"))["source_modules"]
    )
    graph = grimp.build_graph("workbench", cache_dir=None)

    def domain(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in domains else None

    crossing = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            into = domain(imported)
            if into and domain(importer) not in (None, into) and not _public(imported, pure):
                crossing.append(f"{importer} -> {imported}")
    assert crossing == []


def test_every_domain_with_views_has_its_blueprint_and_no_module_imports_its_views() -> None:
    """Issue 16: a domain's Blueprint lives in its blueprint.py, so its view modules import each
    other's `bp` without a cycle; only the app's discovery (`modules("views")`) imports views.py."""
    import grimp

    graph = grimp.build_graph("workbench", cache_dir=None)
    domains = sorted(
        {path.parent.name for path in (ROOT / "workbench").glob("*/views.py")}
        | {path.parent.parent.name for path in (ROOT / "workbench").glob("*/views/__init__.py")}
    )
    assert domains, "the domains with pages are found"
    missing, importing = [], []
    for name in domains:
        blueprint = importlib.import_module(f"workbench.{name}.blueprint")
        if not isinstance(getattr(blueprint, "bp", None), Blueprint):
            missing.append(name)
        views = f"workbench.{name}.views"
        if importlib.import_module(views).bp is not blueprint.bp:
            missing.append(f"{views}.bp")
        importing += [
            f"{m} -> {views}"
            for m in graph.find_modules_that_directly_import(views)
            if not m.startswith(f"{views}.")  # a views package's own modules
        ]
        for module in graph.find_children(f"workbench.{name}"):
            if module.rsplit(".", 1)[1].startswith("views_"):
                for imported in graph.find_modules_directly_imported_by(module):
                    if imported.startswith(f"workbench.{name}.views"):
                        importing.append(f"{module} -> {imported}")
    assert missing == []
    assert sorted(importing) == []
