"""The bearer rotation's fault matrix: one fault at any point, then retried as Secrets Manager would.

Each row runs a rotation against moto's Secrets Manager and the fake X, injects one
fault at one point, and then reattempts the rotation the way Secrets Manager does: the
same version while an AWSPENDING version is left, else a new RotateSecret. It checks:

* after every failed attempt, AWSCURRENT holds a token X accepts, or an AWSPENDING
  version is left for the reattempt to finish (never a dead AWSCURRENT that nothing will
  replace), and the error names no key;
* at the end, exactly one version is AWSCURRENT, none is AWSPENDING, and X accepts the
  AWSCURRENT token, which is the app's one live token.

Set ``TWITTER_SECRETS_FAULT_TABLE`` to a file path to get the matrix as a Markdown table.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from rotation import handler
from tests.canaries import fragments
from tests.fake_x import CODE_32, CODE_89, CODE_99, SERVER_ERROR, V2_TOO_MANY, V2_UNAUTHORIZED
from tests.test_rotation import CREDS, STEPS, Env, _versions, begin, current_bearer
from tests.test_rotation import env as env
from twitter_runtime.xapi import XApiClient, XApiError

#: The function's X client: a short read timeout so a slow X costs the test a second, not a minute.
READ_TIMEOUT = 0.5
ATTEMPTS = 3


class LambdaTimedOut(BaseException):
    """Lambda stops the function between two calls: nothing after that point runs."""


@dataclass
class Hub:
    """Counts the function's calls to AWS and X within a step and injects one fault at one of them."""

    step: str = ""
    calls: int = 0
    before: dict[tuple[str, str, int], Callable[[], None]] = field(default_factory=dict)
    cut_after: tuple[str, int] | None = None
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)

    def wrap(self, target: Any, prefix: str) -> Any:
        return _Proxy(target, prefix, self)

    def call(self, name: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        key = (self.step, name)
        self.seen[key] = self.seen.get(key, 0) + 1
        self.calls += 1
        self.log.append(key)
        hook = self.before.pop((self.step, name, self.seen[key]), None)
        if hook is not None:
            hook()
        cut = self.cut_after == (self.step, self.calls)
        try:
            return method(*args, **kwargs)
        finally:
            if cut:  # also after a call that raised (a missing version is an answer too)
                self.cut_after = None
                raise LambdaTimedOut(f"Task timed out after the {name} call of {self.step}")

    def start(self, step: str) -> None:
        self.step, self.calls = step, 0
        self.seen = {k: v for k, v in self.seen.items() if k[0] != step}


class _Proxy:
    def __init__(self, target: Any, prefix: str, hub: Hub) -> None:
        self._target, self._prefix, self._hub = target, prefix, hub

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name.startswith("_") or not callable(attr):
            return attr
        return lambda *a, **k: self._hub.call(f"{self._prefix}.{name}", attr, *a, **k)


def throttled(operation: str) -> Callable[[], None]:
    def hook() -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation)

    return hook


def pending_token(env: Env) -> str | None:
    return next(
        (
            v
            for v, stages in _versions(env.sm, env.bearer_arn).items()
            if "AWSPENDING" in stages  # also on AWSCURRENT: a finishSecret stopped before dropping it
        ),
        None,
    )


def x_accepts(fake_x, token: str) -> bool:
    try:
        XApiClient(fake_x.url).check_bearer(token)
    except XApiError:
        return False
    return True


def attempt(env: Env, fake_x, hub: Hub, arm: Callable[[str], None] = lambda step: None) -> str | None:
    """One rotation attempt as Secrets Manager runs it; the failure's class name, or None."""
    token = pending_token(env) or begin(env)
    x = XApiClient(fake_x.url, timeout=(2.0, READ_TIMEOUT), attempts=ATTEMPTS, backoff_seconds=0)
    rotation = handler.BearerRotation(
        hub.wrap(env.sm, "sm"), hub.wrap(x, "x"), env.main_arn, sleep=lambda seconds: None
    )
    try:
        for step in STEPS:
            hub.start(step)
            arm(step)
            rotation.run(env.bearer_arn, token, step)
    except (Exception, LambdaTimedOut) as error:
        text = str(error)
        for value in [*CREDS.values(), env.initial, *(fake_x.current_bearer(CREDS["consumer_key"]) or "",)]:
            for piece in fragments(value.split("-", 1)[-1]) if value else []:
                assert piece not in text, "a key fragment in the rotation's error"
        return type(error).__name__
    return None


