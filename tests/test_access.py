"""Least-privilege read access and consumer wiring, under Pulumi's mock monitor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.aws_names import read_policy_name
from components.policies import read_policy_document, resource_policy_document
from components.wiring import ecs_secrets, external_secret_manifest, kubernetes_name
from tests.canaries import canary_credentials
from tests.harness import ACCOUNT, fake_key_arn, run_program
from twitter_runtime import InvalidInputError

PROGRAM = Path(__file__).parent / "programs" / "direct_component.py"
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/support/bot-AbCdEf"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::123456789012:role/support-bot"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"


def args(**overrides):
    return {
        "project": "support",
        "app": "bot",
        "owner": "team-support",
        "issued_at": "2026-02-28",
        **canary_credentials("support/bot"),
        **overrides,
    }


def run(app_args, **flags):
    config = {"test:args": app_args, **{f"test:{k}": "true" if v else "false" for k, v in flags.items()}}
    return run_program(config, stack="dev", secret_keys=(), main=PROGRAM)


def one(result, type_):
    (registration,) = result.of_type(type_)
    return registration


# --- policy documents as plain data -------------------------------------------------------


def test_read_policy_without_kms_is_one_statement_on_exactly_the_secret():
    assert read_policy_document(ARN) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadThisAppsCredentials",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": ARN,
            }
        ],
    }


def test_read_policy_with_kms_allows_decrypt_only_via_secrets_manager():
    document = read_policy_document(ARN, kms_key_arn=KEY_ARN)
    assert document["Statement"][1] == {
        "Sid": "DecryptOnlyThroughSecretsManager",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY_ARN,
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
    }


def test_read_policy_covers_replicas_and_china_endpoint():
    cn = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:t/x-AbCdEf"
    document = read_policy_document(
        cn, kms_key_arn="arn:aws-cn:kms:cn-north-1:123456789012:key/k", replica_regions=["cn-northwest-1"]
    )
    assert document["Statement"][0]["Resource"] == [cn, cn.replace("cn-north-1", "cn-northwest-1")]
    assert document["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"] == (
        "secretsmanager.cn-north-1.amazonaws.com.cn"
    )


def test_resource_policy_allows_readers_and_optionally_denies_everyone_else():
    assert resource_policy_document([ROLE]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NamedReaders",
                "Effect": "Allow",
                "Principal": {"AWS": [ROLE]},
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": "*",
            }
        ],
    }
    deny = resource_policy_document([ROLE], deny_other_readers=True, admin_principals=[ADMIN])["Statement"][1]
    assert deny == {
        "Sid": "DenyEveryoneElse",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [ADMIN, ROLE]}},
    }


def test_policy_name_is_readable_and_bounded():
    assert read_policy_name("twitter/dev/support/bot") == "twitter-dev-support-bot-read"
    long = read_policy_name("twitter/dev/" + "p" * 100 + "/" + "a" * 100)
    assert len(long) == 128 and long.endswith("-read")
    assert long == read_policy_name("twitter/dev/" + "p" * 100 + "/" + "a" * 100)


def test_ecs_secrets_use_json_key_syntax():
    assert ecs_secrets(ARN) == [
        {"name": "TWITTER_CONSUMER_KEY", "valueFrom": f"{ARN}:consumer_key::"},
        {"name": "TWITTER_CONSUMER_SECRET", "valueFrom": f"{ARN}:consumer_secret::"},
        {"name": "TWITTER_ACCESS_TOKEN", "valueFrom": f"{ARN}:access_token::"},
        {"name": "TWITTER_ACCESS_TOKEN_SECRET", "valueFrom": f"{ARN}:access_token_secret::"},
    ]


def test_external_secret_manifest():
    manifest = external_secret_manifest(
        secret_name="twitter/dev/Support_Team/bot",
        label="Support_Team/bot",
        store_name="aws",
        namespace="social",
    )
    assert manifest["apiVersion"] == "external-secrets.io/v1"
    assert manifest["kind"] == "ExternalSecret"
    assert manifest["metadata"] == {"name": "twitter-support-team-bot", "namespace": "social"}
    assert manifest["spec"]["secretStoreRef"] == {"name": "aws", "kind": "SecretStore"}
    assert manifest["spec"]["target"] == {"name": "twitter-support-team-bot", "creationPolicy": "Owner"}
    assert manifest["spec"]["data"][3] == {
        "secretKey": "TWITTER_ACCESS_TOKEN_SECRET",
        "remoteRef": {"key": "twitter/dev/Support_Team/bot", "property": "access_token_secret"},
    }
    with pytest.raises(ValueError):
        external_secret_manifest(secret_name="x", label="x", store_name="s", store_kind="Vault")
    assert kubernetes_name("x" * 100) == "x" * 63


# --- the component under mocks ------------------------------------------------------------


def test_read_policy_resource_is_exact_and_waits_for_the_first_version():
    result = run(args(), wiring=True)
    assert result.error is None, result.error
    policy = one(result, "aws:iam/policy:Policy")
    secret = one(result, "aws:secretsmanager/secret:Secret")
    version = one(result, "aws:secretsmanager/secretVersion:SecretVersion")
    assert policy.name == "my-app-read"
    assert policy.inputs["name"] == "twitter-dev-support-bot-read"
    assert policy.inputs["path"] == "/twitter-secrets/"
    secret_arn = result.outputs["arn"]
    assert json.loads(policy.inputs["policy"]) == read_policy_document(secret_arn)
    assert version.urn in policy.dependencies
    assert policy.inputs["tags"] == {
        "twitter:project": "support",
        "twitter:app": "bot",
        "twitter:environment": "dev",
        "managed-by": "pulumi",
    }
    assert secret.urn in version.dependencies


def test_grant_read_attaches_the_policy_to_roles():
    result = run(args(), wiring=True)
    attachments = {
        r.name: r.inputs for r in result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/twitter-secrets/twitter-dev-support-bot-read"
    assert attachments == {
        "my-app-read-worker": {"role": "worker", "policyArn": policy_arn},
        "my-app-read-legacy-service": {"role": "legacy-service", "policyArn": policy_arn},
    }
    assert result.outputs["readPolicyArn"] == policy_arn
    component = {r.name: r.urn for r in result.registrations}["my-app"]
    assert all(
        r.parent == component for r in result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )


def test_ecs_and_external_secret_outputs():
    result = run(args(), wiring=True)
    assert result.outputs["ecsSecrets"] == ecs_secrets(result.outputs["arn"])
    assert result.outputs["externalSecret"] == external_secret_manifest(
        secret_name="twitter/dev/support/bot",
        label="support/bot",
        store_name="aws-secrets",
        namespace="social",
    )


@pytest.mark.parametrize("key", [KEY_ARN, "alias/twitter", "1234abcd-12ab-34cd-56ef-1234567890ab"])
def test_kms_decrypt_names_the_key_arn_resolving_aliases_and_ids(key):
    result = run(args(kms_key_id=key))
    assert result.error is None, result.error
    document = json.loads(one(result, "aws:iam/policy:Policy").inputs["policy"])
    expected = KEY_ARN if key == KEY_ARN else fake_key_arn(key)
    assert document == read_policy_document(result.outputs["arn"], kms_key_arn=expected)
    lookups = [c for c in result.calls if c[0] == "aws:kms/getKey:getKey"]
    assert lookups == ([] if key == KEY_ARN else [("aws:kms/getKey:getKey", {"keyId": key})])


def test_read_policy_can_be_turned_off():
    result = run(args(read_policy=False))
    assert result.error is None
    assert result.of_type("aws:iam/policy:Policy") == []
    assert len(result.aws_resources) == 2


@pytest.mark.parametrize("as_outputs", [False, True])
def test_readers_get_a_secret_policy_with_public_policies_blocked(as_outputs):
    result = run(args(readers=[ROLE]), readers_as_outputs=as_outputs)
    assert result.error is None, result.error
    policy = one(result, "aws:secretsmanager/secretPolicy:SecretPolicy")
    assert policy.inputs["blockPublicPolicy"] is True
    assert policy.inputs["secretArn"] == result.outputs["arn"]
    assert json.loads(policy.inputs["policy"]) == resource_policy_document([ROLE])
    assert one(result, "aws:secretsmanager/secretVersion:SecretVersion").urn in policy.dependencies


def test_deny_other_readers_keeps_admins_in():
    result = run(args(readers=[ROLE], deny_other_readers=True, admin_principals=[ADMIN]))
    assert result.error is None, result.error
    document = json.loads(one(result, "aws:secretsmanager/secretPolicy:SecretPolicy").inputs["policy"])
    assert document["Statement"][1]["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] == [ADMIN, ROLE]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"readers": ["*"]}, "readers[0] has a wildcard"),
        ({"readers": ["arn:aws:iam::*:role/x"]}, "readers[0] has a wildcard"),
        ({"readers": ["arn:aws:iam::12345:role/x"]}, "readers[0] is not an IAM principal ARN"),
        ({"readers": ["support-bot"]}, "readers[0] is not an IAM principal ARN"),
        ({"readers": [ROLE, "arn:aws:s3:::bucket"]}, "readers[1] is not an IAM principal ARN"),
        ({"readers": [ROLE], "deny_other_readers": True}, "deny_other_readers needs admin_principals"),
        ({"deny_other_readers": True, "admin_principals": [ADMIN]}, "deny_other_readers needs readers"),
        ({"readers": [ROLE], "admin_principals": [ADMIN]}, "admin_principals only has an effect"),
        (
            {
                "readers": ["arn:aws:iam::123456789012:root"],
                "deny_other_readers": True,
                "admin_principals": [ADMIN],
            },
            "readers[0] names a whole account",
        ),
    ],
)
def test_bad_readers_are_refused_before_anything_is_registered(overrides, expected):
    result = run(args(**overrides))
    assert isinstance(result.error, InvalidInputError)
    assert str(result.error).startswith("support/bot: ")
    assert expected in str(result.error)
    assert result.aws_resources == []


def test_bad_reader_given_as_output_stops_everything():
    result = run(args(readers=["*"]), readers_as_outputs=True)
    assert result.error is not None
    assert "support/bot: readers[0] has a wildcard" in str(result.error)
    assert result.aws_resources == []


def test_root_account_reader_is_fine_without_deny():
    result = run(args(readers=["arn:aws:iam::210987654321:root"]))
    assert result.error is None, result.error
