"""access_level: the permission an Access Token was issued with, checked against X's x-access-level."""

from __future__ import annotations

import copy
import json

import pulumi
import pytest

from components.verification import verify_with_x
from tests.canaries import canary_credentials, fragments
from tests.conftest import make_config
from tests.harness import _fake_state, run_program, unwrap_secret
from tests.test_cli_verify_authorize import cli, env_for
from twitter_runtime import InvalidInputError, TwitterCredentials
from twitter_runtime.access_level import access_level_mismatch
from twitter_runtime.keys import canonical_payload
from twitter_runtime.xapi import XAccessLevelError, XApiClient

LISTENER = "brand-monitoring/listener"
VERIFICATION = "pulumi-python:dynamic/twitter-secrets:CredentialsVerification"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
CREDS = canary_credentials("ops/poster", user_id="3344556677")


def no_keys(text: str, *sets: dict[str, str]) -> bool:
    return not any(
        piece in text
        for creds in sets
        for value in creds.values()
        for piece in fragments(value.split("-", 1)[-1])
    )


# --- the comparison ----------------------------------------------------------------------------------


def test_the_same_level_passes():
    for level in ("read", "read-write", "read-write-directmessages"):
        assert access_level_mismatch("p/a", level, level) is None


def test_a_token_with_less_than_declared_names_the_portal_setting_and_regeneration():
    text = access_level_mismatch("p/a", "read-write-directmessages", "read-write")
    assert text.startswith("p/a: the Access Token was issued with read-write access, but access_level is ")
    assert (
        "set the App's permissions (User authentication settings) to 'Read and write and Direct message'"
        in text
    )
    assert "then regenerate the Access Token and Secret" in text


def test_a_token_with_more_than_declared_fails_too_with_both_ways_out():
    text = access_level_mismatch("p/a", "read", "read-write")
    assert "issued with read-write access, more than access_level read" in text
    assert "'Read', then regenerate" in text and "set access_level: read-write" in text


def test_no_header_cannot_pass_silently():
    text = access_level_mismatch("p/a", "read", "")
    assert "X did not report the Access Token's permission level (no x-access-level header)" in text


# --- the X client against the fake X ----------------------------------------------------------------


def creds(level: str | None) -> TwitterCredentials:
    return TwitterCredentials(**CREDS, access_level=level)


def test_client_accepts_the_reported_level_from_users_me(fake_x):
    fake_x.add_credentials(CREDS, username="poster", access_level="read")
    x = XApiClient(fake_x.url)
    user = x.verify_user_context(creds("read"))
    assert x.check_access_level("ops/poster", creds("read"), user) == "read"
    assert fake_x.calls("GET", "/1.1/account/verify_credentials.json") == []


def test_client_refuses_a_lower_level_with_the_fix_and_no_key(fake_x):
    fake_x.add_credentials(CREDS, username="poster", access_level="read")
    x = XApiClient(fake_x.url)
    user = x.verify_user_context(creds("read-write"))
    with pytest.raises(XAccessLevelError) as caught:
        x.check_access_level("ops/poster", creds("read-write"), user)
    assert "ops/poster: the Access Token was issued with read access, but access_level is read-write" in str(
        caught.value
    )
    assert no_keys(str(caught.value), CREDS)


def test_without_the_header_on_v2_the_client_asks_v1_verify_credentials(fake_x):
    fake_x.v2_reports_access_level = False
    fake_x.add_credentials(CREDS, username="poster", access_level="read-write-directmessages")
    x = XApiClient(fake_x.url)
    user = x.verify_user_context(creds("read-write-directmessages"))
    assert user.access_level == ""
    assert x.check_access_level("ops/poster", creds("read-write-directmessages"), user) == (
        "read-write-directmessages"
    )
    (seen,) = fake_x.calls("GET", "/1.1/account/verify_credentials.json")
    assert seen.authorized  # signed with the four keys and accepted by oauthlib's server side
    with pytest.raises(XAccessLevelError, match="issued with read-write-directmessages access, more than"):
        x.check_access_level("ops/poster", creds("read"), user)


def test_nothing_declared_means_nothing_checked(fake_x):
    fake_x.v2_reports_access_level = False
    fake_x.add_credentials(CREDS, access_level="read")
    x = XApiClient(fake_x.url)
    user = x.verify_user_context(creds(None))
    assert x.check_access_level("ops/poster", creds(None), user) == ""
    assert fake_x.calls("GET", "/1.1/account/verify_credentials.json") == []


# --- the settings ------------------------------------------------------------------------------------


def with_listener(**settings):
    config = make_config()
    config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"].update(settings)
    return config


