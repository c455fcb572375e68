"""A downstream stack: one app's keys wired into a Lambda function and an ECS task.

It knows nothing of the keys themselves: it reads the provisioning stack's
``secretArns`` and ``readPolicyArns`` through a StackReference, passes the ARN
to the workloads and attaches the app's read policy to their roles.
"""

import json
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

HERE = Path(__file__).resolve().parent
# This example lives in the twitter-secrets repository; a stack in another
# repository would install twitter-secrets or vendor its small wiring module.
sys.path.insert(0, str(HERE.parents[1]))
from components.wiring import FINGERPRINT_ENV, ecs_environment, ecs_secrets  # noqa: E402

config = pulumi.Config()
# A bare stack name is the twitter-secrets project's stack in this organization: "organization" on a
# local or S3 backend, yours on Pulumi Cloud, so the same config works on every backend.
provisioning_stack = config.require("provisioningStack")
if "/" not in provisioning_stack:
    provisioning_stack = f"{pulumi.get_organization()}/twitter-secrets/{provisioning_stack}"
app = config.require("app")
image = config.get("image") or "public.ecr.aws/docker/library/python:3.12-slim"
provisioning = pulumi.StackReference(provisioning_stack)


def pick(output_name: str) -> pulumi.Output[str]:
    """One app's entry of a map output, with an error that says what exists."""

    def lookup(by_app: dict) -> str:
        if app not in by_app:
            known = ", ".join(sorted(by_app)) or "none"
            raise ValueError(f"{provisioning_stack} has no app '{app}' in {output_name} (it has: {known})")
        return by_app[app]

    return provisioning.require_output(output_name).apply(lookup)


secret_arn = pick("secretArns")
read_policy_arn = pick("readPolicyArns")
# The keys' fingerprint (it reveals nothing of them): when the keys change, so do the task
# definition and the function's configuration, and the workloads pick the new keys up.
fingerprint = pick("twitterApps").apply(lambda entry: entry["fingerprint"])


def role(name: str, service: str, managed: list[str]) -> aws.iam.Role:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    created = aws.iam.Role(name, assume_role_policy=json.dumps(trust))
    for index, policy_arn in enumerate([*managed, read_policy_arn]):
        aws.iam.RolePolicyAttachment(f"{name}-{index}", role=created.name, policy_arn=policy_arn)
    return created


# Lambda: the function reads the secret itself, so its role gets the read policy.
lambda_role = role(
    "handler-role",
    "lambda.amazonaws.com",
    ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
)
function = aws.lambda_.Function(
    "handler",
    runtime="python3.12",
    handler="handler.handler",
    role=lambda_role.arn,
    code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset(str(HERE / "handler.py"))}),
    environment={"variables": {"TWITTER_SECRET_ARN": secret_arn, FINGERPRINT_ENV: fingerprint}},
    timeout=10,
)

# ECS: the agent injects the keys at task start with the *execution* role;
# the task role also reads, so the service can re-read after a rotation
# (twitter_runtime.call_with_refresh) without a restart.
execution_role = role(
    "task-execution-role",
    "ecs-tasks.amazonaws.com",
    ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
)
task_role = role("task-role", "ecs-tasks.amazonaws.com", [])
task = aws.ecs.TaskDefinition(
    "worker",
    family="twitter-worker",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    task_role_arn=task_role.arn,
    container_definitions=pulumi.Output.all(secret_arn, fingerprint).apply(
        lambda values: json.dumps(
            [
                {
                    "name": "worker",
                    "image": image,
                    "essential": True,
                    "secrets": ecs_secrets(values[0]),
                    "environment": [
                        {"name": "TWITTER_SECRET_ARN", "value": values[0]},
                        *ecs_environment(values[1]),
                    ],
                }
            ]
        )
    ),
)

pulumi.export("functionName", function.name)
pulumi.export("taskDefinitionArn", task.arn)
