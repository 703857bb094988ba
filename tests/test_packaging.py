"""The version has one source, and CHANGELOG.md has a dated section per release."""

from __future__ import annotations

import datetime
import importlib.metadata
import re
from pathlib import Path

import bria_async

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"
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
