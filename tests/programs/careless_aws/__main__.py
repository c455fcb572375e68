"""X keys where a careless hand-written pulumi-aws program puts them (a test program).

The keys are the test's canaries, read from ``canaries.json`` beside this file (the test writes
it), so no key-shaped text lives in the repository. Each resource trips one rule of the pack:

- an Access Token in a Lambda function's environment variable;
- a Bearer Token in an EventBridge target's input, inside nested JSON;
- an API Key in a secret's description, the words around it saying what it is;
- an X-tagged secret with no owner and no rotation tags;
- an X-tagged secret, rotation tags complete, with a recovery window of 0 (force-delete).
"""

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

keys = json.loads((Path(__file__).parent / "canaries.json").read_text())

role = aws.iam.Role(
    "notifier-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.lambda_.Function(
    "notifier",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}
    ),
    environment={"variables": {"TWITTER_ACCESS_TOKEN": keys["access_token"], "LOG_LEVEL": "info"}},
)
schedule = aws.cloudwatch.EventRule("hourly-post", schedule_expression="rate(1 hour)")
aws.cloudwatch.EventTarget(
    "hourly-post-target",
    rule=schedule.name,
    arn="arn:aws:sns:us-east-1:123456789012:posts",
    input=json.dumps({"job": "post", "request": json.dumps({"headers": {"authorization": keys["bearer"]}})}),
)
aws.secretsmanager.Secret(
    "notes",
    description=f"Scratch notes for the bot. Twitter consumer key {keys['consumer_key']} (rotate soon)",
)
aws.secretsmanager.Secret(
    "bot-keys",
    tags={"twitter:project": "social", "twitter:app": "bot"},
)
aws.secretsmanager.Secret(
    "archive-keys",
    recovery_window_in_days=0,
    tags={
        "twitter:project": "social",
        "twitter:app": "archive",
        "owner": "team-social",
        "rotation:issued-at": keys["issued_at"],
        "rotation:interval-days": "90",
        "rotation:due-at": keys["due_at"],
        "rotation:strategy": "manual",
    },
)
