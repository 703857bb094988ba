"""The first probe's delay is learned from how long images take, never from how long no
process was running: a job resumed long after its submission teaches the schedule nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs

from bria_async import BriaClient, Hooks, PollEvent, PollSettings, Settings
from bria_async._tokens import derive_key, sign, verify
from bria_async.testing import Emulator, Latency

KEY = "the job token key of these tests"
SETTINGS = Settings(polling=PollSettings(initial_delay=0.2, min_interval=0.05, max_interval=0.5))


def _submitted_earlier(token: dict[str, Any], seconds: float) -> dict[str, Any]:
    """`token` as if its job had been submitted `seconds` earlier (a run killed, then resumed
    much later), signed again."""
    data = verify(token, lambda: derive_key(KEY))
    return sign(attrs.evolve(data, submitted_at=data.submitted_at - seconds), derive_key(KEY))


async def test_a_job_resumed_an_hour_after_its_submission_does_not_delay_fresh_jobs(
    bria_emulator: Emulator,
) -> None:
    bria_emulator.config.placeholder_latency = Latency.fixed(0.2)

    def client(hooks: Hooks | None = None) -> BriaClient:
        return BriaClient(
            bria_emulator.api_token,
            base_url=bria_emulator.base_url,
            settings=SETTINGS,
            job_token_key=KEY,
            hooks=hooks,
        )

    async with client() as first:
        job = first.images.generate("a lighthouse", num_results=1)
        await job.submit()
        token = job.to_dict()
    for url in job.urls:
        bria_emulator.make_ready(url)
    polls: list[PollEvent] = []
    async with client(Hooks(on_poll=polls.append)) as bria:
        await bria.jobs.resume(_submitted_earlier(token, 3600))
        assert [(p.outcome, p.waited > 3600) for p in polls] == [("ready", True)]
        fresh = [bria.images.generate(f"a fox number {i}", num_results=1) for i in range(4)]
        # Learning an hour from the resumed job, their first probes would wait 48 minutes.
        await asyncio.wait_for(asyncio.gather(*fresh), timeout=60)

    first_probes = {
        j.id: min(p.waited for p in polls if p.job_id == j.id) for j in fresh
    }  # seconds from each fresh job's submission to its first probe
    assert max(first_probes.values()) < 30, first_probes  # the initial 0.2 s, give or take load
