"""The installed package stands on its own: nothing in mentorkit/ reads the repository's
benchmarks/ scripts, which a wheel does not carry."""

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
