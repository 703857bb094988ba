"""Each extra installs what the code it is named for imports: the README's FastAPI sample
runs on `bria-async[fastapi]`, the pytest plugin's fixtures on `bria-async[emulator]`."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest brings tomli on 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MODULES = importlib.metadata.packages_distributions()


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement such as ``pillow>=10.4``."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _installed_by(extra: str) -> set[str]:
    requirements = PROJECT["dependencies"] + PROJECT["optional-dependencies"][extra]
    return {_name(r) for r in requirements}


def _third_party_imports(code: str) -> set[str]:
    """The top-level modules `code` imports that are neither stdlib nor bria_async."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "bria_async"}


def _missing(modules: set[str], extra: str, *, host: frozenset[str] = frozenset()) -> set[str]:
    installed = _installed_by(extra)
    return {
        module
        for module in modules - host
        if not {_name(d) for d in MODULES.get(module, [module])} & installed
    }


def test_the_fastapi_extra_installs_what_the_readme_fastapi_sample_imports() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## FastAPI", 1)[1].split("\n## ", 1)[0]
    (sample,) = re.findall(r"```python\n(.*?)```", section, re.S)
    imports = _third_party_imports(sample)
    assert {"fastapi", "httpx"} <= imports
    assert _missing(imports, "fastapi") == set()


def test_the_emulator_extra_installs_what_the_pytest_plugin_imports() -> None:
    plugin = (ROOT / "bria_async" / "testing" / "_plugin.py").read_text(encoding="utf-8")
    imports = _third_party_imports(plugin) | {"PIL"}  # the emulator it starts draws with Pillow
    assert "pytest_asyncio" in imports
    assert _missing(imports, "emulator", host=frozenset({"pytest"})) == set()
