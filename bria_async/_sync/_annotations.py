"""The annotations of the generated twins: every name they use imported (bare, or aliased
where two clash), async classes swapped for their twins."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import sys
from types import ModuleType
from typing import Any


class Imports:
    """The names annotations use, imported bare (or aliased where two clash)."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self.self_type = False  # Self is used: imported for type checkers only
        self._bound: dict[str, object] = {}

    def name(self, name: str, obj: object, module: str) -> str:
        alias = name
        if self._bound.get(name, obj) is not obj:
            alias = f"{module.rsplit('.', 1)[-1].lstrip('_')}_{name}"
        self._bound[alias] = obj
        clause = name if alias == name else f"{name} as {alias}"
        self.lines.add(f"from {module} import {clause}")
        return alias


def _home(name: str, obj: object, namespace: dict[str, Any]) -> str:
    """The module that defines `obj` (bound to `name` in `namespace`), to import it from."""
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and getattr(sys.modules.get(module), name, None) is obj:
        return module
    definition = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=", re.M)
    for candidate in (namespace["__name__"], *sorted(sys.modules)):
        mod = sys.modules.get(candidate)
        if mod is None or getattr(mod, name, None) is not obj:
            continue
        try:
            source = inspect.getsource(mod)
        except (OSError, TypeError):
            continue
        if definition.search(source):
            return str(candidate)
    raise LookupError(f"where is {name} defined?")


class Annotations:
    """Rewrites annotation text for the twins, collecting the imports it needs."""

    def __init__(self, twin_names: dict[str, str], elsewhere: dict[str, tuple[str, str]]) -> None:
        self.imports = Imports()
        #: Each async class name (and alias) and its twin's.
        self.twin_names = twin_names
        #: Async classes whose twins are written elsewhere: each twin's name and module.
        self.elsewhere = elsewhere

    def annotation(
        self, text: str, namespace: dict[str, Any], owner: str, *, twins: bool = True
    ) -> str:
        """`text` with every name imported, and async classes swapped for their twins
        (not in what a twin takes: it takes what the async client makes)."""
        tree = ast.parse(text, mode="eval").body
        return ast.unparse(self._rewrite(tree, namespace, owner if twins else None))

    def _rewrite(self, node: ast.expr, namespace: dict[str, Any], owner: str | None) -> ast.expr:
        if isinstance(node, ast.Name):
            return ast.Name(self._resolve(node.id, namespace, owner))
        if isinstance(node, ast.Subscript) and is_name(node.value, "AsyncIterator"):
            slice_ = self._rewrite(node.slice, namespace, owner)
            self.imports.lines.add("from collections.abc import Iterator")
            return ast.Subscript(ast.Name("Iterator"), slice_)
        if isinstance(node, ast.Attribute):  # module.name: the module, imported as named
            base = node.value
            module = namespace.get(base.id) if isinstance(base, ast.Name) else None
            if not isinstance(base, ast.Name) or not isinstance(module, ModuleType):
                raise LookupError(f"annotation {ast.unparse(node)}")
            name = module.__name__
            self.imports.lines.add(
                f"import {name}" if name == base.id else f"import {name} as {base.id}"
            )
            return node
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                setattr(node, field, self._rewrite(value, namespace, owner))
            elif isinstance(value, list):
                setattr(node, field, [self._rewrite(v, namespace, owner) for v in value])
        return node

    def _resolve(self, name: str, namespace: dict[str, Any], owner: str | None) -> str:
        if owner is not None and name == "Self":
            self.imports.lines.add("from typing import TYPE_CHECKING")
            self.imports.self_type = True
            return "Self"
        if owner is not None and name in self.twin_names:
            return self.twin_names[name]
        if owner is not None and name in self.elsewhere:
            twin, module = self.elsewhere[name]
            return self.imports.name(twin, None, module)
        if hasattr(builtins, name):
            return name
        obj = namespace[name]
        return self.imports.name(name, obj, _home(name, obj, namespace))


def is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
