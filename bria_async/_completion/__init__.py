"""How a submitted Job reaches its result: one small strategy per way of finishing.

A route's JobSpec names a *plan* (frozen, shared by all its Jobs); after the submission the
plan begins a *completion* for one Job, which owns that Job's poller entries and state:

    Direct        the answer is the result
    Placeholders  ``sync=false``: wait until every placeholder URL holds its image
    CallAgain     an info route: call the same request again while it answers 205
    FollowStatus  training: read the model's status until it is final
    StatusURL     v2: read ``/v2/status/{request_id}`` until final, or take its webhook

Each completion can `start()`, `rearm()` after its window ended (the Job is then STALLED and
may be awaited again), `cancel()`, and say what its token must keep (`state()`). A new way
of finishing is a new plan and completion, not a flag. Each strategy talks to its job only
through `_followed.Followed` (complete, fail, stall, progress) and to the poller through the
watches of `_watches`. The modules: `_base` (Completion, Plan, Direct), `_placeholders`,
`_repeating` (CallAgain, FollowStatus) and `_status` (StatusURL); this one names what the
routes use.
"""

from ._base import Completion, Direct, Plan
from ._placeholders import Placeholders, check_placeholder_url
from ._repeating import CallAgain, FollowStatus, StatusEnded
from ._status import StatusURL

__all__ = [
    "CallAgain",
    "Completion",
    "Direct",
    "FollowStatus",
    "Placeholders",
    "Plan",
    "StatusEnded",
    "StatusURL",
    "check_placeholder_url",
]
