"""Saving results to disk: file modes as `open()` makes them, entries already at a name never
followed nor replaced, and the part files of killed saves removed by the next save."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aioresponses import CallbackResult

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, MockAPI
from tests.unit.test_objects import VID, mask_zip

PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 100
A = "https://storage.test/a.png"
B = "https://storage.test/b.png"
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes and symlinks")


async def _result(client: BriaClient, mock_api: MockAPI) -> ba.ImageResult:
    """A sync generation of one image at A, whose download answers PNG bytes."""
    mock_api.post(
        f"{BASE_URL}/text-to-image/base/2.3", payload={"result": [{"urls": [A], "seed": 1}]}
    )
    mock_api.get(A, status=200, body=PNG, repeat=True)
    return await client.images.generate("a fox", sync=True, num_results=1)


async def _masks(client: BriaClient, mock_api: MockAPI) -> ba.Masks:
    """Masks 1 and 2 of VID (and the panoptic map), answered as a zip."""
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", body=mask_zip())
    return await client.objects.mask_generator(VID)


@pytest.fixture
def umask() -> Iterator[None]:
    """Put the process umask back after a test that sets it."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


# --- modes -------------------------------------------------------------------------------
@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077], ids=oct)
async def test_saved_files_get_the_mode_open_gives_under_the_umask(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path, umask: None, mask: int
) -> None:
    result = await _result(client, mock_api)
    masks = await _masks(client, mock_api)
    os.umask(mask)
    paths = [*await result.save(tmp_path), *await masks.save(tmp_path)]
    expected = 0o666 & ~mask
    assert [(p.name, p.stat().st_mode & 0o777) for p in paths] == [
        (p.name, expected) for p in paths
    ]


