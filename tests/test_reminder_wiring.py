"""`twitter-secrets:reminders` under mocks: the function, its least-privilege role, the schedule,
the topic and the alarms; bad settings stop the program with nothing registered."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LABELS, make_config
from tests.harness import run_program

TOPIC = "arn:aws:sns:us-east-1:123456789012:rotation-reminders"


def by_type(result, type_):
    return {r.name: r for r in result.of_type(type_)}


def test_reminders_with_your_topic():
    result = run_program(make_config(reminders={"topic_arn": TOPIC, "warn_days": 21}))
    assert result.error is None, result.error
    (function,) = result.of_type("aws:lambda/function:Function")
    assert function.inputs["name"] == "twitter-organization-twitter-secrets-dev-us-east-1-reminders"
    assert function.inputs["handler"] == "handler.lambda_handler" and function.inputs["timeout"] == 300
    assert function.inputs["environment"]["variables"] == {
        "TOPIC_ARN": TOPIC,
        "STACK": "organization/twitter-secrets/dev",
        "WARN_DAYS": "21",
        "METRIC_NAMESPACE": "TwitterSecrets",
    }
    (policy,) = [p for p in result.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-access")]
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "FindSecretsByTheirTags",
                "Effect": "Allow",
                "Action": "secretsmanager:ListSecrets",
                "Resource": "*",
            },
            {"Sid": "PublishReminders", "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC},
            {
                "Sid": "PutRotationMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "TwitterSecrets"}},
            },
        ],
    }
    assert "GetSecretValue" not in policy.inputs["policy"]
    (rule,) = result.of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["scheduleExpression"] == "rate(1 day)"
    (permission,) = result.of_type("aws:lambda/permission:Permission")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    (target,) = result.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == "twitter-organization-twitter-secrets-dev-us-east-1-reminders"
    assert result.of_type("aws:sns/topic:Topic") == []
    alarms = by_type(result, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert list(alarms) == ["rotation-reminders-errors"]  # the function's errors, no per-app alarm
    assert alarms["rotation-reminders-errors"].inputs["alarmActions"] == [TOPIC]
    assert result.outputs["reminderTopicArn"] == TOPIC


def test_reminders_with_a_new_topic_emails_and_alarms():
    settings = {
        "create": True,
        "emails": ["team@example.com"],
        "schedule": "cron(0 8 * * ? *)",
        "alarms": True,
    }
    result = run_program(make_config(reminders=settings))
    assert result.error is None, result.error
    (topic,) = result.of_type("aws:sns/topic:Topic")
    assert topic.inputs["name"] == "twitter-organization-twitter-secrets-dev-us-east-1-reminders"
    (subscription,) = result.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "team@example.com")
    alarms = [
        a for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name.endswith("-alarm")
    ]
    assert sorted(a.inputs["dimensions"]["App"] for a in alarms) == sorted(LABELS)
    assert {a.inputs["threshold"] for a in alarms} == {14}
    assert {a.inputs["comparisonOperator"] for a in alarms} == {"LessThanOrEqualToThreshold"}
    (rule,) = result.of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["scheduleExpression"] == "cron(0 8 * * ? *)"


def test_no_reminders_unless_asked():
    result = run_program(make_config())
    assert result.error is None and result.of_type("aws:lambda/function:Function") == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"topic_arn": "arn:aws:sqs:us-east-1:123456789012:q"},
            "twitter-secrets:reminders.topic_arn must be an SNS topic ARN",
        ),
        (
            {"topic_arn": TOPIC, "warn_days": -1},
            "twitter-secrets:reminders.warn_days must be a whole number of days from 0 to 365",
        ),
        (
            {"topic_arn": TOPIC, "create": True},
            "give topic_arn, or create: true (with emails), one of the two",
        ),
        (
            {"create": True, "emails": ["not an address"]},
            "twitter-secrets:reminders.emails must be a list of e-mail addresses",
        ),
        (
            {"topic_arn": TOPIC, "schedule": "every day"},
            "twitter-secrets:reminders.schedule must be an EventBridge",
        ),
        ({"topic_arn": TOPIC, "colour": "red"}, "twitter-secrets:reminders: unknown key(s) colour"),
    ],
)
def test_bad_settings_register_nothing(settings, expected):
    result = run_program(make_config(reminders=settings))
    assert expected in str(result.error)
    assert result.aws_resources == []
    assert "not an address" not in str(result.error)
