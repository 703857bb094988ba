"""Which batch a ``--out`` folder belongs to, so two batches never take each other's images.

Images are named by line (``images/line-000001-0.png``) and a file with the expected name is
taken as the line's result, so a folder holds one batch: the first to use it writes its name
in ``.batch.json``, and any other batch is refused there before it sends anything. A folder
an earlier version wrote (a ``journal.jsonl`` and no ``.batch.json``) belongs to the batch of
that journal.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

OWNER_FILE = ".batch.json"
#: The batch whose journal is the folder's own journal.jsonl (no --journal).
FOLDER_BATCH = "the batch journaled in this folder (journal.jsonl, no --journal)"


class FolderTaken(Exception):
    """`out` belongs to another batch than the one about to run in it."""

    def __init__(self, out: Path, owner: str, batch: str) -> None:
        self.out, self.owner, self.batch = out, owner, batch
        super().__init__(
            f"--out {out} belongs to {owner}, not to {batch}: its images would be taken for "
            "this batch's; give this batch a folder of its own (another --out), or run that "
            "batch's own command to resume it"
        )


def claim_folder(out: Path, batch: str) -> None:
    """Make `out` the folder of `batch` unless it is another's (FolderTaken)."""
    out.mkdir(parents=True, exist_ok=True)
    owner = folder_owner(out)
    if owner is None:
        owner = _write_owner(out, batch)
    if owner != batch:
        raise FolderTaken(out, owner, batch)


def folder_owner(out: Path) -> str | None:
    """The batch `out` belongs to, or None when it is nobody's yet."""
    try:
        data = json.loads((out / OWNER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FOLDER_BATCH if (out / "journal.jsonl").exists() else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("batch"), str):
        return f"an unknown batch (an unreadable {OWNER_FILE})"
    return str(data["batch"])


def _write_owner(out: Path, batch: str) -> str:
    """Write `batch` as the owner of `out`, unless another run got there first: the owner."""
    staged = out / f"{OWNER_FILE}.{secrets.token_hex(4)}"
    staged.write_text(json.dumps({"batch": batch}) + "\n", encoding="utf-8")
    try:
        os.link(staged, out / OWNER_FILE)  # appears whole, and only if it is not there yet
    except FileExistsError:
        return folder_owner(out) or batch
    finally:
        staged.unlink()
    return batch