def run_row(env: Env, fake_x, arm: Callable[[str], None], hub: Hub | None = None) -> list[str]:
    """The attempts until one succeeds (at most three); what each ended with."""
    hub = hub or Hub()
    outcomes = []
    for number in range(3):
        failure = attempt(env, fake_x, hub, arm if number == 0 else lambda step: None)
        outcomes.append(failure or "rotated")
        if failure is None:
            break
        # Never a dead AWSCURRENT that nothing will replace.
        assert x_accepts(fake_x, current_bearer(env)) or pending_token(env) is not None
    assert outcomes[-1] == "rotated", outcomes
    versions = _versions(env.sm, env.bearer_arn)
    assert sum("AWSCURRENT" in s for s in versions.values()) == 1
    assert not any("AWSPENDING" in s for s in versions.values())
    now = current_bearer(env)
    assert now == fake_x.current_bearer(CREDS["consumer_key"]) and now != env.initial
    assert x_accepts(fake_x, now) and not x_accepts(fake_x, env.initial)
    assert _versions(env.sm, env.main_arn) == env.main_versions  # the App's keys are never touched
    return outcomes


# --- the matrix -------------------------------------------------------------------------------

TABLE: list[tuple[str, str, str]] = []

X_POINTS = {
    "createSecret: invalidate": ("createSecret", "POST", "/oauth2/invalidate_token"),
    "createSecret: new token": ("createSecret", "POST", "/oauth2/token"),
    "testSecret: probe": ("testSecret", "GET", "/2/tweets/20"),
    "finishSecret: re-check": ("finishSecret", "GET", "/2/tweets/20"),
}
FAR = str(int(time.time()) + 3600)
X_FAULTS: dict[str, tuple[int, Any, dict[str, str], int, float]] = {
    "X 401 (code 32)": (401, CODE_32, {}, 1, 0.0),
    "X 401 (code 89)": (401, CODE_89, {}, 1, 0.0),
    "X 403 (code 99)": (403, CODE_99, {}, 1, 0.0),
    "X 429, reset in an hour": (429, V2_TOO_MANY, {"x-rate-limit-reset": FAR}, 1, 0.0),
    "X 429, no reset header": (429, V2_TOO_MANY, {}, 1, 0.0),
    "X 503 (every attempt)": (503, SERVER_ERROR, {}, ATTEMPTS, 0.0),
    "X times out (every attempt)": (200, {}, {}, ATTEMPTS, READ_TIMEOUT * 3),
}


def _record(fault: str, point: str, outcomes: list[str]) -> None:
    TABLE.append((fault, point, " → ".join(outcomes)))


@pytest.mark.parametrize("point", sorted(X_POINTS))
@pytest.mark.parametrize("fault", list(X_FAULTS))
def test_x_fault(env, fake_x, fault, point):
    step, method, path = X_POINTS[point]
    status, body, headers, times, delay = X_FAULTS[fault]
    if status == 401 and path == "/2/tweets/20":
        body = V2_UNAUTHORIZED  # the v2 shape for a rejected bearer

    def arm(current: str) -> None:
        if current == step:
            fake_x.fail(method, path, status, body, times=times, headers=headers, delay=delay)

    outcomes = run_row(env, fake_x, arm)
    _record(fault, point, outcomes)
    assert len(outcomes) <= 2  # one fault, one reattempt


AWS_POINTS = {
    "createSecret: PutSecretValue": ("createSecret", "sm.put_secret_value", 1, "PutSecretValue"),
    "createSecret: GetSecretValue": ("createSecret", "sm.get_secret_value", 1, "GetSecretValue"),
    "finishSecret: UpdateSecretVersionStage (move)": (
        "finishSecret",
        "sm.update_secret_version_stage",
        1,
        "UpdateSecretVersionStage",
    ),
    "finishSecret: UpdateSecretVersionStage (drop pending)": (
        "finishSecret",
        "sm.update_secret_version_stage",
        2,
        "UpdateSecretVersionStage",
    ),
    "every step: DescribeSecret": ("testSecret", "sm.describe_secret", 1, "DescribeSecret"),
}


@pytest.mark.parametrize("point", list(AWS_POINTS))
def test_secrets_manager_throttled(env, fake_x, point):
    step, call, nth, operation = AWS_POINTS[point]
    hub = Hub()
    hub.before[(step, call, nth)] = throttled(operation)
    outcomes = run_row(env, fake_x, lambda s: None, hub)
    _record("Secrets Manager throttles", point, outcomes)
    assert outcomes[0] == "ClientError" and len(outcomes) == 2


def _calls_per_step(env, fake_x) -> dict[str, int]:
    """How many AWS and X calls each step makes in a clean rotation (then undone: a fresh env per row)."""
    hub = Hub()
    counts: dict[str, int] = {}
    token = begin(env)
    x = XApiClient(fake_x.url)
    rotation = handler.BearerRotation(hub.wrap(env.sm, "sm"), hub.wrap(x, "x"), env.main_arn)
    for step in STEPS:
        hub.start(step)
        rotation.run(env.bearer_arn, token, step)
        counts[step] = hub.calls
    return counts


#: Calls per step in a clean rotation; checked against a real run by test_the_cut_points_are_every_call.
CALLS = {"createSecret": 7, "setSecret": 1, "testSecret": 3, "finishSecret": 6}


def test_the_cut_points_are_every_call(env, fake_x):
    assert _calls_per_step(env, fake_x) == CALLS


