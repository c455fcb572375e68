"""What tells a person that an unattended function failed: log groups, Errors alarms, failure rules.

Shared by the bearer rotation and the reminders, so both log, alarm and page the same way.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from .policies import log_policy_document, to_json

#: Secrets Manager's own events for a rotation that did not finish (delivered through CloudTrail).
ROTATION_FAILURE_EVENTS: tuple[str, ...] = ("RotationFailed", "RotationAbandoned")


def rotation_failure_pattern(secret_arn: str) -> dict[str, Any]:
    """RotationFailed and RotationAbandoned for one secret; the event carries its ARN in
    ``detail.additionalEventData.SecretId`` (AWS Service Event via CloudTrail)."""
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": list(ROTATION_FAILURE_EVENTS),
            "additionalEventData": {"SecretId": [secret_arn]},
        },
    }


def function_log_group(
    name: str, function_name: str, role: aws.iam.Role, retention_days: int, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """The function's log group, made by the program (so it has a retention and goes with the stack),
    and a role policy that writes only that group."""
    group = aws.cloudwatch.LogGroup(
        f"{name}-logs",
        name=f"/aws/lambda/{function_name}",
        retention_in_days=retention_days,
        opts=opts,
    )
    policy = aws.iam.RolePolicy(
        f"{name}-logs",
        name=f"{function_name}-logs"[:128],
        role=role.id,
        policy=group.arn.apply(lambda arn: to_json(log_policy_document(arn))),
        opts=opts,
    )
    return [group, policy]


def errors_alarm(
    name: str,
    function_name: pulumi.Input[str],
    topic_arn: pulumi.Input[str] | None,
    description: str,
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """Any error in a 5-minute period alarms. Missing data is not breaching, on purpose: Lambda
    reports Errors only for invocations, so no data means the function did not run, not that it
    failed (a rotation that is not started is caught by `audit --live` and RotationAbandoned)."""
    actions = [topic_arn] if topic_arn is not None else []
    return aws.cloudwatch.MetricAlarm(
        name,
        name=pulumi.Output.from_input(function_name).apply(lambda n: f"{n}-errors"),
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": function_name},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=actions,
        ok_actions=actions,
        alarm_description=description[:1024],
        opts=opts,
    )


def rotation_failure_rule(
    name: str,
    rule_name: str,
    secret_arn: pulumi.Output[str],
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.EventRule:
    """An EventBridge rule that sends Secrets Manager's RotationFailed/RotationAbandoned for one
    secret to the topic; the topic's policy must let events.amazonaws.com publish (the reminders
    topic's does)."""
    rule = aws.cloudwatch.EventRule(
        name,
        name=rule_name,
        description="Secrets Manager could not rotate an X bearer token (twitter-secrets)",
        event_pattern=secret_arn.apply(lambda arn: json.dumps(rotation_failure_pattern(arn), sort_keys=True)),
        opts=opts,
    )
    aws.cloudwatch.EventTarget(f"{name}-topic", rule=rule.name, arn=topic_arn, opts=opts)
    return rule
