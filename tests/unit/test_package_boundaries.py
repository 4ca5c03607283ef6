"""The package's shape: it stands on its own (nothing in mentorkit/ reads the repository's
benchmarks/ scripts, which a wheel does not carry), and no two of its modules import each
other, directly or round a longer loop."""

from __future__ import annotations

import ast
from pathlib import Path

import mentorkit

PACKAGE = Path(mentorkit.__file__).resolve().parent


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (they may mention benchmarks/)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_module_of_the_package_reaches_into_the_benchmarks_folder():
    reaching: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
                if any(name.split(".")[0] == "benchmarks" for name in names):
                    reaching.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and node.value.strip("/").split("/")[0] == "benchmarks"
            ):
                reaching.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert reaching == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_between_modules() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports, wherever the import
    is written (at the top, inside a function, under TYPE_CHECKING)."""
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {other for other in found if other in paths and other != name}
    return graph


def _loop_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A chain of imports from `start` that leads back to it, if there is one."""
    waiting: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while waiting:
        name, chain = waiting.pop()
        for other in sorted(graph[name]):
            if other == start:
                return [*chain, start]
            if other not in seen:
                seen.add(other)
                waiting.append((other, [*chain, other]))
    return None


def test_no_module_of_the_package_imports_itself_round_a_loop():
    graph = _imports_between_modules()
    assert "mentorkit.plan" in graph and "mentorkit.rendering" in graph["mentorkit.plan"]
    loops = {name: loop for name in graph if (loop := _loop_from(graph, name)) is not None}
    assert loops == {}
