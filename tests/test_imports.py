"""The package's floors hold: each imports only the floors below it, with no circles.

Read from the source with ``ast`` (nothing is imported), so a lazy import inside
a function counts as much as one at the top of a module: a circle hidden in a
function is a circle all the same. The floors and what each may import are said
in each subpackage's ``__init__`` docstring; this test is the same rule as code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "trivia_trio"
ROOT = "trivia_trio"
# floor -> the floors it may import ("" is the top level: cli, config, openfiles, ...).
MAY_IMPORT = {
    "core": {"core"},
    "store": {"core", "store", "config"},
    "room": {"core", "store", "room", "config"},
    "web": {"core", "store", "room", "web", "config", "openfiles", "gc_tuning"},
    "tools": {"core", "store", "room", "web", "tools", "config", "openfiles", "gc_tuning"},
}
# What the pure core may take from outside the standard library.
CORE_FORBIDDEN = ("trio", "quart", "quart_trio", "hypercorn", "sqlite3", "wsproto", "h11",
                  "itsdangerous", "werkzeug", "socket", "threading", "asyncio")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """Every module *name* imports, ours resolved to their full names, others by top name."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in MODULES else source)
    return found


GRAPH = {name: {m for m in imports_of(name) if m in MODULES and m != name} for name in MODULES}


def floor(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_is_in_an_import_circle() -> None:
    circles = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[name] = "done"

    for name in sorted(MODULES):
        if name not in state:
            visit(name, [name])
    # A package's __init__ importing its own submodules is not a circle of ours.
    circles = [c for c in circles if not _only_package_and_its_parts(c)]
    assert circles == []


def _only_package_and_its_parts(circle: str) -> bool:
    names = circle.split(" -> ")
    packages = [n for n in names if MODULES[n].name == "__init__.py"]
    return bool(packages) and all(n.startswith(packages[0]) for n in names)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if floor(n) in MAY_IMPORT))
def test_a_floor_imports_only_the_floors_below_it(name: str) -> None:
    allowed = MAY_IMPORT[floor(name)]
    wrong = sorted(m for m in GRAPH[name] if m != ROOT and floor(m) not in allowed)
    assert wrong == [], f"{name} may import only {sorted(allowed)}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if floor(n) == "core"))
def test_the_core_does_no_io_and_knows_no_event_loop(name: str) -> None:
    outside = {m.split(".")[0] for m in imports_of(name) if not m.startswith(ROOT)}
    assert sorted(outside & set(CORE_FORBIDDEN)) == []


def test_the_rule_finds_a_circle_and_a_wrong_floor() -> None:
    """The checks above can fail: a made-up graph with a circle and an upward import."""
    GRAPH["trivia_trio.core.game"].add("trivia_trio.room.room")
    try:
        with pytest.raises(AssertionError):
            test_a_floor_imports_only_the_floors_below_it("trivia_trio.core.game")
        with pytest.raises(AssertionError):
            test_no_module_is_in_an_import_circle()
    finally:
        GRAPH["trivia_trio.core.game"].discard("trivia_trio.room.room")
