"""`decide`, the one retry decision, as a table: (call, attempt, outcome) -> decision."""

from __future__ import annotations

import pytest

from bria_async import RetrySettings
from bria_async._request import Call, Deadline, RequestOptions, TimeoutKind
from bria_async._retry import Action, Attempt, Decision, Failure, Outcome, decide
from bria_async._settings import Timeouts

# backoff ceilings 1, 2, 4, ...; a jitter of 0.5 makes the delay half the ceiling
RETRIES = RetrySettings(max_attempts=3, backoff_base=1.0, backoff_cap=8.0, backoff_scale=1.0)
OPTIONS = RequestOptions(timeouts=Timeouts(), retries=RETRIES)
GENEROUS = RequestOptions(
    timeouts=Timeouts(),
    retries=RetrySettings(max_attempts=3, backoff_base=1.0, retry_billable_server_errors=True),
)
SOON = Deadline.after(5)
LATER = Deadline.after(3600)
CONNECT, BROKEN, REFUSED = (Outcome(failure=f) for f in Failure)
RETRY_1 = Decision(Action.RETRY, 0.5)
RAISE = Decision(Action.RAISE)


def call(
    method: str = "GET",
    *,
    billable: bool = False,
    repeat: bool = True,
    kind: TimeoutKind = "quick",
    options: RequestOptions = OPTIONS,
    deadline: Deadline | None = None,
) -> Call:
    return Call(
        method,
        "/x",
        kind=kind,
        billable=billable,
        repeat=repeat,
        options=options,
        deadline=deadline,
    )


def status(code: int, retry_after: float | None = None) -> Outcome:
    return Outcome(status=code, retry_after=retry_after)


CASES = [
    # what is repeated, what is not
    ("500 GET", call(), Attempt(1), status(500), RETRY_1),
    ("502 GET, second attempt", call(), Attempt(2), status(502), Decision(Action.RETRY, 1.0)),
    ("500 GET, last attempt", call(), Attempt(3), status(500), RAISE),
    ("400 GET", call(), Attempt(1), status(400), RAISE),
    ("404 GET", call(), Attempt(1), status(404), RAISE),
    ("could not connect", call(), Attempt(1), CONNECT, RETRY_1),
    ("broke after connecting", call(), Attempt(1), BROKEN, RETRY_1),
    ("refused by the client", call(), Attempt(1), REFUSED, RAISE),
    ("Retry-After longer", call(), Attempt(1), status(429, 3.0), Decision(Action.RETRY, 3.0)),
    ("Retry-After shorter", call(), Attempt(1), status(503, 0.1), RETRY_1),
    ("repeat=False", call("POST", repeat=False), Attempt(1), status(503), RAISE),
    ("repeat=False, no connect", call("POST", repeat=False), Attempt(1), CONNECT, RAISE),
    # the billing rules: repeated only where the server cannot have done the work
    ("billable 500", call("POST", billable=True), Attempt(1), status(500), RAISE),
    ("billable 502", call("POST", billable=True), Attempt(1), status(502), RAISE),
    ("billable 504", call("POST", billable=True), Attempt(1), status(504), RAISE),
    ("billable broke", call("POST", billable=True), Attempt(1), BROKEN, RAISE),
    ("billable 429", call("POST", billable=True), Attempt(1), status(429), RETRY_1),
    ("billable 503", call("POST", billable=True), Attempt(1), status(503), RETRY_1),
    ("billable 512", call("POST", billable=True), Attempt(1), status(512), RETRY_1),
    ("billable no connect", call("POST", billable=True), Attempt(1), CONNECT, RETRY_1),
    (
        "billable 500, allowed",
        call("POST", billable=True, options=GENEROUS),
        Attempt(1),
        status(500),
        RETRY_1,
    ),
    # a DELETE whose broken attempt may have deleted it
    ("DELETE 404 after a break", call("DELETE"), Attempt(2, maybe_done=True), status(404), None),
    ("DELETE 404 first", call("DELETE"), Attempt(1), status(404), RAISE),
    ("GET 404 after a break", call(), Attempt(2, maybe_done=True), status(404), RAISE),
    # the deadline and the retry budget
    (
        "past the deadline",
        call(deadline=SOON),
        Attempt(1),
        status(429, 120.0),
        Decision(Action.RAISE, note="not retried: waiting 120.0s would pass the call's deadline"),
    ),
    ("within the deadline", call(deadline=LATER), Attempt(1), status(500), RETRY_1),
    (
        "budget spent",
        call(),
        Attempt(1, budget=False),
        status(500),
        Decision(Action.RAISE, note="not retried: the client's retry budget is spent"),
    ),
    # a 429 under rate limits, with a deadline, is waited out: no attempt, no budget spent
    (
        "429 throttled, last attempt",
        call(deadline=LATER),
        Attempt(3, throttled=True, budget=False),
        status(429, 2.0),
        Decision(Action.WAIT_OUT, 2.0),
    ),
    (
        "429 throttled, no Retry-After",
        call(deadline=LATER),
        Attempt(1, throttled=True),
        status(429),
        Decision(Action.WAIT_OUT, 0.5),
    ),
    ("429 throttled, no deadline", call(), Attempt(3, throttled=True), status(429, 2.0), RAISE),
    ("429 not throttled", call(deadline=LATER), Attempt(3), status(429, 2.0), RAISE),
    (
        "429 throttled poll",
        call(kind="poll", deadline=LATER),
        Attempt(3, throttled=True),
        status(429, 2.0),
        RAISE,
    ),
    (
        "503 throttled, last attempt",
        call(deadline=LATER),
        Attempt(3, throttled=True),
        status(503, 2.0),
        RAISE,
    ),
]


@pytest.mark.parametrize(
    ("call_", "attempt", "outcome", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(call_: Call, attempt: Attempt, outcome: Outcome, expected: Decision | None) -> None:
    assert decide(call_, attempt, outcome) == (expected or Decision(Action.GONE))


@pytest.mark.parametrize(
    ("outcome", "not_done"),
    [(CONNECT, True), (BROKEN, False), (REFUSED, False)]
    + [(status(s), s in (429, 503, 512)) for s in (429, 500, 502, 503, 504, 512)],
)
def test_an_outcome_says_whether_the_server_cannot_have_done_the_work(
    outcome: Outcome, not_done: bool
) -> None:
    assert outcome.not_done is not_done
