"""The import contracts `make lint` checks (pyproject.toml, import-linter) cover every module that
says it is pure, and the contracts themselves hold."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

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


def test_other_domains_use_reports_through_its_models_and_services() -> None:
    """Issue 16: another domain imports `reports.models` and the `reports.services` package (the
    names its `__all__` lists), nothing else of reports. Modules outside any domain (`workbench.models`,
    the app, the command line) are exempt."""
    import grimp

    from workbench.reports import services

    public = {"workbench.reports.models", "workbench.reports.services"}
    public |= {f"workbench.reports.services.{name}" for name in services.__all__}
    graph = grimp.build_graph("workbench", cache_dir=None)
    crossing = []
    for module in sorted(graph.find_descendants("workbench.reports") - public):
        for importer in sorted(graph.find_modules_that_directly_import(module)):
            parts = importer.split(".")
            if len(parts) > 2 and parts[1] != "reports":
                crossing.append(f"{importer} -> {module}")
    assert crossing == []
