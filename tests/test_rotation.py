"""The bearer-token rotation handler against moto's Secrets Manager and the fake X API.

Secrets Manager's side is played by the test: rotate_secret on moto marks a
new version AWSPENDING (moto cannot run Lambda code without Docker, so its
invocation of the function fails, as intended here), then the four steps are
called in-process with the events Secrets Manager sends.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from rotation import handler
from tests.aws_server import aws_env
from tests.canaries import canary_credentials, fragments
from tests.fake_x import CODE_32, CODE_99, SERVER_ERROR, V2_TOO_MANY, V2_UNAUTHORIZED
from twitter_runtime import canonical_payload, load_bearer_token
from twitter_runtime.xapi import XApiClient, XAuthenticationError

CREDS = canary_credentials("brand-monitoring/listener", user_id="3344556677")
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
NO_LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:not-deployed-in-tests"


@dataclass
class Env:
    sm: object
    main_arn: str
    bearer_arn: str
    initial: str
    main_versions: dict


@pytest.fixture
def env(aws, moto_url, fake_x, monkeypatch) -> Env:
    for key, value in {**aws_env(moto_url), "X_API_BASE_URL": fake_x.url}.items():
        monkeypatch.setenv(key, value)
    sm = aws("secretsmanager")
    fake_x.add_credentials(CREDS)
    main_arn = sm.create_secret(
        Name="twitter/dev/brand-monitoring/listener", SecretString=canonical_payload(CREDS)
    )["ARN"]
    initial = XApiClient(fake_x.url).issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    bearer_arn = sm.create_secret(
        Name="twitter/dev/brand-monitoring/listener/bearer",
        SecretString=json.dumps({"bearer_token": initial}),
    )["ARN"]
    monkeypatch.setenv("CREDENTIALS_SECRET_ARN", main_arn)
    return Env(sm, main_arn, bearer_arn, initial, _versions(sm, main_arn))


def _versions(sm, arn) -> dict:
    return {
        v["VersionId"]: sorted(v.get("VersionStages", []))
        for v in sm.list_secret_version_ids(SecretId=arn)["Versions"]
    }


def begin(env: Env) -> str:
    """What RotateSecret does before calling the function: a new version marked AWSPENDING."""
    token = str(uuid.uuid4())
    try:
        env.sm.rotate_secret(
            SecretId=env.bearer_arn,
            ClientRequestToken=token,
            RotationLambdaARN=NO_LAMBDA,
            RotationRules={"AutomaticallyAfterDays": 30},
        )
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"  # the function, not the secret
    assert "AWSPENDING" in _versions(env.sm, env.bearer_arn)[token]
    return token


def step(env: Env, token: str, name: str) -> None:
    handler.lambda_handler({"SecretId": env.bearer_arn, "ClientRequestToken": token, "Step": name}, None)


def rotate(env: Env, token: str, steps=STEPS) -> None:
    for name in steps:
        step(env, token, name)


def current_bearer(env: Env) -> str:
    # Name the stage: moto's default read does not follow a moved AWSCURRENT (AWS's does).
    value = env.sm.get_secret_value(SecretId=env.bearer_arn, VersionStage="AWSCURRENT")["SecretString"]
    return json.loads(value)["bearer_token"]


def assert_rotated(env: Env, fake_x, token: str, old: str) -> None:
    """AWSCURRENT holds a token X accepts, AWSPREVIOUS the old one, no AWSPENDING, main secret untouched."""
    versions = _versions(env.sm, env.bearer_arn)
    assert versions[token] == ["AWSCURRENT"]
    assert not any("AWSPENDING" in stages for stages in versions.values())
    new = current_bearer(env)
    assert new == fake_x.current_bearer(CREDS["consumer_key"]) and new != old
    XApiClient(fake_x.url).check_bearer(new)
    previous = env.sm.get_secret_value(SecretId=env.bearer_arn, VersionStage="AWSPREVIOUS")["SecretString"]
    assert json.loads(previous)["bearer_token"] == old
    assert _versions(env.sm, env.main_arn) == env.main_versions
    assert env.sm.get_secret_value(SecretId=env.main_arn)["SecretString"] == canonical_payload(CREDS)


def test_full_rotation(env, fake_x):
    token = begin(env)
    rotate(env, token)
    assert_rotated(env, fake_x, token, env.initial)
    with pytest.raises(XAuthenticationError):
        XApiClient(fake_x.url).check_bearer(env.initial)


def test_every_step_twice_changes_nothing_more(env, fake_x):
    token = begin(env)
    for name in STEPS:
        step(env, token, name)
        step(env, token, name)
    assert_rotated(env, fake_x, token, env.initial)
    assert len(fake_x.calls("POST", "/oauth2/invalidate_token")) == 1
    rotate(env, token)  # after finishing, the token is AWSCURRENT: every step returns at once
    assert_rotated(env, fake_x, token, env.initial)


def test_two_rotations_in_a_row(env, fake_x):
    first = begin(env)
    rotate(env, first)
    middle = current_bearer(env)
    second = begin(env)
    rotate(env, second)
    assert_rotated(env, fake_x, second, middle)


def test_first_rotation_replaces_the_token_x_already_handed_out(env, fake_x):
    """The placeholder holds no token, but X has one for the app (env.initial): it is rotated too."""
    env.sm.put_secret_value(SecretId=env.bearer_arn, SecretString=json.dumps({"bearer_token": ""}))
    token = begin(env)
    rotate(env, token)
    assert current_bearer(env) != env.initial
    assert [s.status for s in fake_x.calls("POST", "/oauth2/invalidate_token")] == [200]
    with pytest.raises(XAuthenticationError):
        XApiClient(fake_x.url).check_bearer(env.initial)
    XApiClient(fake_x.url).check_bearer(current_bearer(env))


def test_refuses_a_token_that_is_not_a_version(env):
    begin(env)
    with pytest.raises(ValueError, match="is not a version of this secret"):
        step(env, str(uuid.uuid4()), "createSecret")


def test_refuses_an_unknown_step(env):
    token = begin(env)
    with pytest.raises(ValueError, match="unknown rotation step"):
        step(env, token, "dropSecret")


def test_logs_steps_and_versions_never_values(env, fake_x, caplog):
    token = begin(env)
    with caplog.at_level(logging.INFO, logger=handler.logger.name):
        rotate(env, token)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "finishSecret: AWSCURRENT moved from" in text and token in text
    secrets = [*CREDS.values(), env.initial, current_bearer(env)]
    for value in secrets:
        for piece in fragments(value.split("-", 1)[-1]):
            assert piece not in text


# --- fault injection: stop anywhere, X failing anywhere; the retry always ends well ------------


@pytest.mark.parametrize("stop_after", range(len(STEPS)))
def test_stopped_after_any_step_then_retried(env, fake_x, stop_after):
    token = begin(env)
    rotate(env, token, STEPS[: stop_after + 1])
    rotate(env, token)  # Secrets Manager retries the same rotation
    assert_rotated(env, fake_x, token, env.initial)


X_FAULTS = {
    "5xx": (503, SERVER_ERROR, 3),
    "429": (429, V2_TOO_MANY, 1),
    "401": (401, CODE_32, 1),
}


@pytest.mark.parametrize("fault", sorted(X_FAULTS))
@pytest.mark.parametrize(
    ("failing_step", "method", "path"),
    [
        ("createSecret", "POST", "/oauth2/invalidate_token"),
        ("createSecret", "POST", "/oauth2/token"),
        ("testSecret", "GET", "/2/tweets/20"),
    ],
)
def test_x_failing_at_a_step_then_retried(env, fake_x, fault, failing_step, method, path):
    status, body, times = X_FAULTS[fault]
    if status == 401 and path == "/2/tweets/20":
        body = V2_UNAUTHORIZED
    token = begin(env)
    done = STEPS[: STEPS.index(failing_step)]
    rotate(env, token, done)
    fake_x.fail(
        method,
        path,
        status,
        body,
        times=times,
        headers={"x-rate-limit-reset": str(int(time.time()) + 600)},  # too far to wait for
    )
    if status == 401 and path == "/2/tweets/20":
        # One 401 for a token X hands out again: X's passing fault, re-checked and passed.
        step(env, token, failing_step)
        assert [s.status for s in fake_x.calls(method, path)] == [401, 200]
    else:
        with pytest.raises(Exception) as caught:
            step(env, token, failing_step)
        assert getattr(caught.value, "status", None) == status
    assert _versions(env.sm, env.main_arn) == env.main_versions
    rotate(env, token)
    assert_rotated(env, fake_x, token, env.initial)


def test_current_token_already_invalid_at_x(env, fake_x):
    XApiClient(fake_x.url).invalidate_bearer(
        __import__("twitter_runtime").TwitterCredentials(**CREDS), env.initial
    )
    token = begin(env)
    rotate(env, token)
    assert_rotated(env, fake_x, token, env.initial)
    assert [s.status for s in fake_x.calls("POST", "/oauth2/invalidate_token")] == [200, 403]


def test_an_invalidation_that_did_not_happen_fails_loudly(env, fake_x):
    """X says 99 (unknown token) but still holds the old one: the new token is the old one.
    Storing it would be a rotation that rotates nothing, so createSecret refuses."""
    fake_x.fail("POST", "/oauth2/invalidate_token", 403, CODE_99)
    token = begin(env)
    with pytest.raises(RuntimeError, match="X returned the same bearer token, so it was not invalidated"):
        step(env, token, "createSecret")
    assert current_bearer(env) == env.initial
    XApiClient(fake_x.url).check_bearer(env.initial)  # consumers are unaffected
    rotate(env, token)  # the retry invalidates for real
    assert_rotated(env, fake_x, token, env.initial)


def test_test_secret_waits_out_a_short_rate_limit(env, fake_x):
    token = begin(env)
    rotate(env, token, STEPS[:2])
    fake_x.fail(
        "GET", "/2/tweets/20", 429, V2_TOO_MANY, headers={"x-rate-limit-reset": str(int(time.time()) + 1)}
    )
    step(env, token, "testSecret")
    assert [s.status for s in fake_x.calls("GET", "/2/tweets/20")] == [429, 200]
    step(env, token, "finishSecret")
    assert_rotated(env, fake_x, token, env.initial)


def test_refuses_when_rotation_is_not_enabled(env, fake_x):
    token = begin(env)
    real = env.sm.describe_secret(SecretId=env.bearer_arn)
    rotation = handler.BearerRotation(
        _Describe(env.sm, {**real, "RotationEnabled": False}), None, env.main_arn
    )
    with pytest.raises(ValueError, match="rotation is not enabled"):
        rotation.run(env.bearer_arn, token, "createSecret")


def test_refuses_a_version_that_is_not_pending(env, fake_x):
    token = begin(env)
    rotate(env, token)
    previous = next(v for v, stages in _versions(env.sm, env.bearer_arn).items() if stages == ["AWSPREVIOUS"])
    with pytest.raises(ValueError, match="is not AWSPENDING"):
        step(env, previous, "createSecret")


def test_finish_secret_stopped_between_its_two_calls(env, fake_x):
    token = begin(env)
    rotate(env, token, STEPS[:3])
    current = next(v for v, stages in _versions(env.sm, env.bearer_arn).items() if "AWSCURRENT" in stages)
    env.sm.update_secret_version_stage(
        SecretId=env.bearer_arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
    assert _versions(env.sm, env.bearer_arn)[token] == ["AWSCURRENT", "AWSPENDING"]
    step(env, token, "finishSecret")
    assert_rotated(env, fake_x, token, env.initial)


class _Describe:
    """A Secrets Manager client whose DescribeSecret answer is fixed; the rest is real."""

    def __init__(self, real, answer):
        self.real, self.answer = real, answer

    def describe_secret(self, **_):
        return self.answer

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_finish_secret_when_no_version_is_current():
    calls = []

    class Secrets:
        def describe_secret(self, SecretId):  # noqa: N803 - boto3's names
            return {"RotationEnabled": True, "VersionIdsToStages": {"t1": ["AWSPENDING"]}}

        def get_secret_value(self, **kwargs):
            return {"SecretString": '{"bearer_token": ""}'}  # nothing to re-check at X

        def update_secret_version_stage(self, **kwargs):
            calls.append(kwargs)

    handler.BearerRotation(Secrets(), None, "arn:main").run("arn:bearer", "t1", "finishSecret")
    assert calls == [
        {"SecretId": "arn:bearer", "VersionStage": "AWSCURRENT", "MoveToVersionId": "t1"},
        {"SecretId": "arn:bearer", "VersionStage": "AWSPENDING", "RemoveFromVersionId": "t1"},
    ]


# --- what consumers see ------------------------------------------------------------------------


def test_consumers_see_401_until_finish_then_recover_by_rereading(env, fake_x, aws):
    """X keeps one bearer per app: the old token dies at invalidation, the new one is
    published at finishSecret. A consumer that re-reads on 401 recovers after that."""
    sm = aws("secretsmanager")
    x = XApiClient(fake_x.url)
    cached = load_bearer_token(env.bearer_arn, client=sm, max_age_seconds=3600)
    assert cached == env.initial
    token = begin(env)
    step(env, token, "createSecret")
    invalidated = fake_x.invalidated_at[env.initial]
    with pytest.raises(XAuthenticationError):
        x.check_bearer(cached)  # the window has opened
    assert load_bearer_token(env.bearer_arn, client=sm, max_age_seconds=0) == env.initial  # not published yet
    for name in STEPS[1:]:
        step(env, token, name)
    window = time.monotonic() - invalidated
    fresh = load_bearer_token(env.bearer_arn, client=sm, max_age_seconds=3600, refresh=True)
    x.check_bearer(fresh)
    assert fresh != cached
    print(f"\n401 window (invalidation to finishSecret, moto + fake X on loopback): {window * 1000:.0f} ms")
    assert 0 < window < 30


def test_the_bearer_survives_a_reapply_after_its_tracked_version_is_gone(aws, moto_url, fake_x, monkeypatch):
    """Deploy, rotate three times, lose the version Pulumi wrote, apply again: AWSCURRENT is still X's token."""
    from tests.harness import run_program
    from tests.moto_mocks import MotoMocks

    for key, value in {**aws_env(moto_url), "X_API_BASE_URL": fake_x.url}.items():
        monkeypatch.setenv(key, value)
    fake_x.add_credentials(CREDS)
    args = {
        "project": "brand-monitoring",
        "app": "listener",
        "owner": "team",
        "issued_at": "2026-09-01",
        "bearer_rotation_days": 30,
        "x_api_base_url": fake_x.url,
        **CREDS,
    }
    program = Path(__file__).parent / "programs" / "direct_component.py"

    def apply():
        result = run_program({"test:args": args}, secret_keys=(), main=program, mocks=MotoMocks(aws))
        assert result.error is None, result.error
        return result

    apply()
    sm = aws("secretsmanager")
    main_arn = sm.describe_secret(SecretId="twitter/dev/brand-monitoring/listener")["ARN"]
    bearer_arn = sm.describe_secret(SecretId="twitter/dev/brand-monitoring/listener/bearer")["ARN"]
    (pulumis,) = [v for v, s in _versions(sm, bearer_arn).items() if "TWITTER_SECRETS_INITIAL" in s]
    monkeypatch.setenv("CREDENTIALS_SECRET_ARN", main_arn)
    env = Env(sm, main_arn, bearer_arn, "", _versions(sm, main_arn))
    seen = []
    for _ in range(3):
        token = begin(env)
        rotate(env, token)
        seen.append(current_bearer(env))
    assert len(set(seen)) == 3 and seen[-1] == fake_x.current_bearer(CREDS["consumer_key"])
    assert "AWSCURRENT" not in _versions(sm, bearer_arn)[pulumis]
    # The version Pulumi tracks is gone (AWS drops versions without labels; here its label is taken away).
    sm.update_secret_version_stage(
        SecretId=bearer_arn, VersionStage="TWITTER_SECRETS_INITIAL", RemoveFromVersionId=pulumis
    )
    apply()  # a later `pulumi up` writes it again
    rewritten = [v for v, s in _versions(sm, bearer_arn).items() if "TWITTER_SECRETS_INITIAL" in s]
    assert len(rewritten) == 1 and rewritten[0] != pulumis
    assert _versions(sm, bearer_arn)[rewritten[0]] == ["TWITTER_SECRETS_INITIAL"]  # not AWSCURRENT
    assert current_bearer(env) == seen[-1] == fake_x.current_bearer(CREDS["consumer_key"])
    XApiClient(fake_x.url).check_bearer(current_bearer(env))