# --- entries already at a name -------------------------------------------------------------
@posix_only
async def test_a_symlink_or_directory_at_a_name_takes_it_and_is_never_followed(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    target, outside = tmp_path / "out", tmp_path / "outside"
    target.mkdir()
    outside.mkdir()
    (outside / "kept.png").write_bytes(b"not yours")
    (target / "pic.png").symlink_to(outside / "kept.png")
    (target / "pic-1.png").symlink_to(outside / "made.png")  # dangling
    (target / "pic-2.png").mkdir()
    (target / "pic-3.png").symlink_to(target / "pic-3.png")  # a loop
    result = await _result(client, mock_api)
    path = await result.images[0].save(target, name="pic")
    assert path == target.resolve() / "pic-4.png"
    assert path.read_bytes() == PNG
    assert (outside / "kept.png").read_bytes() == b"not yours"
    assert sorted(p.name for p in outside.iterdir()) == ["kept.png"]
    assert (target / "pic-1.png").is_symlink()
    assert not (target / "pic-1.png").exists()


@posix_only
async def test_masks_save_steps_over_a_symlink_at_a_mask_name(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    masks = await _masks(client, mock_api)
    (tmp_path / f"{VID}_1.png").symlink_to(tmp_path.parent / "elsewhere.png")
    paths = await masks.save(tmp_path)
    assert [p.name for p in paths] == [f"{VID}_1-1.png", f"{VID}_2.png", f"{VID}_panoptic.png"]
    assert not (tmp_path.parent / "elsewhere.png").exists()


# --- part files ----------------------------------------------------------------------------
_PART = re.compile(r"\.bria-(?P<host>[^-]+)-(?P<pid>\d+)-(?P<random>[0-9a-f]{16})\.part")


async def _part_name_while_downloading(
    client: BriaClient, mock_api: MockAPI, directory: Path
) -> tuple[re.Match[str], asyncio.Event, asyncio.Task[list[Path]]]:
    """Start saving an image into `directory` and hold its download; the name of its part
    file, the event that lets the download finish, and the saving task."""
    release = asyncio.Event()

    async def held(url: Any, **kwargs: Any) -> CallbackResult:
        await release.wait()
        return CallbackResult(status=200, body=PNG)

    mock_api.post(
        f"{BASE_URL}/text-to-image/base/2.3", payload={"result": [{"urls": [B], "seed": 1}]}
    )
    mock_api.get(B, callback=held)
    result = await client.images.generate("a fox", sync=True, num_results=1)
    saving = asyncio.create_task(result.save(directory))
    for _ in range(1000):
        parts = [p.name for p in directory.iterdir() if p.name.endswith(".part")]
        if parts:
            break
        await asyncio.sleep(0.01)
    (name,) = parts
    match = _PART.fullmatch(name)
    assert match is not None, name
    return match, release, saving


def _ended_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_part_file_names_its_machine_and_process_and_a_concurrent_save_keeps_it(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    match, release, saving = await _part_name_while_downloading(client, mock_api, tmp_path)
    assert int(match["pid"]) == os.getpid()
    # another save into the same directory, while the first is writing, removes nothing of it
    other = await _result(client, mock_api)
    (done,) = await other.save(tmp_path)
    assert (tmp_path / match.group(0)).exists()
    release.set()
    (held,) = await saving
    assert held.read_bytes() == done.read_bytes() == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([held.name, done.name])


async def test_the_next_save_removes_the_part_files_of_killed_saves_only(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    match, release, saving = await _part_name_while_downloading(client, mock_api, tmp_path)
    release.set()
    await saving
    host, rand = match["host"], match["random"]
    day_ago = time.time() - 2 * 24 * 3600
    parts = {
        # this machine, a process that ended (killed mid-write): stale
        f".bria-{host}-{_ended_pid()}-{rand}.part": (True, None),
        # this process, but no save of it is writing it (a process of the same pid before): stale
        f".bria-{host}-{os.getpid()}-{rand}.part": (True, None),
        # this machine, a process still running: kept
        f".bria-{host}-{os.getppid()}-{rand}.part": (False, None),
        # another machine (a shared directory): kept while fresh, stale after a day
        f".bria-elsewhere-{os.getpid()}-{rand}.part": (False, None),
        f".bria-elsewhere-{os.getpid()}-{'0' * 16}.part": (True, day_ago),
        # the mkstemp names of earlier versions: stale after a day
        ".bria-k2j4_x9q.part": (True, day_ago),
        ".bria-a8d7_1zz.part": (False, None),
    }
    for name, (_, mtime) in parts.items():
        (tmp_path / name).write_bytes(b"partial")
        if mtime is not None:
            os.utime(tmp_path / name, (mtime, mtime))
    (tmp_path / "not-ours.part").write_bytes(b"someone else's")
    result = await _result(client, mock_api)
    await result.save(tmp_path)
    left = {p.name for p in tmp_path.iterdir()}
    assert {name for name, (stale, _) in parts.items() if name in left} == {
        name for name, (stale, _) in parts.items() if not stale
    }
    assert "not-ours.part" in left


# --- through the client --------------------------------------------------------------------
async def test_the_client_saves_a_result_and_an_image_it_made(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    result = await _result(client, mock_api)
    (path,) = await client.save(result, tmp_path / "all")
    alone = await client.save(result.images[0], tmp_path / "alone")
    assert [p.read_bytes() for p in (path, alone)] == [PNG] * 2
    assert path.name == (await result.save(tmp_path / "again"))[0].name


async def test_the_client_saves_results_made_by_hand_that_cannot_save_themselves(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    mock_api.get(A, status=200, body=PNG, repeat=True)
    image = ba.Image(url=A, seed=7)
    with pytest.raises(ba.ClientStateError, match=r"bria\.save"):
        await image.save(tmp_path)
    path = await client.save(image, tmp_path)
    assert path.name == "image-7.png"
    assert path.read_bytes() == PNG
    v2 = ba.V2Result(image_url=A, request_id="r1")
    assert (await client.save(v2, tmp_path)).read_bytes() == PNG


async def test_the_client_saves_masks_without_downloading(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    masks = await _masks(client, mock_api)
    paths = await client.save(masks, tmp_path)
    assert sorted(p.name for p in paths) == sorted(p.name for p in await masks.save(tmp_path / "b"))


async def test_the_client_refuses_what_it_cannot_save_naming_it(
    client: BriaClient, tmp_path: Path
) -> None:
    with pytest.raises(TypeError, match=r"result.*'a string'.*ImageResult"):
        await client.save("a string", tmp_path)  # type: ignore[arg-type]
