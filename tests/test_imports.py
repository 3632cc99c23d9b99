"""No import circles between the modules of `stance`: the graph of their imports (read with `ast`, imports inside
functions included, as they run too) has no cycle.

An edge goes from a module to each `stance` module it names: `import stance.a.b` and `from stance.a import b`
name `stance.a.b` when it is a module (else `stance.a`), relative imports resolved against the package. A package
is its `__init__`; importing a submodule is not counted as importing its parents' `__init__`s.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "stance"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, from its __init__.py)."""
    modules = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found = set()

    def add(target: str) -> None:
        while target and target not in modules:  # `stance.a.b.NAME` -> the module that defines NAME
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: imported(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan), as a closed path."""
    index, low, stack, on_stack, components, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(set(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for component in components:
        path = closed_path(graph, component)
        others = len(component) > len(path) - 1  # the circle shown is not all of the tangle
        found.append(path + ([f"(in a tangle of {', '.join(sorted(component))})"] if others else []))
    return found


def closed_path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth first), start repeated at the end."""
    start = min(component)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & component):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    return sorted(component)


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "stance.score.pipeline" in graph["stance.score.command"]  # the graph is read at all
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


@pytest.mark.parametrize("source, expected", [
    ("from stance.a import b", {"stance.a.b"}),
    ("from stance.a import f", {"stance.a"}),
    ("import stance.a.b", {"stance.a.b"}),
    ("from . import b", {"stance.a.b"}),
    ("from .b import f", {"stance.a.b"}),
    ("def g():\n    from stance.c import f", {"stance.c"}),
    ("import os\nfrom torch import nn", set()),
])
def test_the_graph_reads_every_form_of_import(tmp_path, source, expected):
    path = tmp_path / "x.py"
    path.write_text(source)
    modules = {name: tmp_path for name in ("stance", "stance.a", "stance.a.b", "stance.a.x", "stance.c")}
    assert imported("stance.a.x", path, modules) == expected


def test_a_cycle_is_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}) == [["a", "b", "a", "(in a tangle of a, b, c)"]]
