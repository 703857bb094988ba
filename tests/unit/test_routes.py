"""The route table (`bria_async._routes`) is the one place a route is declared: the Calls,
rate-limit endpoints, the resume registry, the emulator's routes and the README's tables
all follow it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bria_async._ratelimit import endpoint_of
from bria_async._registry import FOLLOW_ONLY, SPECS
from bria_async._route_docs import TARGETS, main, rendered
from bria_async._routes import DIRECT, ROUTES, Route
from bria_async._specs import result_type
from bria_async.testing._results import PREFIX, V2_PREFIX
from bria_async.testing._server import create_api_app
from bria_async.testing._state import State

ROOT = Path(__file__).resolve().parents[2]
_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def test_route_names_are_unique_and_paths_are_templates() -> None:
    assert len({route.name for route in ROUTES}) == len(ROUTES)
    assert len({(route.method, route.version, route.path) for route in ROUTES}) == len(ROUTES)
    for route in ROUTES:
        assert route.path.startswith("/"), route
        assert route.version in (1, 2), route


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_each_route_spends_the_endpoint_its_requests_are_counted_under(route: Route) -> None:
    concrete = _PLACEHOLDER.sub("x1", route.path)
    assert route.endpoint == endpoint_of(route.method, concrete, route.version)


def test_every_route_that_finishes_later_has_a_job_spec_and_every_spec_a_route() -> None:
    kinds = {route.kind for route in ROUTES}
    assert set(SPECS) - set(FOLLOW_ONLY) <= kinds
    assert {route.kind for route in ROUTES if route.finish is not DIRECT} <= set(SPECS)
    for route in ROUTES:
        spec = SPECS.get(route.kind)
        if spec is None:
            continue
        annotated = getattr(spec.parse, "__annotations__", {}).get("return")
        produced = result_type(spec)
        if annotated is not None:  # the README's result is the parser's own
            assert route.result in (annotated, getattr(produced, "__name__", None)), route


def test_a_token_of_every_kind_resumes_in_a_process_that_imported_only_the_client() -> None:
    script = """
import json, sys
from bria_async._client import BriaClient
from bria_async._tokens import TokenData, sign
kinds = json.loads(sys.argv[1])
bria = BriaClient(api_token="t", base_url="http://127.0.0.1:9")
context = {"visual_id": "v1", "model_id": "7", "sync": False}
for kind in kinds:
    data = TokenData(id="j" + str(len(kind)), kind=kind, submitted_at=1.0, http_status=200,
        response={}, context=context, state={"request_id": "r1"})
    job = bria.jobs.resume(sign(data, bria._runtime.token_key()))
    assert job.kind == kind, (job.kind, kind)
print(len(kinds))
"""
    kinds = sorted(SPECS)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, json.dumps(kinds)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(kinds))


def _emulated_routes() -> set[str]:
    app = create_api_app(State.__new__(State))
    served = set()
    for resource in app.router.resources():
        path = resource.canonical
        if not path.startswith((PREFIX + "/", V2_PREFIX + "/")):
            continue
        for route in resource:
            if route.method != "HEAD":
                served.add(f"{route.method} {_PLACEHOLDER.sub('{}', path)}")
    return served


def test_the_emulator_serves_every_route_of_the_table_and_no_other() -> None:
    declared = {
        f"{r.method} {V2_PREFIX if r.version == 2 else PREFIX}{_PLACEHOLDER.sub('{}', r.path)}"
        for r in ROUTES
    }
    served = _emulated_routes()
    assert sorted(declared - served) == [], "table routes without an emulator handler"
    assert sorted(served - declared) == [], "emulator routes missing from the table"


@pytest.mark.parametrize("target", TARGETS)
def test_the_route_tables_of_the_readme_and_the_docs_are_the_generated_ones(target: str) -> None:
    text = (ROOT / target).read_text(encoding="utf-8")
    command = "python -m bria_async._route_docs --write " + " ".join(TARGETS)
    assert rendered(text) == text, f"{target} differs; run: {command}"


def test_the_docs_site_lists_the_routes_page() -> None:
    assert "reference/routes.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_write_fills_every_file_it_is_given_or_none(tmp_path: Path) -> None:
    blocks = (
        "<!-- routes-v1 -->\nstale\n<!-- /routes-v1 -->\n<!-- routes-v2 -->\n<!-- /routes-v2 -->\n"
    )
    first, second, broken = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"
    first.write_text(blocks, encoding="utf-8")
    second.write_text("# B\n" + blocks, encoding="utf-8")
    broken.write_text("no blocks here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="routes-v1"):
        main(["--write", str(first), str(broken)])
    assert first.read_text(encoding="utf-8") == blocks
    assert main(["--write", str(first), str(second)]) == 0
    for path in (first, second):
        text = path.read_text(encoding="utf-8")
        assert "stale" not in text
        assert rendered(text) == text
        assert "| GET /status/{request_id} |" in text


def test_the_markdown_command_prints_every_route(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--markdown"]) == 0
    printed = capsys.readouterr().out
    for route in ROUTES:
        assert f"{route.method} {route.path} |" in printed
    assert main(["--nonsense"]) == 2
