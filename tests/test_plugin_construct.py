"""The components as another language's program reaches them: through the plugin's construct.

Each case makes the call the engine makes for a YAML or TypeScript program
(camelCase names, numbers as floats, secrets as secret Outputs) under Pulumi's
mocks, and compares every registration, byte for byte, with what the Python
API registers for the same app.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.canaries import canary_credentials, fragments
from tests.harness import SECRET_SIG, SIG_KEY, is_wrapped_secret, run_program, unwrap_secret

PROGRAMS = Path(__file__).parent / "programs"
APP = "twitter-secrets:index:TwitterAppCredentials"
PROJECT = "twitter-secrets:index:TwitterProject"
CREDS = canary_credentials("support/bot", user_id="4242")
CAMEL_KEYS = {"consumerKey": "consumer_key", "consumerSecret": "consumer_secret"}
CAMEL_KEYS |= {"accessToken": "access_token", "accessTokenSecret": "access_token_secret"}


def construct(token: str, name: str, inputs: dict, secret_inputs=(), as_plugin_process=False):
    return run_program(
        {
            "test:token": token,
            "test:name": name,
            "test:inputs": inputs,
            "test:secret_inputs": list(secret_inputs),
            "test:as_plugin_process": "true" if as_plugin_process else "false",
        },
        secret_keys=(),
        main=PROGRAMS / "plugin_construct.py",
    )


def python_app(args: dict):
    return run_program(
        {"test:args": args, "test:keys_as_outputs": "true"},
        secret_keys=(),
        main=PROGRAMS / "direct_component.py",
    )


def registered(result) -> list[tuple]:
    """Every resource below the stack, as the engine would store its inputs (secrets still wrapped)."""
    return sorted(
        (r.type, r.name, r.parent, json.dumps(r.raw, sort_keys=True))
        for r in result.registrations
        if r.type != "pulumi:pulumi:Stack"
    )


def plain_text(result) -> str:
    """Everything registered or exported, with secret values cut out: what must hold no key."""

    def strip(value):
        if isinstance(value, dict):
            if value.get(SIG_KEY) == SECRET_SIG:
                return "<secret>"
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    parts = [json.dumps(strip(r.raw)) + r.urn for r in result.registrations]
    parts += [json.dumps(strip(result.outputs), default=str)]
    parts += [json.dumps(strip(o)) for o in result.component_outputs.values()]
    parts += [message for _, message in result.logs]
    return "\n".join(parts)


YAML_APP = {
    "project": "support",
    "app": "bot",
    "owner": "team-support",
    "issuedAt": "2026-03-01",
    "rotationIntervalDays": 30.0,  # a YAML `30` as the engine delivers it
    "recoveryWindowInDays": 7.0,
    "appId": "28471234",
    "accessTier": "basic",
    "replicaRegions": ["eu-west-1"],
    "tags": {"cost-center": "4711"},
    **{camel: CREDS[snake] for camel, snake in CAMEL_KEYS.items()},
}
PYTHON_APP = {
    "project": "support",
    "app": "bot",
    "owner": "team-support",
    "issued_at": "2026-03-01",
    "rotation_interval_days": 30,
    "recovery_window_in_days": 7,
    "app_id": "28471234",
    "access_tier": "basic",
    "replica_regions": ["eu-west-1"],
    "tags": {"cost-center": "4711"},
    **CREDS,
}


@pytest.fixture(scope="module")
def python_run():
    result = python_app(PYTHON_APP)
    assert result.error is None, result.error
    return result


def test_yaml_shaped_app_registers_exactly_what_python_registers(python_run):
    result = construct(APP, "my-app", YAML_APP, secret_inputs=CAMEL_KEYS)
    assert result.error is None, result.error
    assert registered(result) == registered(python_run)
    (secret,) = result.of_type("aws:secretsmanager/secret:Secret")
    assert secret.inputs["tags"]["rotation:interval-days"] == "30"  # not "30.0"
    assert secret.inputs["tags"]["rotation:due-at"] == "2026-03-31"
    assert secret.inputs["recoveryWindowInDays"] == 7
    (version,) = result.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert is_wrapped_secret(version.raw["secretString"]) or version.raw["secretString"].get(SIG_KEY)
    assert json.loads(unwrap_secret(version.inputs["secretString"])) == CREDS


def test_the_state_sent_back_uses_the_schema_names(python_run):
    result = construct(APP, "my-app", YAML_APP, secret_inputs=CAMEL_KEYS)
    assert result.error is None, result.error
    assert result.outputs["secretArn"] == python_run.outputs["arn"]
    assert result.outputs["fingerprint"] == python_run.outputs["fingerprint"]
    assert result.outputs["rotationDueAt"] == "2026-03-31"
    assert result.outputs["rotationIntervalDays"] == 30
    assert result.outputs["secretName"] == "twitter/dev/support/bot"
    assert result.outputs["readPolicyArn"].endswith(":policy/twitter-secrets/twitter-dev-support-bot-read")
    assert not any("bearer" in name.lower() for name, value in result.outputs.items() if value)


def test_keys_sent_in_plain_text_are_still_only_stored_as_secrets(python_run):
    # A TypeScript program that forgot pulumi.secret(): the component still wraps the value.
    result = construct(APP, "my-app", YAML_APP, secret_inputs=())
    assert result.error is None, result.error
    assert registered(result) == registered(python_run)
    text = plain_text(result)
    leaked = [f for value in CREDS.values() for f in fragments(value) if f in text]
    assert leaked == []


def test_credentials_object_instead_of_four_keys(python_run):
    inputs = {k: v for k, v in YAML_APP.items() if k not in CAMEL_KEYS} | {"credentials": CREDS}
    result = construct(APP, "my-app", inputs, secret_inputs=["credentials"])
    assert result.error is None, result.error
    assert registered(result) == registered(python_run)


def test_bearer_rotation_days_as_a_float():
    result = construct(APP, "my-app", {**YAML_APP, "bearerRotationDays": 30.0}, secret_inputs=CAMEL_KEYS)
    assert result.error is None, result.error
    (bearer,) = [r for r in result.of_type("aws:secretsmanager/secret:Secret") if r.name == "my-app-bearer"]
    assert bearer.inputs["tags"]["rotation:schedule"] == "30"
    (rotation,) = result.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert rotation.inputs["rotationRules"]["automaticallyAfterDays"] == 30


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rotationIntervalDays", 30.5, "rotationIntervalDays must be a whole number from 1 to 1000"),
        ("recoveryWindowInDays", 7.25, "recoveryWindowInDays must be a whole number from 7 to 30"),
        ("bearerRotationDays", 0.5, "bearerRotationDays must be a whole number from 1 to 1000"),
    ],
)
def test_a_fraction_is_refused_naming_the_field_as_the_user_wrote_it(field, value, message):
    result = construct(
        APP, "my-app", {**YAML_APP, field: value}, secret_inputs=CAMEL_KEYS, as_plugin_process=True
    )
    assert result.error is not None
    assert f"support/bot: {message}" in str(result.error)
    assert "rotation_interval_days" not in str(result.error)
    assert result.aws_resources == []


def test_a_missing_required_input_is_named_by_the_host():
    inputs = {k: v for k, v in YAML_APP.items() if k != "owner"}
    result = construct(APP, "my-app", inputs, secret_inputs=CAMEL_KEYS)
    assert "Missing required input 'owner'" in str(result.error)
    assert result.aws_resources == []


YAML_PROJECT = {
    "project": "brand",
    "accessTier": "Pro",
    "useCase": "Listen for brand mentions",
    "apps": {
        "listener": {"owner": "team-social", "issuedAt": "2026-09-01", "appId": "28471234"},
        "responder": {"owner": "support-bots", "issuedAt": "2026-10-15", "rotationIntervalDays": 30.0},
    },
    "credentials": {
        "listener": canary_credentials("brand/listener", user_id="11"),
        "responder": canary_credentials("brand/responder", user_id="12"),
    },
}
PYTHON_PROJECT = {
    "project": "brand",
    "access_tier": "Pro",
    "use_case": "Listen for brand mentions",
    "apps": {
        "listener": {"owner": "team-social", "issued_at": "2026-09-01", "app_id": "28471234"},
        "responder": {"owner": "support-bots", "issued_at": "2026-10-15", "rotation_interval_days": 30},
    },
    "credentials": YAML_PROJECT["credentials"],
}


def test_yaml_shaped_project_registers_exactly_what_python_registers():
    python = run_program(
        {"test:project": PYTHON_PROJECT}, secret_keys=(), main=PROGRAMS / "direct_project.py"
    )
    assert python.error is None, python.error
    result = construct(PROJECT, "proj", YAML_PROJECT, secret_inputs=["credentials"])
    assert result.error is None, result.error
    assert registered(result) == registered(python)
    assert len(result.of_type("aws:secretsmanager/secret:Secret")) == 2
    assert result.outputs["secretNames"] == {
        "listener": "twitter/dev/brand/listener",
        "responder": "twitter/dev/brand/responder",
    }
    assert result.outputs["rotationDueAt"] == {"listener": "2026-11-30", "responder": "2026-11-14"}
    assert sorted(result.outputs["secretArns"]) == ["listener", "responder"]
    assert result.outputs["accessTier"] == "pro"
    text = plain_text(result)
    for creds in YAML_PROJECT["credentials"].values():
        assert [f for value in creds.values() for f in fragments(value) if f in text] == []


def test_project_app_with_a_fraction_is_refused_before_anything_is_registered():
    apps = {
        **YAML_PROJECT["apps"],
        "responder": {**YAML_PROJECT["apps"]["responder"], "rotationIntervalDays": 30.5},
    }
    result = construct(
        PROJECT, "proj", {**YAML_PROJECT, "apps": apps}, ["credentials"], as_plugin_process=True
    )
    assert "brand/responder: rotationIntervalDays must be a whole number from 1 to 1000" in str(result.error)
    assert result.aws_resources == []


def test_project_with_accounts_through_construct_names_account_problems_in_camel_case():
    """An App with accounts from YAML: the account settings in camelCase; errors as the user wrote them."""
    alice = canary_credentials("brand/responder/alice", user_id="13")
    credentials = {
        **YAML_PROJECT["credentials"],
        "responder": {
            k: YAML_PROJECT["credentials"]["responder"][k] for k in ("consumer_key", "consumer_secret")
        },
        "responder/alice": {k: alice[k] for k in ("access_token", "access_token_secret")},
    }
    responder = {
        **YAML_PROJECT["apps"]["responder"],
        "accessLevel": "read-write",
        "accounts": {"alice": {"accessLevel": "read-write-directmessages", "rotationIntervalDays": 60.0}},
    }
    good = construct(
        PROJECT,
        "proj",
        {
            **YAML_PROJECT,
            "apps": {**YAML_PROJECT["apps"], "responder": responder},
            "credentials": credentials,
        },
        ["credentials"],
        as_plugin_process=True,
    )
    assert good.error is None, good.error
    assert good.outputs["rotationDueAt"] == {"listener": "2026-11-30", "responder/alice": "2026-12-14"}
    bad = {**responder, "bearerRotationDays": 30.0, "accounts": {"alice": {"accessLevel": "dm"}}}
    result = construct(
        PROJECT,
        "proj",
        {**YAML_PROJECT, "apps": {**YAML_PROJECT["apps"], "responder": bad}, "credentials": credentials},
        ["credentials"],
        as_plugin_process=True,
    )
    text = str(result.error)
    assert "brand/responder: bearer rotation with several accounts needs bearerRotationAccount" in text
    assert (
        "brand/responder/alice: accessLevel must be one of read, read-write, read-write-directmessages"
        in text
    )
    assert result.aws_resources == []
