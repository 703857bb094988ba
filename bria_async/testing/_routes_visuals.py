"""Visual onboarding and read-only visual routes: register, remove, the four info routes,
caption and the two searches.

Shapes the reference leaves open, as the emulator answers them: remove_image
`{"visual_id": id, "status": "removed"}`; info `{"visual_id", "description", "org_width",
"org_height", "scene": [element, ...]}` where an element is `{"id", "type", "labels", "rect",
"actions", "oracle"}` (lean=true: description and sizes only); objects/info and person/info
are lists of elements, background/info one element; 205 (empty body) while onboarding;
caption `{"results": [{"caption": str}]}`; searches `{"results": [{"visual_id", "url",
"score"}, ...]}` over the registered visuals, at most 800 per query, empty past the end.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from aiohttp import web

from ._results import PREFIX, ok, state_of
from ._state import State, Visual
from ._validate import Params, fail, json_body

__all__ = ["add_routes", "objects_of", "people_of"]

MAX_SEARCH_RESULTS = 800
_STYLES = (
    "stock photography", "photo realistic", "fashion", "retro", "sports", "still life",
    "hyper realistic", "travel", "artistic", "3d render", "realistic", "fantasy",
    "comic book", "minimalistic",
)  # fmt: skip
_ORACLE = ("high", "medium", "low")


def _element_id(visual: Visual, name: str) -> str:
    return hashlib.sha256(f"{visual.visual_id}/{name}".encode()).hexdigest()


def background_of(visual: Visual) -> dict[str, Any]:
    """The visual's background element."""
    good = visual.digest()[10] % 4 != 0
    return {
        "id": _element_id(visual, "background"),
        "type": "background",
        "labels": None,
        "rect": None,
        "actions": {"remove": True, "blur": True, "replace": True},
        "oracle": {"remove": good, "blur": True, "replace": good},
    }


