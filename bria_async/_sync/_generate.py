"""Writes `_api.py`, the synchronous twins of the async surface, from that surface itself.

``python -m bria_async._sync._generate`` after changing a public method (it writes the
views of ``with_raw_response`` too: `_generate_raw`); a test fails while a file on disk
differs from what this makes. Every twin keeps its async original's
name, parameters, defaults, annotations and docstring; what changes is what it returns:

- a namespace method's Job is awaited on the loop thread: the twin returns its result;
- an ``async def`` is awaited there; an async iterator becomes an iterator;
- objects with a twin of their own (Job, SearchPages, the nested namespaces) come back as
  that twin; ``jobs.resume`` keeps its Job (a SyncJob) to be waited on at will;
- ``aclose``, ``__aenter__``, ``__aexit__``, ``__aiter__``, ``__anext__`` take their sync
  names; other sync methods run on the loop thread too, where the client's state lives.

Runs on Python 3.11+ (it reads overloads with ``typing.get_overloads``).
"""

from __future__ import annotations

import ast
import inspect
import sys
import typing
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import _client, _jobs, _jobs_namespace
from ..resources import (
    background,
    datasets,
    images,
    models,
    objects,
    person,
    product,
    search,
    v2,
    visuals,
)
from . import _generate_raw, _portal, _root
from ._annotations import Annotations, is_name
from ._ruff import formatted
from ._wording import docstring, sync_doc

TARGET = Path(__file__).with_name("_api.py")
#: Each async class and its twin's name, in the order written.
TWINS: dict[type, str] = {
    _jobs.Job: "SyncJob",
    search.SearchPages: "SearchPages",
    _jobs_namespace.Jobs: "Jobs",
    images.Images: "Images",
    datasets.Datasets: "Datasets",
    models.Models: "Models",
    objects.Objects: "Objects",
    product.Product: "Product",
    search.Search: "Search",
    visuals.Visuals: "Visuals",
    background.Background: "Background",
    person.Person: "Person",
    v2.V2Image: "V2Image",
    v2.V2Product: "V2Product",
    v2.V2: "V2",
    _client.AsyncBria: "Bria",
}
#: Twins whose methods hand back their Job instead of its result.
KEEPS_JOBS = frozenset({_jobs_namespace.Jobs})
#: Instance attributes (set in __init__, invisible to introspection) a twin forwards.
ATTRIBUTES: dict[type, dict[str, str]] = {
    _jobs.Job: {"id": "str"},
    search.SearchPages: {"num_results_per_page": "int"},
}
#: The async names of methods whose twins have sync names.
RENAMED = {
    "aclose": "close",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
}
_DOC = {
    "AsyncBria": """The synchronous client of the Bria API: ``with Bria() as bria:``, then
``bria.images.generate(...)`` returns the result, not a Job.

It runs one AsyncBria on a private event loop thread, which ``close()`` (or the end of the
``with`` block) stops. Any thread may call it, but not code running in an event loop: use
AsyncBria there. Its arguments are AsyncBria's but `session` (its loop is private). Under
a forking server, create it in each worker: in a child forked after it was made, it raises
ClientStateError.""",
}
#: AsyncBria's arguments Bria does not take: a caller's aiohttp session lives in the caller's
#: event loop, and Bria's loop is a private thread's.
ASYNC_ONLY = frozenset({"session"})
#: Async classes whose twins another generator writes, and the module each twin lives in.
ELSEWHERE = {"AsyncBriaWithRawResponse": ("BriaWithRawResponse", _generate_raw.SYNC_MODULE)}
#: Other names async annotations use for a class that has a twin.
ALIASES = {"BriaClient": "Bria"}
_SIMPLE = (type(None), bool, int, float, str)


