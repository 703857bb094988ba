"""The version has one source, CHANGELOG.md has a dated section per release, and pre-commit
runs what CI runs."""

from __future__ import annotations

import datetime
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import yaml

import bria_async

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
RELEASE = re.compile(r"## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})")


def test_the_installed_version_is_the_package_version() -> None:
    assert importlib.metadata.version("bria-async") == bria_async.__version__


def test_changelog_sections_are_unreleased_then_dated_releases_newest_first() -> None:
    headings = re.findall(r"^## .*$", CHANGELOG.read_text(encoding="utf-8"), re.M)
    assert headings[0] == "## [Unreleased]"
    releases = []
    for heading in headings[1:]:
        match = RELEASE.fullmatch(heading)
        assert match, f"{heading!r} is not '## [X.Y.Z] - YYYY-MM-DD'"
        version = tuple(int(part) for part in match.group(1, 2, 3))
        releases.append((version, datetime.date.fromisoformat(match.group(4))))
    assert releases == sorted(releases, reverse=True)
    current = tuple(int(part) for part in bria_async.__version__.split(".")[:3])
    assert all(current >= version for version, _ in releases)


def test_pre_commit_runs_the_checks_of_ci() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing downloaded
    assert all(hook["language"] == "system" for hook in hooks)
    by_hooks = {hook["entry"].removeprefix("python -m ") for hook in hooks}
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    by_ci = {
        line.removeprefix('"$main_venv" -m ').replace(" --check", "")
        for line in ci.splitlines()
        if re.match(r'"\$main_venv" -m (ruff|mypy) ', line)
    }
    assert by_hooks == by_ci
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
