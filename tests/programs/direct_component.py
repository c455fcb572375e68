"""A user's own program that uses TwitterAppCredentials directly (no stack config layout).

The test passes the component's args as plain config ``test:args`` and says
whether the keys arrive as plain strings or as secret Outputs, and what else
to wire (grant_read, an ExternalSecret).
"""

import json

import pulumi
import pulumi_aws as aws

from components import TwitterAppCredentials

config = pulumi.Config("test")
args = config.require_object("args")
if config.get_bool("keys_as_outputs"):
    for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        args[field] = pulumi.Output.secret(args[field])
if config.get_bool("kms_as_output"):
    args["kms_key_id"] = pulumi.Output.from_input(args["kms_key_id"])
if config.get_bool("readers_as_outputs"):
    args["readers"] = [pulumi.Output.from_input(r) for r in args["readers"]]

app = TwitterAppCredentials("my-app", args)
pulumi.export("arn", app.secret_arn)
pulumi.export("fingerprint", app.fingerprint)
pulumi.export("due", app.rotation_due_at)
pulumi.export("interval", app.rotation_interval_days)

if config.get_bool("wiring"):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws.iam.Role("worker", name="worker", assume_role_policy=json.dumps(trust))
    app.grant_read(role)
    app.grant_read("arn:aws:iam::123456789012:role/legacy-service")
    pulumi.export("readPolicyArn", app.read_policy_arn)
    pulumi.export("ecsSecrets", app.ecs_secrets)
    pulumi.export("externalSecret", app.external_secret("aws-secrets", namespace="social"))