class _Writer(Annotations):
    """Writes the twins' source, their annotations rewritten by `Annotations`."""

    def __init__(self) -> None:
        super().__init__({cls.__name__: twin for cls, twin in TWINS.items()} | ALIASES, ELSEWHERE)

    # --- members ---------------------------------------------------------------------
    def twin(self, cls: type, twin: str) -> str:
        base = "SyncRoot" if cls is _client.AsyncBria else f"Twin[{self._async_name(cls)}]"
        if cls is _jobs.Job:
            base = f"Twin[{self._async_name(cls)}[R]], Generic[R]"
            self.imports.lines.add("from typing import Generic")
            self.imports.name("R", _jobs.R, "bria_async._jobs")
        doc = _DOC.get(cls.__name__) or f"The synchronous twin of {cls.__name__}.\n\n" + (
            self.doc(cls, inspect.getdoc(cls)) or ""
        )
        body = [f"class {twin}({base}):", docstring(doc.strip(), 4)]
        if cls is _client.AsyncBria:
            body.append(_init(self))
            body.append(_submit(self))
        namespace = vars(sys.modules[cls.__module__])
        for name, kind in ATTRIBUTES.get(cls, {}).items():
            body.append(
                f"    @property\n    def {name}(self) -> {kind}:\n"
                f"        return self._async.{name}\n"
            )
        for name, member in _members(cls):
            body.append(self.member(cls, twin, name, member, namespace))
        return "\n".join(body)

    @staticmethod
    def doc(cls: type, doc: str | None) -> str | None:
        """A docstring of `cls` as its twin says it (see `_wording`)."""
        return sync_doc(doc, results=cls not in KEEPS_JOBS and cls is not _jobs.Job)

    def _async_name(self, cls: type) -> str:
        """The async class, imported under a name of its own (its twin may have its)."""
        alias = f"Async{cls.__name__}"
        self.imports.lines.add(f"from {cls.__module__} import {cls.__name__} as {alias}")
        return alias

    def member(
        self, cls: type, twin: str, name: str, member: object, namespace: dict[str, Any]
    ) -> str:
        sync_name = RENAMED.get(name, name)
        if isinstance(member, cached_property):
            method: Callable[..., Any] = member.func
            returns = self.annotation(method.__annotations__["return"], namespace, twin)
            return (
                f"    @cached_property\n    def {name}(self) -> {returns}:\n"
                f"{docstring(self.doc(cls, inspect.getdoc(method)), 8)}"
                f"        return {returns}._wrap(self._async.{name}, self._portal)\n"
            )
        if isinstance(member, property):
            func = member.fget
            assert func is not None
            returns = self.annotation(func.__annotations__["return"], namespace, twin)
            return (
                f"    @property\n    def {name}(self) -> {returns}:\n"
                f"{docstring(self.doc(cls, inspect.getdoc(func)), 8)}"
                f"        return self._async.{name}\n"
            )
        assert callable(member), name
        func = typing.cast(Callable[..., Any], member)
        func_namespace = getattr(func, "__globals__", namespace)
        overloads: list[Callable[..., Any]] = []
        if sys.version_info >= (3, 11):
            overloads = list(typing.get_overloads(func))
        parts = [
            f"    @overload\n    def {sync_name}{self.signature(o, func_namespace, cls, twin)[0]}:"
            " ...\n"
            for o in overloads
        ]
        if overloads:
            self.imports.lines.add("from typing import overload")
        signature, returns_twin = self.signature(func, func_namespace, cls, twin)
        returns_text = signature.rsplit(" -> ", 1)[1]
        parts.append(
            f"    def {sync_name}{signature}:\n{docstring(self.doc(cls, inspect.getdoc(func)), 8)}"
            f"{self.body(cls, name, func, returns_twin, bool(overloads), returns_text)}"
        )
        return "\n".join(parts)

    def signature(
        self,
        func: Callable[..., Any],
        namespace: dict[str, Any],
        cls: type,
        twin: str,
        skip: frozenset[str] = frozenset(),
    ) -> tuple[str, str | None]:
        """The twin's signature (without the parameters in `skip`), and the twin class its
        result is wrapped in (if any)."""
        sig = inspect.signature(func)
        params = []
        star_done = False
        for p in sig.parameters.values():
            if p.name in skip:
                continue
            text = p.name
            if p.kind is p.POSITIONAL_ONLY:
                raise TypeError(f"{func}: positional-only parameters are not written yet")
            if p.kind is p.VAR_POSITIONAL:
                text, star_done = f"*{p.name}", True
            elif p.kind is p.VAR_KEYWORD:
                text = f"**{p.name}"
            elif p.kind is p.KEYWORD_ONLY and not star_done:
                params.append("*")
                star_done = True
            if p.annotation is not p.empty:
                own = p.name == "self"
                text += f": {self.annotation(p.annotation, namespace, twin, twins=own)}"
            if p.default is not p.empty:
                text += f" = {_default(p.default, func)}"
            params.append(text)
        returns = self._returns(func, sig.return_annotation, namespace, cls, twin)
        return f"({', '.join(params)}) -> {returns[0]}", returns[1]

    def _returns(
        self, func: Callable[..., Any], text: str, namespace: dict[str, Any], cls: type, twin: str
    ) -> tuple[str, str | None]:
        tree = ast.parse(text, mode="eval").body
        if (
            isinstance(tree, ast.Subscript)
            and is_name(tree.value, "Job")
            and cls not in KEEPS_JOBS
            and cls is not _jobs.Job
        ):
            tree = tree.slice  # awaited: its result
        tree = self._rewrite(tree, namespace, twin)
        returns = ast.unparse(tree)
        if isinstance(tree, ast.Subscript) and is_name(tree.value, "Iterator"):
            tree = tree.slice  # an iterator of twins wraps each item
        head = ast.unparse(tree).split("[", 1)[0]
        return returns, head if head in TWINS.values() else None

    def body(
        self,
        cls: type,
        name: str,
        func: Callable[..., Any],
        wraps: str | None,
        overloaded: bool,
        returns_text: str,
    ) -> str:
        """The twin's body: the async member called on the loop thread, its result (or
        each item it yields) wrapped in `wraps`, the twin class, when there is one."""
        sig = inspect.signature(func)
        target = "typing.cast(Any, self._async)" if overloaded else "self._async"
        if overloaded:
            self.imports.lines.update({"import typing", "from typing import Any"})
        call = f"{target}.{name}({', '.join(_forwarded(sig))})"
        returns = sig.return_annotation
        if name == "__anext__":
            return "        return self._portal.next(self._async)\n"
        if name == "__aiter__":
            return "        return self\n"
        if inspect.isasyncgenfunction(func) or returns.startswith("AsyncIterator["):
            items = f"self._portal.iterate({call})"
            if wraps:  # its items are twins
                return f"        return ({wraps}._wrap(item, self._portal) for item in {items})\n"
            return f"        return {items}\n"
        if inspect.iscoroutinefunction(func) or (
            returns.startswith("Job[") and cls not in KEEPS_JOBS and cls is not _jobs.Job
        ):
            value = f"self._portal.run({call})"
        else:
            value = f"self._portal.call(lambda: {call})"
        return _returning(value, returns, wraps, returns_text if overloaded else None)