@pytest.mark.parametrize(("step", "after"), [(step, n) for step in STEPS for n in range(1, CALLS[step] + 1)])
def test_lambda_times_out_between_two_calls(env, fake_x, step, after):
    hub = Hub(cut_after=None)

    def arm(current: str) -> None:
        if current == step:
            hub.cut_after = (step, after)

    outcomes = run_row(env, fake_x, arm, hub)
    _record("Lambda times out", f"{step}: after call {after}", outcomes)
    assert outcomes[0] == "LambdaTimedOut" and len(outcomes) == 2


def _kill_pending(env, fake_x, *, reissue: bool) -> Callable[[], None]:
    """Someone invalidates the AWSPENDING token at X (and maybe fetches a new one)."""

    def hook() -> None:
        token = pending_token(env)
        value = env.sm.get_secret_value(SecretId=env.bearer_arn, VersionId=token, VersionStage="AWSPENDING")
        bearer = json.loads(value["SecretString"])["bearer_token"]
        from twitter_runtime import TwitterCredentials

        XApiClient(fake_x.url).invalidate_bearer(TwitterCredentials(**CREDS), bearer)
        if reissue:
            XApiClient(fake_x.url).issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])

    return hook


@pytest.mark.parametrize("reissue", [False, True], ids=["invalidated", "invalidated and re-issued"])
@pytest.mark.parametrize("before_step", ["testSecret", "finishSecret"])
def test_pending_token_invalidated_by_someone_else(env, fake_x, before_step, reissue):
    hub = Hub()
    hub.before[(before_step, "sm.describe_secret", 1)] = _kill_pending(env, fake_x, reissue=reissue)
    outcomes = run_row(env, fake_x, lambda s: None, hub)
    who = "someone else re-issues" if reissue else "nobody re-issues"
    _record(f"pending token invalidated ({who})", f"before {before_step}", outcomes)
    # The rotation heals AWSCURRENT at once, fails so that someone hears of it, and the next one rotates.
    assert outcomes == ["PendingTokenDeadError", "rotated"]


def test_stuck_rotation_heals_at_once(env, fake_x):
    """The reported bug: the pending token dies between createSecret and testSecret."""
    hub = Hub()
    hub.before[("testSecret", "sm.describe_secret", 1)] = _kill_pending(env, fake_x, reissue=False)
    failure = attempt(env, fake_x, hub)
    assert failure == "PendingTokenDeadError"
    assert pending_token(env) is None  # the reattempt cannot loop on the dead version
    assert x_accepts(fake_x, current_bearer(env))  # AWSCURRENT works before any next rotation


def test_two_invocations_of_create_secret_overlap(env, fake_x):
    """Secrets Manager retries an invocation it thinks timed out while the first is still running."""
    hub = Hub()
    second: list[str | None] = []

    def run_the_other() -> None:
        token = pending_token(env)
        other = handler.BearerRotation(env.sm, XApiClient(fake_x.url), env.main_arn)
        try:
            other.run(env.bearer_arn, token, "createSecret")
            second.append(None)
        except Exception as error:
            second.append(type(error).__name__)

    # The first invocation has a new token from X and is about to store it when the second runs.
    hub.before[("createSecret", "sm.put_secret_value", 1)] = run_the_other
    outcomes = run_row(env, fake_x, lambda s: None, hub)
    _record("two invocations overlap", "createSecret: second runs before the first stores", outcomes)
    assert second == [None] and outcomes == ["rotated"]


def test_two_invocations_of_finish_secret_overlap(env, fake_x):
    hub = Hub()

    def run_the_other() -> None:
        token = pending_token(env)
        handler.BearerRotation(env.sm, XApiClient(fake_x.url), env.main_arn).run(
            env.bearer_arn, token, "finishSecret"
        )

    # The first has read the stages; the second moves AWSCURRENT before the first does.
    hub.before[("finishSecret", "sm.update_secret_version_stage", 1)] = run_the_other
    outcomes = run_row(env, fake_x, lambda s: None, hub)
    _record("two invocations overlap", "finishSecret: second moves AWSCURRENT first", outcomes)
    assert outcomes[-1] == "rotated" and len(outcomes) <= 2


def test_a_second_rotation_starts_while_one_is_pending(env, fake_x):
    """RotateSecret called again (by hand, or a schedule) with another token mid-rotation."""
    hub = Hub()
    started: list[str] = []

    def rotate_again() -> None:
        started.append(begin(env))

    hub.before[("testSecret", "sm.describe_secret", 1)] = rotate_again
    outcomes = run_row(env, fake_x, lambda s: None, hub)
    _record("two rotations overlap", "RotateSecret again before testSecret", outcomes)
    assert started and len(outcomes) <= 2


@pytest.fixture(scope="module", autouse=True)
def _write_table():
    yield
    target = os.environ.get("TWITTER_SECRETS_FAULT_TABLE")
    if target and TABLE:
        lines = ["| fault | where | attempts → end |", "| --- | --- | --- |"]
        lines += [f"| {fault} | {where} | {end} |" for fault, where, end in TABLE]
        Path(target).write_text("\n".join(lines) + "\n")
