"""A guarded view reads the object its permission check loaded; it does not load it again
(issue 16). Read from the source, so a new view is held to it."""

from __future__ import annotations

import ast
from pathlib import Path

import workbench

# The permission loaders that hand the view the URL's engagement (the others check that the
# indicator, section or submission of the URL belongs to it, then give the engagement).
ENGAGEMENT_LOADERS = {
    "load_engagement",
    "load_indicator",
    "load_section",
    "load_submission",
    "loaders.engagement",
}
SOURCES = sorted(Path(workbench.__file__).parent.rglob("*.py"))


def _loader(function: ast.FunctionDef) -> str | None:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "requires":
            for keyword in decorator.keywords:
                if keyword.arg == "load":
                    return ast.unparse(keyword.value)
    return None


def _loads_again(function: ast.FunctionDef, loader: str) -> list[str]:
    params = [arg.arg for arg in function.args.args]
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        called, args = ast.unparse(node.func), [ast.unparse(a) for a in node.args]
        same = called == loader and args == params and not node.keywords
        engagement = (
            loader in ENGAGEMENT_LOADERS
            and args == ["engagement_id"]
            and called
            in (
                "load_engagement",
                "loaders.engagement",
            )
        )
        if same or engagement:
            found.append(f"{function.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_guarded_view_loads_its_object_a_second_time():
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            loader = isinstance(node, ast.FunctionDef) and _loader(node)
            if loader:
                found += [f"{path.name} {hit}" for hit in _loads_again(node, loader)]
    assert found == [], "use guarded_object():\n" + "\n".join(found)


def test_the_engagement_of_a_url_is_loaded_by_one_function():
    defined = [
        path.relative_to(Path(workbench.__file__).parent).as_posix()
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef)
        and node.name in ("load_engagement", "engagement")
        and any(arg.arg == "engagement_id" for arg in node.args.args)
    ]
    assert defined == ["engagements/services.py"]
