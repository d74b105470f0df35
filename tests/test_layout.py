"""The project's layout: no circle of module-level imports among xzcrawler/ and pipelines/.

A circle makes what a module holds depend on which module was imported first, and forces
imports inside functions to break it; issue 15 asks for none.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("xzcrawler", "pipelines")


def module_files() -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package by its __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runtime_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements that run on import: into if/try blocks, not into functions,
    classes or `if TYPE_CHECKING:`."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                out += _runtime_statements(node.body) + _runtime_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                out += _runtime_statements(block)
            out += _runtime_statements(node.finalbody)
        else:
            out.append(node)
    return out


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports at module level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != name}


def import_graph() -> dict[str, list[str]]:
    """Each project module with the project modules it imports at module level."""
    modules = module_files()
    return {name: sorted(imports_of(name, path, modules)) for name, path in modules.items()}


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The circles of a graph: its strongly connected parts of two nodes or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while (member := stack.pop()) != node:
                part.append(member)
            if part:
                found.append(sorted([node, *part]))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_import_graph_sees_the_project() -> None:
    modules = module_files()
    found = imports_of("pipelines.dates", modules["pipelines.dates"], modules)
    assert {"pipelines.date_parse", "pipelines.stats", "xzcrawler.items"} <= found


def test_a_circle_is_found_and_a_chain_is_not() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a", "e"], "e": []}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_level_import_circle() -> None:
    assert cycles(import_graph()) == []