def _forwarded(sig: inspect.Signature) -> list[str]:
    """The arguments a twin passes on: its own parameters (but self), as it took them."""
    args = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind is p.VAR_POSITIONAL:
            args.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            args.append(f"**{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            args.append(f"{p.name}={p.name}")
        else:
            args.append(p.name)
    return args


def _returning(value: str, returns: str, wraps: str | None, typed: str | None) -> str:
    """The statements giving back `value`, the call's result: itself, wrapped in its twin
    class `wraps`, or `self` for a member returning Self; `typed`: the annotation of an
    overloaded member's result, which the untyped call must be given."""
    if returns == "Self":
        return f"        {value}\n        return self\n"
    if wraps:
        return f"        return {wraps}._wrap({value}, self._portal)\n"
    if typed is not None:  # the call is made untyped: its result is typed here
        return f"        result: {typed} = {value}\n        return result\n"
    return f"        return {value}\n"


def _members(cls: type) -> list[tuple[str, object]]:
    """The public members of `cls` and its bases in bria_async, which twins mirror."""
    seen: dict[str, object] = {}
    for klass in cls.__mro__:
        if not klass.__module__.startswith("bria_async") or klass.__name__ == "Resource":
            continue
        for name, member in vars(klass).items():
            if name in seen or not (not name.startswith("_") or name in RENAMED):
                continue
            if isinstance(member, (staticmethod, classmethod)):
                continue
            if hasattr(_root.SyncRoot if cls is _client.AsyncBria else _portal.Twin, name):
                continue
            if cls is _client.AsyncBria and RENAMED.get(name) in vars(_root.SyncRoot):
                continue
            seen[name] = member
    return list(seen.items())


def _default(value: object, func: object) -> str:
    if value is Ellipsis:
        return "..."
    if type(value) not in _SIMPLE:
        raise TypeError(f"{func}: default {value!r} cannot be written as source")
    return repr(value)


def _init(writer: _Writer) -> str:
    """Bria's __init__: AsyncBria's own signature, starting the loop thread."""
    init = _client.AsyncBria.__init__
    namespace = vars(_client)
    signature, _ = writer.signature(init, namespace, _client.AsyncBria, "Bria", ASYNC_ONLY)
    args = []
    for p in list(inspect.signature(init).parameters.values())[1:]:
        if p.name in ASYNC_ONLY:
            continue
        args.append(p.name if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}")
    client = writer.imports.name("AsyncBria", _client.AsyncBria, _client.__name__)
    return f"    def __init__{signature}:\n        self._start({client}({', '.join(args)}))\n"


def _submit(writer: _Writer) -> str:
    """Bria.submit: sends a Job of ``bria.aio`` and gives its twin (written here, as SyncRoot
    cannot import the twins generated from it)."""
    job = writer._async_name(_jobs.Job)
    writer.imports.name("R", _jobs.R, "bria_async._jobs")
    return (
        f"    def submit(self, job: {job}[R]) -> SyncJob[R]:\n"
        '        """Send `job` (made by ``bria.aio``) and return it at once, with its placeholder\n'
        '        URLs and ``to_dict()`` token; ``.wait()`` gives its result later."""\n'
        "        return SyncJob._wrap(self._portal.run(job.submit()), self._portal)\n"
    )


def generate() -> str:
    """The source of `_api.py`."""
    writer = _Writer()
    classes = [writer.twin(cls, twin) for cls, twin in TWINS.items()]
    writer.imports.lines.update(
        {
            "from functools import cached_property",
            "from bria_async._sync._portal import Twin",
            "from bria_async._sync._root import SyncRoot",
        }
    )
    header = (
        '"""The synchronous twins of the async surface, generated by\n'
        '``python -m bria_async._sync._generate``: never edited by hand.\n"""\n\n'
        "from __future__ import annotations\n\n"
    )
    imports = "\n".join(sorted(writer.imports.lines))
    if writer.imports.self_type:
        imports += "\n\nif TYPE_CHECKING:\n    from typing_extensions import Self"
    names = ", ".join(f'"{name}"' for name in sorted(TWINS.values()))
    return f"{header}{imports}\n\n\n" + "\n\n".join(classes) + f"\n\n__all__ = [{names}]\n"


def render() -> str:
    """`generate()` formatted and fixed by ruff, with the project's settings: `_api.py`."""
    return formatted(generate(), TARGET)


def main() -> None:
    """Write `_api.py`, and the views of ``with_raw_response`` (`_generate_raw`)."""
    TARGET.write_text(render(), encoding="utf-8")
    for path, source in _generate_raw.render().items():
        path.write_text(source, encoding="utf-8")


if __name__ == "__main__":
    main()