def test_an_unknown_level_is_refused_by_name_before_anything_is_registered():
    result = run_program(with_listener(access_level="write"))
    assert result.error is not None and result.aws_resources == []
    assert f"{LISTENER}: access_level must be one of read, read-write, read-write-directmessages" in str(
        result.error
    )


def test_the_level_is_a_tag_an_output_and_a_field_of_the_stored_value():
    result = run_program(with_listener(access_level="read-write"))
    assert result.error is None, result.error
    secret = next(r for r in result.of_type(SECRET) if r.inputs["name"].endswith("/listener"))
    assert secret.inputs["tags"]["twitter:access-level"] == "read-write"
    assert "Access Token with read-write access" in secret.inputs["description"]
    version = next(r for r in result.of_type(VERSION) if "listener" in r.name)
    stored = json.loads(unwrap_secret(version.inputs["secretString"]))
    assert stored["access_level"] == "read-write"
    entry = result.outputs["twitterApps"][LISTENER]
    assert entry["accessLevel"] == "read-write"
    assert entry["fingerprint"] == secret.inputs["tags"]["credentials:fingerprint"]


# --- the deploy-time gate: the real verifier against the fake X, under the mock monitor ---------------


class VerifyingMocks(pulumi.runtime.Mocks):
    """The fake cloud, except that CredentialsVerification runs the real check against the fake X."""

    def new_resource(self, args):
        if args.typ == VERIFICATION:
            props = {k: unwrap_secret(v) for k, v in args.inputs.items()}
            outs = verify_with_x(props)
            return props["fingerprint"], outs
        return _fake_state(args.typ, args.name, args.inputs)

    def call(self, args):
        return {}, []


def gated_config(fake_x, declared: str):
    config = make_config()
    listener = config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"]
    listener.update(verify=True, x_api_base_url=fake_x.url, access_level=declared)
    for i, label in enumerate(sorted(config["twitter-secrets:credentials"])):
        fake_x.add_credentials(
            config["twitter-secrets:credentials"][label], username=f"bot{i}", access_level="read-write"
        )
    return config


def test_the_gate_stores_a_token_at_the_declared_level(fake_x):
    result = run_program(gated_config(fake_x, "read-write"), mocks=VerifyingMocks())
    assert result.error is None, result.error
    assert len(fake_x.calls("GET", "/2/users/me")) == 1
    assert result.outputs["twitterApps"][LISTENER]["accessLevel"] == "read-write"


def test_the_gate_stops_a_token_below_the_declared_level_before_its_secret_exists(fake_x):
    config = gated_config(fake_x, "read-write-directmessages")
    result = run_program(config, mocks=VerifyingMocks())
    assert result.error is not None
    text = str(result.error)
    assert "brand-monitoring/listener: the Access Token was issued with read-write access" in text
    assert "regenerate the Access Token and Secret" in text
    names = [r.inputs.get("name", "") for r in result.of_type(SECRET)]
    assert not any(n.endswith("/listener") for n in names)
    assert not any("listener" in r.name for r in result.of_type(VERSION))
    assert no_keys(text + json.dumps(result.logs), *config["twitter-secrets:credentials"].values())


# --- the verify CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "ok", "result"),
    [
        ("read", True, "ok"),
        (
            "read-write",
            False,
            "ops/poster: the Access Token was issued with read access, but access_level is read-write",
        ),
    ],
)
def test_verify_compares_the_stored_level_with_x(aws, moto_url, fake_x, tmp_path, declared, ok, result):
    fake_x.add_credentials(CREDS, username="poster", access_level="read")
    sm = aws("secretsmanager")
    value = canonical_payload({**CREDS, "access_level": declared})
    arn = sm.create_secret(Name="twitter/dev/ops/poster", SecretString=value)["ARN"]
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": {"ops/poster": arn}}))
    done = cli("verify", "--stack-outputs", str(outputs), "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == (0 if ok else 1), done.stderr
    (row,) = json.loads(done.stdout)
    assert row["ok"] is ok
    assert row["result"].startswith(result)
    if ok:
        assert row["access_level"] == "read"
    assert no_keys(done.stdout + done.stderr, CREDS)


def test_the_python_api_refuses_a_level_x_does_not_have():
    # Plain Python API: the same rule, raised at construction (the plugin's camelCase spelling is tested in
    # test_plugin_construct.py).
    from components.app_settings import parse_app_settings

    args = {"project": "p", "app": "a", "owner": "o", "issued_at": "2026-01-01", "credentials": {}}
    with pytest.raises(InvalidInputError, match="p/a: access_level must be one of"):
        parse_app_settings({**args, "access_level": "READ"}, default_environment="dev")
    assert (
        parse_app_settings(
            copy.deepcopy({**args, "access_level": "read"}), default_environment="dev"
        ).access_level
        == "read"
    )
