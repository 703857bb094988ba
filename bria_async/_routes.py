"""Every route of the Bria API the client reaches, declared once (data only).

Each row says the HTTP method, the path template (under the base URL of its API version),
how a call of it finishes, the result it gives, and the SDK method that reaches it. From the
table come: the Calls the namespaces send (`resources/_base.call_of`), the rate-limit
endpoint names, the registry `jobs.resume` rebuilds Jobs from (`_registry.py`), the
emulator's routes (checked against it by the tests) and the route tables of the README and
the docs (``python -m bria_async._route_docs --write README.md docs/reference/routes.md``; a
test fails when they differ).

Adding a route: a row here, one namespace method, one emulator handler, tests.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Finish(str, enum.Enum):
    """How a call of a route reaches its result."""

    #: The answer is the result (CRUD, reads, edits answered at once).
    DIRECT = "direct"
    #: Placeholder URLs that hold the images once generated (``sync=false``).
    PLACEHOLDERS = "placeholders"
    #: An info route: called again while it answers 205.
    CALL_AGAIN = "call again"
    #: A v2 request: its ``/v2/status/{request_id}`` is followed (or its webhook taken).
    STATUS_URL = "status URL"
    #: A training: the model's status is followed until final.
    TRAINING = "training"


DIRECT = Finish.DIRECT
PLACEHOLDERS = Finish.PLACEHOLDERS
CALL_AGAIN = Finish.CALL_AGAIN
STATUS_URL = Finish.STATUS_URL
TRAINING = Finish.TRAINING


class Route(NamedTuple):
    """One route: what the client sends and how it finishes."""

    #: Unique; what namespaces look the route up by.
    name: str
    method: str
    #: Under the base URL of `version`, placeholders as the reference names them.
    path: str
    #: The API version (1 or 2).
    version: int
    finish: Finish
    #: The kind of its Job (its parser; a job token names it); routes may share one.
    kind: str
    #: The type the call gives, as the README and the parser's annotation spell it.
    result: str
    #: The SDK method(s) that reach it, as the README's table shows them.
    usage: str
    #: Creates paid work: repeated only where the server cannot have done it.
    billable: bool = False
    #: False: sent once, never repeated (v2 submissions).
    repeat: bool = True
    #: Its number in ROUTES.md (the seed's v1 routes), 0 for the routes only Bria's OpenAPI has.
    number: int = 0

    @property
    def endpoint(self) -> str:
        """The rate-limit endpoint it spends, as Bria counts its limits, e.g.
        ``POST /text-to-image/base/{model_version}``, ``GET /v2/status/{request_id}``."""
        return f"{self.method} {'/v2' if self.version == 2 else ''}{self.path}"


def _v1(
    number: int,
    name: str,
    method: str,
    path: str,
    finish: Finish,
    kind: str,
    result: str,
    usage: str,
    *,
    billable: bool = False,
) -> Route:
    return Route(name, method, path, 1, finish, kind, result, usage, billable, True, number)


def _v2(name: str, path: str, usage: str) -> Route:
    """A v2 submission: a billable POST sent once, finishing through its status URL."""
    return Route(name, "POST", path, 2, STATUS_URL, name, "V2Result", usage, True, False)


# fmt: off
ROUTES: tuple[Route, ...] = (
    _v1(1, 'images.generate.base', 'POST', '/text-to-image/base/{model_version}', PLACEHOLDERS, 'images.generate', 'ImageResult', '`bria.images.generate(prompt, model="base")`', billable=True),
    _v1(2, 'images.generate.fast', 'POST', '/text-to-image/fast/{model_version}', PLACEHOLDERS, 'images.generate', 'ImageResult', '`bria.images.generate(prompt, model="fast")`', billable=True),
    _v1(3, 'images.generate.hd', 'POST', '/text-to-image/hd/{model_version}', PLACEHOLDERS, 'images.generate', 'ImageResult', '`bria.images.generate(prompt, model="hd")`', billable=True),
    _v1(4, 'images.generate_tailored', 'POST', '/text-to-image/tailored/{model_id}', PLACEHOLDERS, 'images.generate', 'ImageResult', '`bria.images.generate_tailored(model_id, prompt)`', billable=True),
    _v1(5, 'visuals.campaign_generator', 'POST', '/{visual_id}/campaign_generator', DIRECT, 'visuals.campaign_generator', 'ImageResult', '`bria.visuals.campaign_generator(visual_id, ...)`', billable=True),
    _v1(6, 'visuals.image_expansion', 'POST', '/{visual_id}/image_expansion', DIRECT, 'visuals.edit', 'EditResult', '`bria.visuals.image_expansion(visual_id, ...)`', billable=True),
    _v1(7, 'images.upscale', 'POST', '/image/increase_resolution', DIRECT, 'images.upscale', 'EditResult', '`bria.images.upscale(image, desired_increase=2)`', billable=True),
    _v1(8, 'visuals.increase_resolution', 'POST', '/{visual_id}/increase_resolution', DIRECT, 'visuals.edit', 'EditResult', '`bria.visuals.increase_resolution(visual_id, sid=, desired_increase=)`', billable=True),
    _v1(9, 'visuals.image_to_psd', 'POST', '/{visual_id}/image_to_psd', DIRECT, 'visuals.edit', 'EditResult', '`bria.visuals.image_to_psd(visual_id, sid=)`', billable=True),
    _v1(10, 'visuals.crop', 'POST', '/{visual_id}/crop', DIRECT, 'visuals.edit', 'EditResult', '`bria.visuals.crop(visual_id, sid=, padding=)`', billable=True),
    _v1(11, 'datasets.create', 'POST', '/tailored-gen/datasets', DIRECT, 'datasets.create', 'Dataset', '`bria.datasets.create(...)`', billable=True),
    _v1(12, 'datasets.list', 'GET', '/tailored-gen/datasets', DIRECT, 'datasets.list', 'tuple[Dataset, ...]', '`bria.datasets.list()`'),
    _v1(13, 'datasets.retrieve', 'GET', '/tailored-gen/datasets/{id}', DIRECT, 'datasets.retrieve', 'Dataset', '`bria.datasets.retrieve(dataset_id)`'),
    _v1(14, 'datasets.update', 'PUT', '/tailored-gen/datasets/{id}', DIRECT, 'datasets.update', 'Dataset', '`bria.datasets.update(dataset_id, ...)`, `bria.datasets.complete(dataset_id)`'),
    _v1(15, 'datasets.delete', 'DELETE', '/tailored-gen/datasets/{id}', DIRECT, 'datasets.delete', 'None', '`bria.datasets.delete(dataset_id)`'),
    _v1(16, 'datasets.upload_image', 'POST', '/tailored-gen/datasets/{dataset_id}/images', DIRECT, 'datasets.upload_image', 'DatasetImage', '`bria.datasets.upload_image(dataset_id, image)`, `bria.datasets.upload_images(...)`', billable=True),
    _v1(17, 'datasets.list_images', 'GET', '/tailored-gen/datasets/{dataset_id}/images', DIRECT, 'datasets.list_images', 'tuple[DatasetImage, ...]', '`bria.datasets.list_images(dataset_id)`'),
    _v1(18, 'datasets.retrieve_image', 'GET', '/tailored-gen/datasets/{dataset_id}/images/{image_id}', DIRECT, 'datasets.retrieve_image', 'DatasetImage', '`bria.datasets.retrieve_image(dataset_id, image_id)`'),
    _v1(19, 'datasets.delete_image', 'DELETE', '/tailored-gen/datasets/{dataset_id}/images/{image_id}', DIRECT, 'datasets.delete_image', 'None', '`bria.datasets.delete_image(dataset_id, image_id)`'),
    _v1(20, 'models.create', 'POST', '/tailored-gen/models', DIRECT, 'models.create', 'Model', '`bria.models.create(...)`', billable=True),
    _v1(21, 'models.list', 'GET', '/tailored-gen/models', DIRECT, 'models.list', 'tuple[Model, ...]', '`bria.models.list()`'),
    _v1(22, 'models.retrieve', 'GET', '/tailored-gen/models/{id}', DIRECT, 'models.retrieve', 'Model', '`bria.models.retrieve(model_id)`'),
    _v1(23, 'models.delete', 'DELETE', '/tailored-gen/models/{id}', DIRECT, 'models.delete', 'None', '`bria.models.delete(model_id)`'),
    _v1(24, 'models.start_training', 'POST', '/tailored-gen/models/{id}/start_training', TRAINING, 'models.start_training', 'Model', '`bria.models.start_training(model_id)`', billable=True),
    _v1(25, 'models.stop_training', 'POST', '/tailored-gen/models/{id}/stop_training', DIRECT, 'models.stop_training', 'Model', '`bria.models.stop_training(model_id)`'),
    _v1(26, 'product.cutout', 'POST', '/product/cutout', DIRECT, 'product.cutout', 'EditResult', '`bria.product.cutout(image, sku=)`', billable=True),
    _v1(27, 'product.packshot', 'POST', '/product/packshot', DIRECT, 'product.packshot', 'EditResult', '`bria.product.packshot(image, ...)`', billable=True),
    _v1(28, 'product.lifestyle_shot_by_text', 'POST', '/product/lifestyle_shot_by_text', PLACEHOLDERS, 'product.lifestyle_shot_by_text', 'ImageResult', '`bria.product.lifestyle_shot_by_text(image, scene_description, ...)`', billable=True),
    _v1(29, 'product.lifestyle_shot_by_image', 'POST', '/product/lifestyle_shot_by_image', PLACEHOLDERS, 'product.lifestyle_shot_by_image', 'ImageResult', '`bria.product.lifestyle_shot_by_image(image, reference_image, ...)`', billable=True),
    _v1(30, 'product.consistent_shots', 'POST', '/products/consistent_shots', PLACEHOLDERS, 'product.consistent_shots', 'ImageResult', '`bria.product.consistent_shots(images, ...)`', billable=True),
    _v1(31, 'product.contextual_keyword_extraction', 'POST', '/product/contextual_keyword_extraction', DIRECT, 'product.contextual_keyword_extraction', 'ProductKeywords', '`bria.product.contextual_keyword_extraction(image)`', billable=True),
    _v1(32, 'visuals.register', 'POST', '/register', DIRECT, 'visuals.register', 'RegisteredVisual', '`bria.visuals.register(image_url, org_image_key=, is_private=)`'),
    _v1(33, 'visuals.remove_image', 'POST', '/{visual_id}/remove_image', DIRECT, 'visuals.remove_image', 'None', '`bria.visuals.remove_image(visual_id)`'),
    _v1(34, 'visuals.info', 'GET', '/{visual_id}/info', CALL_AGAIN, 'visuals.info', 'VisualInfo', '`bria.visuals.info(visual_id, lean=)`'),
    _v1(35, 'background.info', 'GET', '/{visual_id}/background/info', CALL_AGAIN, 'background.info', 'SceneObject', '`bria.background.info(visual_id)`'),
    _v1(36, 'background.remove', 'POST', '/background/remove', DIRECT, 'background.edit', 'EditResult', '`bria.background.remove(image)`', billable=True),
    _v1(37, 'background.remove_by_visual', 'POST', '/{visual_id}/background/remove', DIRECT, 'background.edit', 'EditResult', '`bria.background.remove_by_visual(visual_id, sid=, desired_resolution=, original_quality=)`', billable=True),
    _v1(38, 'background.blur', 'POST', '/{visual_id}/background/blur', DIRECT, 'background.edit', 'EditResult', '`bria.background.blur(visual_id, scale=, sid=, desired_resolution=)`', billable=True),
    _v1(39, 'background.replace', 'POST', '/background/replace', PLACEHOLDERS, 'background.replace', 'ImageResult', '`bria.background.replace(image, bg_prompt, ...)`', billable=True),
    _v1(40, 'background.replace_bg', 'POST', '/{visual_id}/replace_bg', PLACEHOLDERS, 'background.replace', 'ImageResult', '`bria.background.replace_bg(visual_id, bg_prompt, ...)`', billable=True),
    _v1(41, 'objects.info', 'GET', '/{visual_id}/objects/info', CALL_AGAIN, 'objects.info', 'ObjectsInfo', '`bria.objects.info(visual_id)`'),
    _v1(42, 'objects.mask_generator', 'POST', '/{visual_id}/objects/mask_generator', DIRECT, 'objects.mask_generator', 'Masks', '`bria.objects.mask_generator(visual_id)`', billable=True),
    _v1(43, 'objects.remove', 'POST', '/{visual_id}/objects/remove', DIRECT, 'objects.remove', 'EditResult', '`bria.objects.remove(visual_id, ...)`', billable=True),
    _v1(44, 'visuals.caption', 'GET', '/{visual_id}/caption', DIRECT, 'visuals.caption', 'Caption', '`bria.visuals.caption(visual_id)`'),
    _v1(45, 'search.text', 'GET', '/search', DIRECT, 'search.page', 'SearchPage', '`bria.search.text(query, gallery_id=, ...)`'),
    _v1(46, 'search.similar', 'GET', '/search_similar_images', DIRECT, 'search.page', 'SearchPage', '`bria.search.similar(vhash= or url=, gallery_id=, ...)`'),
    _v1(47, 'person.info', 'GET', '/{visual_id}/person/info', CALL_AGAIN, 'person.info', 'PeopleInfo', '`bria.person.info(visual_id)`'),
    _v1(48, 'person.modify', 'POST', '/{visual_id}/create', DIRECT, 'person.modify', 'EditResult', '`bria.person.modify(visual_id, changes, sid=, desired_resolution=)`', billable=True),
    _v2('v2.image.generate', '/image/generate', '`bria.v2.image.generate(prompt, structured_prompt=, image_url=, aspect_ratio=, resolution=, negative_prompt=, num_results=, seed=, style_id=)`'),
    _v2('v2.image.edit', '/image/edit', '`bria.v2.image.edit(images, instruction=` or `structured_instruction=)`'),
    _v2('v2.image.remove_background', '/image/edit/remove_background', '`bria.v2.image.remove_background(image)`'),
    _v2("v2.image.remove_background/guided", "/image/edit/remove_background/guided", "`bria.v2.image.remove_background(image, guided=True, mask=)`"),
    _v2('v2.image.replace_background', '/image/edit/replace_background', '`bria.v2.image.replace_background(image, prompt)`'),
    _v2('v2.image.blur_background', '/image/edit/blur_background', '`bria.v2.image.blur_background(image)`'),
    _v2('v2.image.erase', '/image/edit/erase', '`bria.v2.image.erase(image, mask)`'),
    _v2('v2.image.erase_foreground', '/image/edit/erase_foreground', '`bria.v2.image.erase_foreground(image)`'),
    _v2('v2.image.gen_fill', '/image/edit/gen_fill', '`bria.v2.image.gen_fill(image, mask, prompt, mask_type=, negative_prompt=, num_results=)`'),
    _v2('v2.image.expand', '/image/edit/expand', '`bria.v2.image.expand(image, aspect_ratio=` or `canvas_size=, prompt=)`'),
    _v2('v2.image.enhance', '/image/edit/enhance', '`bria.v2.image.enhance(image)`'),
    _v2('v2.image.increase_resolution', '/image/edit/increase_resolution', '`bria.v2.image.increase_resolution(image, desired_increase=, preserve_alpha=)`'),
    _v2('v2.image.crop_foreground', '/image/edit/crop_foreground', '`bria.v2.image.crop_foreground(image)`'),
    _v2('v2.image.add_object_by_text', '/image/edit/add_object_by_text', '`bria.v2.image.add_object_by_text(image, instruction)`'),
    _v2('v2.image.replace_object_by_text', '/image/edit/replace_object_by_text', '`bria.v2.image.replace_object_by_text(image, instruction)`'),
    _v2('v2.image.erase_by_text', '/image/edit/erase_by_text', '`bria.v2.image.erase_by_text(image, object_name)`'),
    _v2("v2.image.rewrite_text", "/image/edit/rewrite_text", "`bria.v2.image.rewrite_text(image, new_text)`"),
    _v2('v2.image.blend', '/image/edit/blend', '`bria.v2.image.blend(image, overlay, instruction)`'),
    _v2('v2.image.reseason', '/image/edit/reseason', '`bria.v2.image.reseason(image, season)`'),
    _v2('v2.image.restyle', '/image/edit/restyle', '`bria.v2.image.restyle(image, style)`'),
    _v2('v2.image.relight', '/image/edit/relight', '`bria.v2.image.relight(image, light_type, light_direction)`'),
    _v2('v2.image.sketch_to_colored_image', '/image/edit/sketch_to_colored_image', '`bria.v2.image.sketch_to_colored_image(image, prompt=)`'),
    _v2('v2.image.restore', '/image/edit/restore', '`bria.v2.image.restore(image)`'),
    _v2('v2.image.colorize', '/image/edit/colorize', '`bria.v2.image.colorize(image, color)`'),
    _v2('v2.product.integrate', '/image/edit/product/integrate', '`bria.v2.product.integrate(scene, products, seed=)`'),
    _v2('v2.structured_instruction', '/structured_instruction/generate', '`bria.v2.structured_instruction(images, instruction, mask=)`'),
    Route("v2.status", "GET", '/status/{request_id}', 2, DIRECT, "v2.status", "StatusEvent", '`bria.v2.status(request_id)` (one read, a `StatusEvent`); `bria.v2.job(request_id)` (a Job following it)'),

)
# fmt: on

#: The routes by name.
ROUTE: dict[str, Route] = {route.name: route for route in ROUTES}