def objects_of(visual: Visual) -> list[dict[str, Any]]:
    """The visual's objects, each removable, with an oracle value."""
    digest = visual.digest()
    objects = []
    for index, label in enumerate(visual.object_labels()):
        side = visual.width // 5
        objects.append(
            {
                "id": _element_id(visual, f"object{index}"),
                "type": "object",
                "labels": [label],
                "rect": [index * side, visual.height // 2, side, side],
                "actions": {"remove": True},
                "oracle": {"remove": digest[index] % 3 != 0},
            }
        )
    return objects


def people_of(visual: Visual) -> list[dict[str, Any]]:
    """The visual's presenters, with their possible changes and oracle values."""
    digest = visual.digest()
    people = []
    for index in range(1 + digest[11] % 2):
        people.append(
            {
                "id": _element_id(visual, f"person{index}"),
                "type": "person",
                "labels": ["woman" if digest[12 + index] % 2 else "man"],
                "rect": [
                    visual.width // 2,
                    index * visual.height // 3,
                    visual.width // 4,
                    visual.height // 3,
                ],
                "description": "a person facing the camera",
                "actions": {
                    "expression": ["happy", "neutral", "surprised"],
                    "age": ["young", "adult", "senior"],
                    "diversity": ["african", "asian", "caucasian"],
                },
                "oracle": {
                    "expression": _ORACLE[digest[14 + index] % 3],
                    "age": _ORACLE[digest[16 + index] % 3],
                    "diversity": _ORACLE[digest[18 + index] % 3],
                },
            }
        )
    return people


def _description(visual: Visual) -> str:
    return "A photo of " + ", ".join(f"a {label}" for label in visual.object_labels()) + "."


def _onboarded(request: web.Request) -> Visual | None:
    """The visual, or None while it is still onboarding (the route then answers 205)."""
    state = state_of(request)
    visual = state.visual(request.match_info["visual_id"])
    if time.monotonic() - visual.registered_mono < state.config.onboarding_seconds:
        return None
    return visual


def _onboarding() -> web.Response:
    return web.Response(status=205)


async def _register(request: web.Request) -> web.Response:
    state = state_of(request)
    params = Params(await json_body(request))
    image_url = params.url("image_url")
    key = params.string("org_image_key")
    if image_url is None and not key:
        fail(400, "missing required parameter: image_url or org_image_key")
    private = params.source.get("is_private", True)
    if private not in (True, False, "true", "false", "True", "False"):
        fail(400, f"invalid is_private: {private!r}; allowed: true or false")
    source = f"url:{image_url}" if image_url is not None else f"key:{key}"
    visual_id = hashlib.sha256(source.encode()).hexdigest()[:16]
    if visual_id in state.visuals:
        return ok({"visual_id": visual_id}, 208)
    state.visuals[visual_id] = Visual(visual_id, image_url, key, time.monotonic())
    return ok({"visual_id": visual_id})


async def _remove_image(request: web.Request) -> web.Response:
    state = state_of(request)
    visual = state.visual(request.match_info["visual_id"])
    del state.visuals[visual.visual_id]
    return ok({"visual_id": visual.visual_id, "status": "removed"})


async def _info(request: web.Request) -> web.Response:
    lean = Params(request.query, query=True).boolean("lean", False)
    visual = _onboarded(request)
    if visual is None:
        return _onboarding()
    info: dict[str, Any] = {
        "description": _description(visual),
        "org_width": visual.width,
        "org_height": visual.height,
    }
    if not lean:
        info["visual_id"] = visual.visual_id
        info["scene"] = [background_of(visual), *objects_of(visual), *people_of(visual)]
    return ok(info)


async def _background_info(request: web.Request) -> web.Response:
    visual = _onboarded(request)
    return _onboarding() if visual is None else ok(background_of(visual))


async def _objects_info(request: web.Request) -> web.Response:
    visual = _onboarded(request)
    return _onboarding() if visual is None else ok(objects_of(visual))


async def _person_info(request: web.Request) -> web.Response:
    visual = _onboarded(request)
    return _onboarding() if visual is None else ok(people_of(visual))


async def _caption(request: web.Request) -> web.Response:
    visual = state_of(request).visual(request.match_info["visual_id"])
    return ok({"results": [{"caption": _description(visual)}]})


def _page(state: State, params: Params, seed_text: str, exclude: str | None) -> web.Response:
    """One page of the registered visuals, ordered by a score derived from the query."""
    per_page = params.integer("num_results_per_page", 50, low=1, high=500) or 50
    page = params.integer("page", 1, low=1) or 1
    if not params.string("gallery_id", required=True):
        fail(400, "missing required parameter: gallery_id")
    scored = []
    for visual_id, visual in state.visuals.items():
        if visual_id == exclude:
            continue
        score = hashlib.sha256(f"{seed_text}/{visual_id}".encode()).digest()[0] / 255
        scored.append((score, visual_id, visual))
    scored.sort(key=lambda item: (-item[0], item[1]))
    window = scored[:MAX_SEARCH_RESULTS][(page - 1) * per_page : page * per_page]
    return ok(
        {
            "results": [
                {"visual_id": vid, "url": visual.image_url, "score": round(score, 4)}
                for score, vid, visual in window
            ]
        }
    )


async def _search(request: web.Request) -> web.Response:
    params = Params(request.query, query=True)
    query = params.string("query", required=True) or ""
    params.enum("style", None, _STYLES)
    params.enum("atmosphere", None, ("dramatic", "vivid", "warm", "cool"))
    params.enum("camera", None, ("portrait", "close up", "aerial", "landscape"))
    params.enum("medium", None, ("photography", "art"))
    return _page(state_of(request), params, query, None)


async def _search_similar(request: web.Request) -> web.Response:
    state = state_of(request)
    params = Params(request.query, query=True)
    vhash = params.string("vhash")
    url = params.url("url")
    if vhash:
        state.visual(vhash)
    elif url is None:
        fail(400, "missing required parameter: vhash or url")
    return _page(state, params, vhash or url or "", vhash)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes under /v1."""
    router.add_post(f"{PREFIX}/register", _register)
    router.add_post(f"{PREFIX}/{{visual_id}}/remove_image", _remove_image)
    router.add_get(f"{PREFIX}/{{visual_id}}/info", _info)
    router.add_get(f"{PREFIX}/{{visual_id}}/background/info", _background_info)
    router.add_get(f"{PREFIX}/{{visual_id}}/objects/info", _objects_info)
    router.add_get(f"{PREFIX}/{{visual_id}}/person/info", _person_info)
    router.add_get(f"{PREFIX}/{{visual_id}}/caption", _caption)
    router.add_get(f"{PREFIX}/search", _search)
    router.add_get(f"{PREFIX}/search_similar_images", _search_similar)
