"""Sizes a reader can hold: no module of the package over 450 lines, and no class or
function over 300 (a class counts its methods; a decorator counts with what it decorates).

Read with ``ast`` from the source; a module that grows past these is split by job.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "trivia_trio"
MODULE_LINES = 450
DEFINITION_LINES = 300


def too_long(text: str, name: str) -> list[str]:
    """What in the module ``name`` (its source ``text``) is over the sizes."""
    found = []
    if len(text.splitlines()) > MODULE_LINES:
        found.append(f"{name}: {len(text.splitlines())} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > DEFINITION_LINES:
                found.append(f"{name}: {node.name} {lines} lines")
    return found


def test_no_module_class_or_function_is_too_long_to_read_in_one_sitting() -> None:
    problems = [problem for path in sorted(PACKAGE.rglob("*.py"))
                for problem in too_long(path.read_text(encoding="utf-8"),
                                        path.relative_to(PACKAGE).as_posix())]
    assert problems == []


def test_the_rule_finds_a_long_module_class_and_function() -> None:
    body = "".join(f"    a{n} = {n}\n" for n in range(DEFINITION_LINES))
    assert too_long(f"@decorated\nclass Long:\n{body}", "a.py") == [
        f"a.py: Long {DEFINITION_LINES + 2} lines"]
    assert too_long(f"def long():\n{body}", "b.py") == [
        f"b.py: long {DEFINITION_LINES + 1} lines"]
    assert too_long("x = 1\n" * (MODULE_LINES + 1), "c.py") == [
        f"c.py: {MODULE_LINES + 1} lines"]
    assert too_long(f"class Short:\n{body[: body.index('a299')]}", "d.py") == []
