"""A FastAPI app on one shared AsyncBria client: wait for images, or submit now and come back later.

FastAPI reads the handlers' annotations at run time, so this module does not postpone them
(no ``from __future__ import annotations``). Run it with
``BRIA_API_TOKEN=... uvicorn examples.fastapi_app:app`` (or point BRIA_BASE_URL at
``bria-async emulator``). Needs the ``fastapi`` extra.
"""

from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from bria_async import ImageResult, InvalidJobTokenError, JobTimeoutError
from bria_async.contrib.fastapi import AsyncBriaDep, bria_lifespan

app = FastAPI(title="bria_async example", lifespan=bria_lifespan())


class GenerateRequest(BaseModel):
    prompt: str
    num_results: int = Field(default=1, ge=1, le=4)


class JobToken(BaseModel):
    token: dict[str, Any]


@app.post("/images")
async def generate(request: GenerateRequest, bria: AsyncBriaDep) -> dict[str, Any]:
    """Wait for the images and answer with their URLs and seeds."""
    result = await bria.images.generate(request.prompt, num_results=request.num_results)
    return {"images": [{"url": image.url, "seed": image.seed} for image in result.images]}


@app.post("/jobs", status_code=202)
async def submit(request: GenerateRequest, bria: AsyncBriaDep) -> dict[str, Any]:
    """Submit and answer at once: the placeholder URLs and a signed token to come back with
    (it lets its holder see this job's images, nothing else)."""
    job = await bria.images.generate(request.prompt, num_results=request.num_results).submit()
    token = job.to_dict()
    job.cancel()  # this process stops polling it: whoever holds the token resumes it
    return {"token": token, "urls": list(job.urls)}


@app.post("/jobs/status")
async def status(body: JobToken, bria: AsyncBriaDep, wait: float = 0.0) -> dict[str, Any]:
    """Resume a job from its token and say where it stands, waiting up to `wait` seconds.

    The token comes from a client: resume() checks its signature and every field before any
    request, so a forged or altered token is a 400 and reaches nothing.
    """
    try:
        job = bria.jobs.resume(body.token, ImageResult)
    except InvalidJobTokenError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    try:
        result = await job.wait(timeout=max(wait, 0.0) or 0.01)
    except JobTimeoutError as timeout:
        job.cancel()  # stop polling: the next status request resumes it again
        return {"status": "pending", "pending_urls": list(timeout.pending_urls)}
    return {
        "status": "done",
        "images": [{"url": image.url, "seed": image.seed} for image in result.images],
    }
