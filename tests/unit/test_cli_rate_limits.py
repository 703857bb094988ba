"""`bria-async batch --plan/--rate-limit/--redis`: the client options they make, and a bad
rate refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bria_async import RateLimits, RedisRateLimiter
from bria_async._cli.batch import rate_options
from bria_async.cli import _parser, main


def _options(*flags: str) -> dict[str, object]:
    return rate_options(_parser().parse_args(["batch", "p.txt", "--out", "out", *flags]))


def test_a_plan_and_a_rate_become_the_clients_rate_limits() -> None:
    assert _options()["settings"].rate_limits == RateLimits()  # type: ignore[attr-defined]
    payg = _options("--plan", "payg")["settings"]
    assert payg.rate_limits == RateLimits.plan("payg")  # type: ignore[attr-defined]
    custom = _options("--plan", "free", "--rate-limit", "2/s")["settings"]
    assert custom.rate_limits == RateLimits(per_minute=120)  # type: ignore[attr-defined]
    assert _options()["rate_limiter"] is None


def test_redis_shares_the_limits() -> None:
    limiter = _options("--redis", "redis://127.0.0.1:6379/0")["rate_limiter"]
    assert isinstance(limiter, RedisRateLimiter)


@pytest.mark.parametrize(
    ("flags", "message"),
    [(["--rate-limit", "fast"], "not a rate"), (["--redis", "127.0.0.1:6379"], "redis://")],
)
def test_bad_rate_flags_are_refused_before_anything_is_sent(
    flags: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a fox\n")
    monkeypatch.setenv("BRIA_API_TOKEN", "t")
    monkeypatch.setenv("BRIA_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    assert main(["batch", str(prompts), "--out", str(tmp_path / "out"), *flags]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_redis_url_is_shown_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a fox\n")
    monkeypatch.setenv("BRIA_API_TOKEN", "t")
    monkeypatch.setenv("BRIA_BASE_URL", "http://127.0.0.1:9/v1")
    url = "rediss:/:Hunter2Pass@127.0.0.1:1/0"  # one slash short
    assert main(["batch", str(prompts), "--out", str(tmp_path / "out"), "--redis", url]) == 2
    err = capsys.readouterr().err
    assert "Hunter2Pass" not in err
    assert "rediss:/:***@127.0.0.1:1/0" in err  # what was typed, but the password
