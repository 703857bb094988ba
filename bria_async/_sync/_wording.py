"""How a twin's docstring says in sync words what its async original says: no ``await``,
no ``async for``, and no Job where the twin returns the result; and how it is written.

The generator applies `sync_doc` to every docstring it copies; a test fails when a sync
docstring still speaks async, so a new phrase gets its rule here (or plainer words upstream).
"""

from __future__ import annotations

import re

_Rules = tuple[tuple[re.Pattern[str], str], ...]


def _rules(*pairs: tuple[str, str]) -> _Rules:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


#: For every twin, in this order (the specific before the general).
_EVERYWHERE = _rules(
    (r"`await job\.submit\(\)`", "`job.submit()`"),
    (r"`await job`", "`job.wait()`"),
    # a result's save() is a coroutine: the sync client runs it
    (r"(``?)await (\w+)\.save\((\w+)\)\1", r"\1bria.save(\2, \3)\1"),
    (r"(``?)await ([^`]+)\1", r"\1\2\1"),
    (r"(``?)async for ([^`]+)\1", r"\1for \2\1"),
    (r"`aclose\(\)`", "`close()`"),
    (r"``__anext__``", "``__next__``"),
    (r"\bawaitable any number of times", "waited for any number of times"),
    (r"\bawaited\b", "waited for"),
    (r"\bAwait\b", "Wait for"),
)
#: For twins that return what their originals' Jobs resolve to.
_RESULTS = _rules(
    (r"returns a Job; ``await`` it for the typed result", "returns its typed result"),
    (r"returns a Job of (an? \w+)", r"returns \1"),
    (r"returns a Job\.", "returns its result."),
    (r"the Job resolves to", "the call returns"),
    (r"the Job resolves when", "the call returns when"),
    (r"the Job calls again", "the client calls again"),
    (r"(as|when) the Job is sent", r"\1 the request is sent"),
    (r"the Job (looks|fails)", r"the call \1"),
    (r",? as a Job\b", ""),
)


def sync_doc(doc: str | None, *, results: bool) -> str | None:
    """`doc` in sync words; `results`: the twin returns results where its original returns
    Jobs (every twin but SyncJob's and ``bria.jobs``')."""
    if not doc:
        return doc
    for pattern, replacement in _EVERYWHERE + (_RESULTS if results else ()):
        doc = pattern.sub(replacement, doc)
    return doc


def docstring(doc: str | None, indent: int) -> str:
    """`doc` as a docstring literal indented by `indent` spaces (empty without a doc)."""
    if not doc:
        return ""
    pad = " " * indent
    text = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines()
    body = "\n".join((pad + line) if line else "" for line in lines[1:])
    tail = f"\n{body}\n{pad}" if len(lines) > 1 else ""
    return f'{pad}"""{lines[0]}{tail}"""\n'
