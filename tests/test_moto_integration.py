"""The real program applied to moto's server (real HTTP), then checked with boto3.

Pulumi's mock monitor runs __main__.py; tests/moto_mocks.py applies every
Secrets Manager and IAM resource it registers to the emulated account and
returns moto's real ARNs. What is proven here is what lands in (emulated)
AWS: tags, KMS key, value, versions, policies, and that the runtime loader
reads it back. moto does not enforce BlockPublicPolicy or validate policy
grammar; the policy tests in test_access.py cover the documents themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.policies import read_policy_document, resource_policy_document
from tests.canaries import canary_credentials
from tests.conftest import listener_tags, make_config
from tests.harness import run_program
from tests.moto_mocks import MotoMocks, policy_document
from twitter_runtime import load_credentials

READER = "arn:aws:iam::123456789012:role/listener-service"
PROGRAM = Path(__file__).parent / "programs" / "direct_component.py"


@pytest.fixture
def key_arn(aws):
    kms = aws("kms")
    key = kms.create_key(Description="twitter-secrets test key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/twitter-secrets", TargetKeyId=key["KeyId"])
    return key["Arn"]


@pytest.fixture
def config(key_arn):
    config = make_config()
    apps = config["twitter-secrets:projects"]["brand-monitoring"]["apps"]
    apps["listener"]["kms_key_id"] = "alias/twitter-secrets"
    apps["listener"]["readers"] = [READER]
    return config


def deploy(aws, config):
    mocks = MotoMocks(aws)
    result = run_program(config, mocks=mocks)
    assert result.error is None, result.error
    return result


def test_secrets_land_with_exact_tags_key_and_value(aws, config, key_arn):
    result = deploy(aws, config)
    sm = aws("secretsmanager")
    arns = result.outputs["secretArns"]
    assert len(sm.list_secrets()["SecretList"]) == 3
    described = sm.describe_secret(SecretId=arns["brand-monitoring/listener"])
    assert described["Name"] == "twitter/dev/brand-monitoring/listener"
    assert described["ARN"] == arns["brand-monitoring/listener"]
    assert described["KmsKeyId"] in ("alias/twitter-secrets", key_arn)
    listener = result.outputs["twitterApps"]["brand-monitoring/listener"]
    assert {t["Key"]: t["Value"] for t in described["Tags"]} == listener_tags(listener["fingerprint"])
    value = sm.get_secret_value(SecretId=arns["brand-monitoring/listener"])
    assert value["VersionId"] == listener["versionId"]
    expected = config["twitter-secrets:credentials"]["brand-monitoring/listener"]
    assert value["SecretString"] == json.dumps(expected, sort_keys=True, separators=(",", ":"))


def test_runtime_loader_reads_the_exported_arn(aws, config):
    result = deploy(aws, config)
    for label, arn in result.outputs["secretArns"].items():
        creds = load_credentials(arn, client=aws("secretsmanager"), max_age_seconds=0)
        assert creds.as_dict() == config["twitter-secrets:credentials"][label]
        assert creds.fingerprint == result.outputs["twitterApps"][label]["fingerprint"]


def test_second_run_with_one_changed_key_adds_exactly_one_version(aws, config):
    first = deploy(aws, config)
    old = dict(config["twitter-secrets:credentials"]["research/archive"])
    config["twitter-secrets:credentials"]["research/archive"]["access_token_secret"] = old[
        "access_token_secret"
    ][::-1]
    second = deploy(aws, config)
    sm = aws("secretsmanager")

    def versions(label):
        arn = second.outputs["secretArns"][label]
        return {
            v["VersionId"]: v["VersionStages"] for v in sm.list_secret_version_ids(SecretId=arn)["Versions"]
        }

    archive = versions("research/archive")
    old_id = first.outputs["twitterApps"]["research/archive"]["versionId"]
    new_id = second.outputs["twitterApps"]["research/archive"]["versionId"]
    assert new_id != old_id
    assert archive == {old_id: ["AWSPREVIOUS"], new_id: ["AWSCURRENT"]}
    arn = second.outputs["secretArns"]["research/archive"]
    previous = sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["SecretString"]
    assert json.loads(previous) == old
    # Untouched apps keep their single version; their outputs do not change.
    assert len(versions("brand-monitoring/listener")) == 1
    assert second.outputs["secretArns"] == first.outputs["secretArns"]
    assert (
        second.outputs["twitterApps"]["brand-monitoring/listener"]
        == first.outputs["twitterApps"]["brand-monitoring/listener"]
    )


def test_read_policies_are_exactly_as_specified(aws, config, key_arn):
    result = deploy(aws, config)
    iam = aws("iam")
    policies = {
        p["PolicyName"]: p
        for p in iam.list_policies(Scope="Local", PathPrefix="/twitter-secrets/")["Policies"]
    }
    assert sorted(policies) == [
        "twitter-dev-brand-monitoring-listener-read",
        "twitter-dev-brand-monitoring-responder-read",
        "twitter-dev-research-archive-read",
    ]
    for label, policy_arn in result.outputs["readPolicyArns"].items():
        name = "twitter-dev-" + label.replace("/", "-") + "-read"
        assert policies[name]["Arn"] == policy_arn
        stored = policy_document(iam.get_policy_version(PolicyArn=policy_arn, VersionId="v1"))
        kms = key_arn if label == "brand-monitoring/listener" else None
        assert stored == read_policy_document(result.outputs["secretArns"][label], kms_key_arn=kms)


def test_resource_policy_for_named_readers(aws, config):
    result = deploy(aws, config)
    sm = aws("secretsmanager")
    listener = sm.get_resource_policy(SecretId=result.outputs["secretArns"]["brand-monitoring/listener"])
    assert json.loads(listener["ResourcePolicy"]) == resource_policy_document([READER])
    responder = sm.get_resource_policy(SecretId=result.outputs["secretArns"]["brand-monitoring/responder"])
    assert "ResourcePolicy" not in responder


def test_grant_read_attaches_in_iam(aws):
    args = {
        "project": "support",
        "app": "bot",
        "owner": "team-support",
        "issued_at": "2026-02-28",
        **canary_credentials("support/bot"),
    }
    config = {"test:args": args, "test:wiring": "true"}
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    aws("iam").create_role(RoleName="legacy-service", AssumeRolePolicyDocument=trust)
    result = run_program(config, secret_keys=(), main=PROGRAM, mocks=MotoMocks(aws))
    assert result.error is None, result.error
    iam = aws("iam")
    for role in ("worker", "legacy-service"):
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [result.outputs["readPolicyArn"]]
