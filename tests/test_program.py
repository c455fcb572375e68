"""The real __main__.py under Pulumi's mock monitor: graph, inputs, outputs, determinism."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.canaries import canary_credentials
from tests.conftest import LABELS, listener_tags, make_config
from tests.harness import ACCOUNT, REGION, is_wrapped_secret, run_program, unwrap_secret

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
APP = "twitter-secrets:index:TwitterAppCredentials"
PROJECT = "twitter-secrets:index:TwitterProject"
POLICY = "aws:iam/policy:Policy"


@pytest.fixture(scope="module")
def run():
    result = run_program(make_config())
    assert result.error is None, result.error
    return result


def by_name(run, type_):
    return {r.name: r for r in run.of_type(type_)}


def test_resource_graph_is_projects_then_apps_then_secret_and_version(run):
    assert sorted(by_name(run, PROJECT)) == ["brand-monitoring", "research"]
    assert sorted(by_name(run, APP)) == list(LABELS)
    assert sorted(by_name(run, SECRET)) == [f"{label}-secret" for label in LABELS]
    assert sorted(by_name(run, VERSION)) == [f"{label}-version" for label in LABELS]
    projects = {r.name: r.urn for r in run.of_type(PROJECT)}
    apps = {r.name: r.urn for r in run.of_type(APP)}
    for r in run.of_type(APP):
        assert r.parent == projects[r.name.split("/")[0]]
    for r in run.aws_resources:
        assert r.parent == apps[r.name.rsplit("-", 1)[0]]
    # One secret per app, its version and its read policy; nothing else by default.
    assert sorted(by_name(run, POLICY)) == [f"{label}-read" for label in LABELS]
    assert len(run.aws_resources) == 3 * len(LABELS)


def test_secret_inputs(run):
    secret = by_name(run, SECRET)["brand-monitoring/listener-secret"]
    assert secret.inputs == {
        "name": "twitter/dev/brand-monitoring/listener",
        "description": (
            "X (Twitter) API credentials for app 'listener' in project 'brand-monitoring' (basic tier). "
            "Use case: Listen for brand mentions and answer support questions. Owner: team-social. "
            "Keys issued 2026-09-01, rotate by 2026-11-30 (regenerate in the developer portal). "
            "Managed by Pulumi (twitter-secrets)."
        ),
        "recoveryWindowInDays": 30,
        "tags": listener_tags(fingerprint_of("brand-monitoring/listener", "1000")),
    }


def fingerprint_of(label, user_id):
    creds = canary_credentials(label, user_id=user_id)
    payload = json.dumps(creds, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def test_app_settings_inherit_and_override(run):
    secrets = by_name(run, SECRET)
    responder = secrets["brand-monitoring/responder-secret"].inputs["tags"]
    assert responder["owner"] == "support-bots"  # app overrides project
    assert responder["twitter:access-tier"] == "basic"  # inherited from the project
    assert (responder["rotation:interval-days"], responder["rotation:due-at"]) == ("30", "2026-11-14")
    archive = secrets["research/archive-secret"].inputs["tags"]
    assert archive["cost-center"] == "4711"
    assert archive["twitter:access-tier"] == "pro"
    assert "twitter:app-id" not in archive


def test_version_holds_exactly_the_four_keys_as_a_secret(run):
    version = by_name(run, VERSION)["brand-monitoring/listener-version"]
    secret = by_name(run, SECRET)["brand-monitoring/listener-secret"]
    assert set(version.inputs) == {"secretId", "secretString"}
    assert version.inputs["secretId"].startswith(
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:twitter/dev/brand-monitoring/listener-"
    )
    assert is_wrapped_secret(version.inputs["secretString"])
    value = unwrap_secret(version.inputs["secretString"])
    expected = canary_credentials("brand-monitoring/listener", user_id="1000")
    assert json.loads(value) == expected
    assert value == json.dumps(expected, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(value.encode()).hexdigest()[:16] == secret.inputs["tags"]["credentials:fingerprint"]


def test_stack_outputs_for_stack_references_and_auditors(run):
    assert set(run.outputs) == {"twitterApps", "secretArns", "readPolicyArns"}
    assert run.secret_outputs == set()  # readable by other stacks and auditors as plain values
    arns = run.outputs["secretArns"]
    assert sorted(arns) == list(LABELS)
    listener = run.outputs["twitterApps"]["brand-monitoring/listener"]
    assert listener == {
        "arn": arns["brand-monitoring/listener"],
        "name": "twitter/dev/brand-monitoring/listener",
        "versionId": listener["versionId"],
        "fingerprint": fingerprint_of("brand-monitoring/listener", "1000"),
        "owner": "team-social",
        "environment": "dev",
        "issuedAt": "2026-09-01",
        "rotationIntervalDays": 90,
        "rotationDueAt": "2026-11-30",
        "rotationStrategy": "manual",
        "accessTier": "basic",
        "appId": "28471234",
        "readPolicyArn": "arn:aws:iam::123456789012:policy/twitter-secrets/twitter-dev-brand-monitoring-listener-read",
    }
    assert run.outputs["readPolicyArns"]["brand-monitoring/listener"] == listener["readPolicyArn"]
    assert len(listener["versionId"]) == 36


def test_component_registers_its_outputs(run):
    (urn,) = [r.urn for r in run.of_type(APP) if r.name == "research/archive"]
    outputs = run.component_outputs[urn]
    assert outputs["secret_name"] == "twitter/dev/research/archive"
    assert outputs["issued_at"] == "2026-01-31"
    assert outputs["rotation_due_at"] == "2026-05-01"
    assert outputs["rotation_interval_days"] == 90
    assert outputs["fingerprint"] == fingerprint_of("research/archive", "1001")
    assert outputs["secret_arn"].startswith("arn:aws:secretsmanager:")
    assert set(outputs) == {
        "read_policy_arn",
        "secret_arn",
        "secret_name",
        "version_id",
        "fingerprint",
        "issued_at",
        "rotation_due_at",
        "rotation_interval_days",
    }


def test_two_runs_register_byte_identical_inputs(run):
    again = run_program(make_config())
    assert again.error is None
    assert again.fingerprint_of_inputs() == run.fingerprint_of_inputs()
    assert again.outputs == run.outputs


def test_changing_one_key_changes_only_that_apps_fingerprint_and_value(run):
    config = make_config()
    creds = config["twitter-secrets:credentials"]["research/archive"]
    creds["access_token_secret"] = creds["access_token_secret"][::-1]
    changed = run_program(config)
    before = {r.name: r.raw for r in run.aws_resources}
    after = {r.name: r.raw for r in changed.aws_resources}
    differing = sorted(name for name in before if before[name] != after[name])
    assert differing == ["research/archive-secret", "research/archive-version"]
    old_fp = run.outputs["twitterApps"]["research/archive"]["fingerprint"]
    assert changed.outputs["twitterApps"]["research/archive"]["fingerprint"] != old_fp


def test_environment_defaults_to_the_stack_name():
    prod = run_program(make_config(), stack="prod")
    assert prod.error is None
    names = sorted(r.inputs["name"] for r in prod.of_type(SECRET))
    assert names[0] == "twitter/prod/brand-monitoring/listener"


EU_KEY = "arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab"


def test_defaults_apply_to_every_app():
    config = make_config(
        defaults={
            "name_prefix": "org/x",
            "environment": "staging",
            "kms_key_id": "alias/twitter-secrets",
            "recovery_window_in_days": 7,
            "replica_regions": ["eu-west-1"],
            "replica_kms_key_ids": {"eu-west-1": EU_KEY},
            "tags": {"cost-center": "1"},
        }
    )
    result = run_program(config)
    assert result.error is None, result.error
    archive = by_name(result, SECRET)["research/archive-secret"].inputs
    assert archive["name"] == "org/x/staging/research/archive"
    assert archive["kmsKeyId"] == "alias/twitter-secrets"
    assert archive["recoveryWindowInDays"] == 7
    assert archive["replicas"] == [{"region": "eu-west-1", "kmsKeyId": EU_KEY}]
    assert archive["tags"]["cost-center"] == "4711"  # the app's own tag wins
    assert by_name(result, SECRET)["brand-monitoring/listener-secret"].inputs["tags"]["cost-center"] == "1"


def test_write_only_mode_keeps_the_value_out_of_secret_string():
    config = make_config()
    config["twitter-secrets:projects"]["research"]["apps"]["archive"]["write_only"] = True
    result = run_program(config)
    assert result.error is None, result.error
    version = by_name(result, VERSION)["research/archive-version"].inputs
    assert set(version) == {"secretId", "secretStringWo", "secretStringWoVersion"}
    assert is_wrapped_secret(version["secretStringWo"])
    fp = fingerprint_of("research/archive", "1001")
    assert version["secretStringWoVersion"] == int(fp[:13], 16)
    assert version["secretStringWoVersion"] < 2**53

    # Changing a key (and only that) moves the version; the same keys keep it.
    again = run_program(config)
    assert by_name(again, VERSION)["research/archive-version"].inputs["secretStringWoVersion"] == int(
        fp[:13], 16
    )
    creds = config["twitter-secrets:credentials"]["research/archive"]
    creds["consumer_secret"] = creds["consumer_secret"][::-1]
    rotated = run_program(config)
    assert by_name(rotated, VERSION)["research/archive-version"].inputs["secretStringWoVersion"] != int(
        fp[:13], 16
    )


def test_length_warnings_name_app_and_field_without_the_value():
    config = make_config()
    creds = config["twitter-secrets:credentials"]["brand-monitoring/listener"]
    creds["consumer_key"] = creds["consumer_key"][:22]
    result = run_program(config)
    assert result.error is None
    warnings = result.warnings()
    assert warnings == [
        "brand-monitoring/listener: consumer_key is 22 characters; the developer portal usually issues "
        "25 for the API Key. Check it was copied whole"
    ]
    assert len(result.aws_resources) == 9
