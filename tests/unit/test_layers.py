"""The package's layering: no import circles (`TYPE_CHECKING` imports included), result
types that import nothing from the runtime, and no hand-written module over 400 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bria_async"
#: Files a generator writes: exempt from the size rule (a test checks them against it).
GENERATED = {"_sync/_api.py", "_raw_views.py", "_sync/_raw_views.py"}
MAX_LINES = 400
#: What result types are (data) must not depend on how they are fetched.
RUNTIME = {
    "bria_async._client",
    "bria_async._runtime",
    "bria_async._transport",
    "bria_async._jobs",
    "bria_async._completion",
    "bria_async._poller",
    "bria_async._specs",
    "bria_async._storage",
    "bria_async._ratelimit",
    "bria_async._attempts",
    "bria_async._session",
    "bria_async._watches",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every bria_async module `module` imports anywhere (function bodies and
    `if TYPE_CHECKING:` blocks too): `from . import x` names the submodule x if it is one."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, is_package, node)
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("bria_async") and target != module:
                yield target


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: set(_imports(name, path, known)) for name, path in modules.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of `graph` (as the path that closes it), or None."""
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        on_path = [root]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                done.add(node)
            elif child in on_path:
                return [*on_path[on_path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph[child]))))
                on_path.append(child)
    return None


# The package's __init__ modules re-export what their submodules define, so a submodule
# naming its package (`from . import x` resolved to the package) is an edge to __init__.
def _without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages = {name for name, path in _modules().items() if path.name == "__init__.py"}
    return {
        name: {target for target in targets if not (target in packages and name.startswith(target))}
        for name, targets in graph.items()
    }


def test_the_package_has_no_import_circle_type_checking_imports_included() -> None:
    cycle = _find_cycle(_without_package_inits(_graph()))
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_names_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_result_types_import_nothing_from_the_runtime() -> None:
    graph = _graph()
    seen: dict[str, set[str]] = {}
    for name, targets in graph.items():
        if name.startswith("bria_async.types"):
            wrong = {target for target in targets if target in RUNTIME}
            if wrong:
                seen[name] = wrong
    assert seen == {}


HAND_WRITTEN = sorted(
    relative
    for relative in (path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py"))
    if relative not in GENERATED
)


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_no_hand_written_module_is_over_400_lines(name: str) -> None:
    lines = len((PACKAGE / name).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES})"
