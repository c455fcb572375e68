"""TwitterAppCredentials used directly from a user's own program."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import TwitterAppCredentials, TwitterAppCredentialsArgs
from components.credentials import TYPE_TOKEN
from tests.canaries import canary_credentials
from tests.harness import is_wrapped_secret, run_program
from twitter_runtime import InvalidInputError, canonical_payload, fingerprint

PROGRAM = Path(__file__).parent / "programs" / "direct_component.py"


def base_args(**overrides):
    args = {
        "project": "support",
        "app": "bot",
        "owner": "team-support",
        "issued_at": "2026-02-28",
        "rotation_interval_days": 1,
        **canary_credentials("support/bot"),
    }
    args.update(overrides)
    return args


def run(args, **flags):
    config = {"test:args": args, **{f"test:{k}": "true" if v else "false" for k, v in flags.items()}}
    return run_program(config, stack="staging", secret_keys=(), main=PROGRAM)


@pytest.mark.parametrize("as_outputs", [False, True])
def test_plain_strings_and_secret_outputs_give_the_same_resources(as_outputs):
    result = run(base_args(), keys_as_outputs=as_outputs)
    assert result.error is None, result.error
    (component,) = result.of_type(TYPE_TOKEN)
    assert component.name == "my-app"
    (version,) = result.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.name == "my-app-version"
    assert is_wrapped_secret(version.inputs["secretString"])  # secret even when given as plain strings
    expected_fp = fingerprint(canonical_payload(canary_credentials("support/bot")))
    assert result.outputs == {
        "arn": result.outputs["arn"],
        "fingerprint": expected_fp,
        "due": "2026-03-01",
        "interval": 1,
    }
    assert result.secret_outputs == set()
    (secret,) = result.of_type("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == "twitter/staging/support/bot"


def test_unknown_argument_raises_before_anything_is_registered():
    result = run(base_args(rotation_days=1))
    assert isinstance(result.error, InvalidInputError)
    assert str(result.error).startswith(
        "support/bot: unknown argument(s) rotation_days; valid arguments are project, app,"
    )
    assert not result.of_type(TYPE_TOKEN)
    assert result.aws_resources == []


@pytest.mark.parametrize("as_outputs", [False, True])
def test_bad_key_stops_the_component_with_nothing_written(as_outputs):
    result = run(base_args(access_token="not-a-token"), keys_as_outputs=as_outputs)
    assert result.error is not None
    assert "support/bot: access_token is not in the form" in "".join(str(result.error))
    assert result.aws_resources == []


def test_kms_key_as_an_output_is_passed_through():
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    result = run(base_args(kms_key_id=arn), kms_as_output=True)
    assert result.error is None, result.error
    (secret,) = result.of_type("aws:secretsmanager/secret:Secret")
    assert secret.inputs["kmsKeyId"] == arn


def test_args_type_lists_every_argument_the_component_accepts():
    from components.app_settings import ALL_ARGS

    assert set(TwitterAppCredentialsArgs.__annotations__) == set(ALL_ARGS)
    # The four keys are optional in the type only because `credentials` may carry them instead.
    assert TwitterAppCredentialsArgs.__required_keys__ == frozenset({"project", "app", "owner", "issued_at"})
    assert TwitterAppCredentials.__annotations__.keys() >= {
        "secret_arn",
        "secret_name",
        "version_id",
        "fingerprint",
        "issued_at",
        "rotation_due_at",
        "rotation_interval_days",
    }
