"""What `bria-async batch-status` prints about one batch, whichever journal holds it: lines per
state, failed lines per error, uncertain lines, workers; and the export's record format."""

from __future__ import annotations

import json
from typing import Any

import attrs

MAX_LISTED = 20


@attrs.frozen(kw_only=True)
class StatusReport:
    """One batch's state: `states` in the journal's own order of states, `errors` most
    common first; `stopped` says what stopped in flight (a worker, a run)."""

    title: str
    lines: str
    states: list[tuple[str, int]]
    errors: list[tuple[str, int]]
    uncertain: list[int]
    stopped: str
    workers: list[tuple[str, int]] = attrs.Factory(list)
    note: str | None = None

    def text(self) -> str:
        out = [
            f"{self.title}: {self.lines}: "
            + ", ".join(f"{state} {count}" for state, count in self.states)
        ]
        if self.errors:
            out.append("failed lines per error:")
            out += [f"  {count:6d}  {error}" for error, count in self.errors[:MAX_LISTED]]
        if self.uncertain:
            out.append(
                f"lines possibly submitted twice (in flight when a {self.stopped} stopped): "
                + ", ".join(map(str, self.uncertain))
            )
        if self.workers:
            out.append("workers holding lines: " + ", ".join(f"{w} ({n})" for w, n in self.workers))
        if self.note:
            out.append(self.note)
        return "\n".join(out)


def export_line(record: dict[str, Any]) -> bytes:
    """One record of an exported manifest, as a line."""
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"
