"""The deploy-time gate: X must accept the keys before Secrets Manager sees them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import dill
import pytest

from components.verification import CredentialsVerifier
from tests.canaries import canary_credentials, fragments
from tests.harness import _fake_state, is_wrapped_secret, run_program, unwrap_secret
from twitter_runtime import canonical_payload, fingerprint
from twitter_runtime.xapi import XAuthenticationError, XConsumerRejectedError

PROGRAM = Path(__file__).parent / "programs" / "direct_component.py"
CREDS = canary_credentials("support/bot", user_id="5566778899")
FP = fingerprint(canonical_payload(CREDS))
VERIFICATION = "pulumi-python:dynamic/twitter-secrets:CredentialsVerification"


def props(fake_x, creds=CREDS, fp=FP):
    return {**creds, "fingerprint": fp, "api_base_url": fake_x.url}


def no_key_material(text: str, creds=CREDS) -> bool:
    return not any(piece in text for value in creds.values() for piece in fragments(value.split("-", 1)[-1]))


# --- the provider, called directly against the fake X server -----------------------------------


def test_create_checks_user_context_and_app_and_returns_no_key(fake_x):
    fake_x.add_credentials(CREDS, username="supportbot")
    result = CredentialsVerifier().create(props(fake_x))
    assert result.id == FP
    assert result.outs == {"fingerprint": FP, "user_id": "5566778899", "username": "supportbot"}
    assert no_key_material(json.dumps(result.outs))
    assert [s.authorized for s in fake_x.calls("GET", "/2/users/me")] == [True]
    assert [s.authorized for s in fake_x.calls("POST", "/oauth2/token")] == [True]


def test_create_fails_for_keys_x_rejects(fake_x):
    fake_x.add_credentials(CREDS)
    bad = {**CREDS, "access_token_secret": CREDS["access_token_secret"][::-1]}
    with pytest.raises(XAuthenticationError) as caught:
        CredentialsVerifier().create(props(fake_x, creds=bad))
    assert no_key_material(str(caught.value), bad)


def test_create_fails_when_only_the_app_pair_is_wrong(fake_x):
    fake_x.add_credentials(CREDS)
    fake_x.fail(
        "POST",
        "/oauth2/token",
        403,
        {"errors": [{"code": 99, "message": "Unable to verify your credentials"}]},
    )
    with pytest.raises(XConsumerRejectedError):
        CredentialsVerifier().create(props(fake_x))


def test_diff_reports_a_change_only_when_the_fingerprint_changes(fake_x):
    provider = CredentialsVerifier()
    olds = {"fingerprint": FP, "user_id": "5566778899", "username": "supportbot"}
    assert provider.diff(FP, olds, props(fake_x)).changes is False
    moved = {**props(fake_x), "api_base_url": "https://api.x.com"}
    assert provider.diff(FP, olds, moved).changes is False
    assert provider.diff(FP, olds, props(fake_x, fp="0" * 16)).changes is True
    assert fake_x.seen == []  # diff never calls X


def test_update_verifies_the_new_keys(fake_x):
    fake_x.add_credentials(CREDS, username="supportbot")
    result = CredentialsVerifier().update(FP, {"fingerprint": FP}, props(fake_x))
    assert result.outs["username"] == "supportbot"
    assert len(fake_x.calls("GET", "/2/users/me")) == 1


# --- the wiring, under Pulumi's mock monitor ---------------------------------------------------


def run(verify: bool = True, mocks=None):
    args = {
        "project": "support",
        "app": "bot",
        "owner": "team",
        "issued_at": "2026-01-01",
        "verify": verify,
        **CREDS,
    }
    return run_program(
        {"test:args": args, "test:keys_as_outputs": "true"}, secret_keys=(), main=PROGRAM, mocks=mocks
    )


def test_keys_travel_as_secrets_and_the_provider_blob_holds_none():
    result = run()
    assert result.error is None, result.error
    (verification,) = result.of_type(VERIFICATION)
    for field in CREDS:
        assert is_wrapped_secret(verification.inputs[field])
    assert verification.inputs["fingerprint"] == FP
    assert verification.inputs["api_base_url"] == "https://api.x.com"
    blob = base64.b64decode(unwrap_secret(verification.inputs["__provider"]))
    assert no_key_material(blob.decode("latin-1"))
    provider = dill.loads(blob)
    assert isinstance(provider, CredentialsVerifier) and vars(provider) == {}


def test_secret_and_version_wait_for_the_verification():
    result = run()
    (verification,) = result.of_type(VERIFICATION)
    (secret,) = result.of_type("aws:secretsmanager/secret:Secret")
    (version,) = result.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert verification.urn in version.dependencies
    assert verification.urn in secret.dependencies
    assert secret.inputs["tags"]["credentials:fingerprint"] == FP


def test_without_verify_there_is_no_gate():
    result = run(verify=False)
    assert result.of_type(VERIFICATION) == []


class _RejectingMocks:
    """X says no: the verification resource fails to create."""

    def __init__(self) -> None:
        import pulumi

        class Mocks(pulumi.runtime.Mocks):
            def new_resource(self, args):
                if args.typ == VERIFICATION:
                    raise RuntimeError("X could not authenticate the user-context keys")
                return _fake_state(args.typ, args.name, args.inputs)

            def call(self, args):
                return {}, []

        self.mocks = Mocks()


def test_keys_x_rejects_never_reach_secrets_manager():
    result = run(mocks=_RejectingMocks().mocks)
    assert result.error is not None
    assert result.of_type("aws:secretsmanager/secretVersion:SecretVersion") == []
    assert result.of_type("aws:secretsmanager/secret:Secret") == []


def test_stack_outputs_show_the_verified_user():
    from tests.conftest import make_config

    config = make_config(defaults={"verify": True})
    result = run_program(config)
    assert result.error is None, result.error
    listener = result.outputs["twitterApps"]["brand-monitoring/listener"]
    assert (listener["verifiedUserId"], listener["verifiedUsername"]) == ("1000", "user1000")
