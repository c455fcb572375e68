"""stacks/consumer: a downstream stack reading this stack's outputs via a StackReference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.wiring import ecs_secrets
from tests.conftest import make_config
from tests.harness import STACK_REFERENCES, run_program

CONSUMER = Path(__file__).resolve().parents[1] / "stacks" / "consumer" / "__main__.py"
PROVISIONING = "acme/twitter-secrets/dev"
APP = "brand-monitoring/listener"


@pytest.fixture(scope="module")
def provisioned():
    """The real provisioning program's outputs become the StackReference's outputs."""
    result = run_program(make_config())
    assert result.error is None
    STACK_REFERENCES[PROVISIONING] = result.outputs
    yield result.outputs
    STACK_REFERENCES.pop(PROVISIONING)


def consume(app=APP):
    config = {
        "twitter-secrets-consumer:provisioningStack": PROVISIONING,
        "twitter-secrets-consumer:app": app,
    }
    return run_program(config, project="twitter-secrets-consumer", stack="dev", secret_keys=(), main=CONSUMER)


def by_name(result, type_):
    return {r.name: r.inputs for r in result.of_type(type_)}


def test_lambda_gets_the_arn_and_a_role_that_can_read_it(provisioned):
    result = consume()
    assert result.error is None, result.error
    arn = provisioned["secretArns"][APP]
    function = by_name(result, "aws:lambda/function:Function")["handler"]
    fingerprint = provisioned["twitterApps"][APP]["fingerprint"]
    assert function["environment"] == {
        "variables": {"TWITTER_SECRET_ARN": arn, "TWITTER_SECRETS_FINGERPRINT": fingerprint}
    }
    assert function["runtime"] == "python3.12"
    attachments = by_name(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    read_policy = provisioned["readPolicyArns"][APP]
    assert attachments["handler-role-1"]["policyArn"] == read_policy


def test_ecs_task_injects_the_four_keys_and_both_roles_can_read(provisioned):
    result = consume()
    arn = provisioned["secretArns"][APP]
    task = by_name(result, "aws:ecs/taskDefinition:TaskDefinition")["worker"]
    (container,) = json.loads(task["containerDefinitions"])
    assert container["secrets"] == ecs_secrets(arn)
    assert container["secrets"][0] == {"name": "TWITTER_CONSUMER_KEY", "valueFrom": f"{arn}:consumer_key::"}
    attachments = by_name(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    read_policy = provisioned["readPolicyArns"][APP]
    readers = sorted(name for name, a in attachments.items() if a["policyArn"] == read_policy)
    assert readers == ["handler-role-1", "task-execution-role-1", "task-role-0"]
    assert attachments["task-execution-role-0"]["policyArn"].endswith("AmazonECSTaskExecutionRolePolicy")


def test_unknown_app_says_which_apps_exist(provisioned):
    result = consume(app="brand-monitoring/listner")
    assert result.error is not None
    message = str(result.error)
    assert "acme/twitter-secrets/dev has no app 'brand-monitoring/listner' in secretArns" in message
    assert "brand-monitoring/listener, brand-monitoring/responder, research/archive" in message
    assert result.of_type("aws:lambda/function:Function") == []


def test_new_keys_make_a_new_task_definition_and_function_configuration(provisioned):
    """The consumer rolls on change: the fingerprint is part of what ECS and Lambda are given."""
    before = consume()
    task_before = by_name(before, "aws:ecs/taskDefinition:TaskDefinition")["worker"]
    (container,) = json.loads(task_before["containerDefinitions"])
    fingerprint = provisioned["twitterApps"][APP]["fingerprint"]
    assert {"name": "TWITTER_SECRETS_FINGERPRINT", "value": fingerprint} in container["environment"]

    rotated = {**provisioned, "twitterApps": {**provisioned["twitterApps"]}}
    rotated["twitterApps"][APP] = {**provisioned["twitterApps"][APP], "fingerprint": "0123456789abcdef"}
    STACK_REFERENCES[PROVISIONING] = rotated
    try:
        after = consume()
    finally:
        STACK_REFERENCES[PROVISIONING] = provisioned
    task_after = by_name(after, "aws:ecs/taskDefinition:TaskDefinition")["worker"]
    assert task_after["containerDefinitions"] != task_before["containerDefinitions"]  # a new revision
    assert task_after["family"] == task_before["family"]
    function = by_name(after, "aws:lambda/function:Function")["handler"]
    assert function["environment"]["variables"]["TWITTER_SECRETS_FINGERPRINT"] == "0123456789abcdef"


def test_ecs_environment_reveals_nothing_but_the_fingerprint():
    from components.wiring import ecs_environment

    assert ecs_environment("52d041cd151faf78") == [
        {"name": "TWITTER_SECRETS_FINGERPRINT", "value": "52d041cd151faf78"}
    ]
