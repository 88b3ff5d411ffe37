"""Imports point down: no service, rule or handler imports the API, the pages or the CLI,
and no module grows past the size the architecture allows (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "campus"

# The edge: HTTP pages, forms, the JSON API, the command line, the demo, the app factory,
# and the action registry that ties pages and API to the services.
EDGE_PARTS = ("routes", "forms", "report_page", "lists", "actions", "cli", "demo", "__init__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts)


ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def _defines_routes(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
    return False


def _named_edge(name: str) -> bool:
    if name.startswith("campus.api"):
        return True
    last = name.rsplit(".", 1)[-1]
    return any(last == part or last.endswith("_" + part) for part in EDGE_PARTS) or (
        last.startswith("demo")
    )


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("campus")}


MODULES = sorted(PACKAGE.rglob("*.py"))
EDGE = {_module_name(p) for p in MODULES if _named_edge(_module_name(p)) or _defines_routes(p)}
INNER = [p for p in MODULES if _module_name(p) not in EDGE]


def _is_edge(imported: str) -> bool:
    """`imported` is an edge module, or a name imported from one."""
    return imported in EDGE or imported.rsplit(".", 1)[0] in EDGE - {"campus"}


@pytest.mark.parametrize("path", INNER, ids=lambda p: _module_name(p))
def test_inner_modules_import_nothing_of_the_edge(path):
    upward = sorted(name for name in _imports(path) if _is_edge(name))
    assert upward == [], f"{_module_name(path)} imports {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_no_module_is_over_about_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 320, f"{_module_name(path)} has {lines} lines: split it by what it does"


def test_the_checks_see_the_layers():
    """The classification itself: services and handlers are inner, routes and API edge."""
    inner = {_module_name(p) for p in INNER}
    assert {"campus.tickets.services", "campus.handlers", "campus.unit_of_work"} <= inner
    assert not {"campus.tickets.routes", "campus.tickets.actions", "campus.cli"} & inner
