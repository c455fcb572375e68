"""Issue 22, items 2, 4 and 6 in the program: the bearer secret guarded like the keys, failures that
page someone, and functions that write only their own log group (mock monitor)."""

from __future__ import annotations

import json

import pytest

from components.monitoring import rotation_failure_pattern
from tests.canaries import fragments
from tests.test_bearer_wiring import CREDS, PROGRAM, run, run_program

READER = "arn:aws:iam::123456789012:role/reader"
ADMIN = "arn:aws:iam::123456789012:role/admin"
TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_EU = "arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab"


def one(result, type_, suffix):
    (found,) = [r for r in result.of_type(type_) if r.name.endswith(suffix)]
    return found


def test_the_bearer_secret_has_the_keys_resource_policy():
    result = run(bearer_rotation_days=30, readers=[READER], deny_other_readers=True, admin_principals=[ADMIN])
    assert result.error is None, result.error
    main = one(result, "aws:secretsmanager/secretPolicy:SecretPolicy", "-app-policy")
    bearer = one(result, "aws:secretsmanager/secretPolicy:SecretPolicy", "-bearer-policy")
    assert bearer.inputs["blockPublicPolicy"] is True
    main_doc, bearer_doc = json.loads(main.inputs["policy"]), json.loads(bearer.inputs["policy"])
    assert [s["Sid"] for s in bearer_doc["Statement"]] == [
        "NamedReaders",
        "DenyEveryoneElse",
        "OnlyAdminsChangeThisPolicy",
    ]
    assert bearer_doc["Statement"][0]["Principal"] == {"AWS": [READER]}
    assert bearer_doc == main_doc  # the same readers, denial and exemptions


def test_the_read_policy_reads_the_bearer_too():
    result = run(bearer_rotation_days=30)
    policy = json.loads(one(result, "aws:iam/policy:Policy", "-read").inputs["policy"])
    resources = policy["Statement"][0]["Resource"]
    names = [
        one(result, "aws:secretsmanager/secret:Secret", s).inputs["name"] for s in ("-secret", "-bearer")
    ]
    assert [arn.split(":secret:")[1].rsplit("-", 1)[0] for arn in resources] == names


def test_replicas_of_both_secrets_use_the_configured_key_per_region():
    result = run(
        bearer_rotation_days=30,
        kms_key_id=KEY,
        replica_regions=["eu-west-1"],
        replica_kms_key_ids={"eu-west-1": KEY_EU},
    )
    assert result.error is None, result.error
    for suffix in ("-secret", "-bearer"):
        secret = one(result, "aws:secretsmanager/secret:Secret", suffix)
        assert secret.inputs["replicas"] == [{"region": "eu-west-1", "kmsKeyId": KEY_EU}]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"kms_key_id": KEY, "replica_regions": ["eu-west-1"]},
            "replica_regions: eu-west-1 has no key in replica_kms_key_ids",
        ),
        (
            {
                "replica_regions": ["eu-west-1"],
                "replica_kms_key_ids": {"eu-central-1": KEY_EU.replace("eu-west-1", "eu-central-1")},
            },
            "replica_kms_key_ids.eu-central-1: eu-central-1 is not in replica_regions",
        ),
        (
            {"replica_regions": ["eu-west-1"], "replica_kms_key_ids": {"eu-west-1": KEY}},
            "replica_kms_key_ids.eu-west-1 names a key in us-east-1",
        ),
    ],
)
def test_replica_keys_are_checked_before_anything_is_registered(settings, expected):
    result = run(**settings)
    assert result.error is not None and expected in str(result.error)
    assert result.aws_resources == []


def test_the_rotation_function_writes_only_its_own_log_group():
    result = run(bearer_rotation_days=30, log_retention_in_days=90)
    group = one(result, "aws:cloudwatch/logGroup:LogGroup", "-rotation-logs")
    function = one(result, "aws:lambda/function:Function", "-rotation")
    assert group.inputs["name"] == f"/aws/lambda/{function.inputs['name']}"
    assert group.inputs["retentionInDays"] == 90
    logs = json.loads(one(result, "aws:iam/rolePolicy:RolePolicy", "-rotation-logs").inputs["policy"])
    (statement,) = logs["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"arn:aws:mock:us-east-1:123456789012:loggroup/{group.name}:*"
    assert result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []  # no logs on "*"


def test_a_bad_log_retention_is_refused():
    result = run(bearer_rotation_days=30, log_retention_in_days=10)
    assert "log_retention_in_days must be one of the retentions CloudWatch Logs accepts" in str(result.error)
    assert result.aws_resources == []


def test_rotation_failures_reach_the_alarm_topic():
    result = run(bearer_rotation_days=30, alarm_topic_arn=TOPIC)
    assert result.error is None, result.error
    alarm = one(result, "aws:cloudwatch/metricAlarm:MetricAlarm", "-rotation-errors")
    function = one(result, "aws:lambda/function:Function", "-rotation")
    assert alarm.inputs["namespace"] == "AWS/Lambda" and alarm.inputs["metricName"] == "Errors"
    assert alarm.inputs["dimensions"] == {"FunctionName": function.inputs["name"]}
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert alarm.inputs["alarmActions"] == [TOPIC]
    rule = one(result, "aws:cloudwatch/eventRule:EventRule", "-rotation-failed")
    pattern = json.loads(rule.inputs["eventPattern"])
    (bearer_arn,) = pattern["detail"]["additionalEventData"]["SecretId"]
    bearer_name = one(result, "aws:secretsmanager/secret:Secret", "-bearer").inputs["name"]
    assert bearer_arn.startswith(f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{bearer_name}-")
    assert pattern == rotation_failure_pattern(bearer_arn)
    assert json.loads(rule.inputs["eventPattern"])["detail"]["eventName"] == [
        "RotationFailed",
        "RotationAbandoned",
    ]
    target = one(result, "aws:cloudwatch/eventTarget:EventTarget", "-rotation-failed-topic")
    assert target.inputs["arn"] == TOPIC


def test_without_a_topic_the_program_says_nobody_is_paged():
    result = run(bearer_rotation_days=30)
    assert result.error is None
    assert result.of_type("aws:cloudwatch/eventRule:EventRule") == []
    assert any("a failed rotation pages nobody" in message for message in result.warnings())


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (
            "arn:aws:sns:eu-west-1:123456789012:oncall",
            "alarm_topic_arn is a topic in another region than the stack's (us-east-1)",
        ),
        ("oncall", "alarm_topic_arn must be an SNS topic ARN"),
    ],
)
def test_an_alarm_topic_elsewhere_is_refused(topic, expected):
    args = {"project": "support", "app": "bot", "owner": "team", "issued_at": "2026-01-01", **CREDS}
    args.update(bearer_rotation_days=30, alarm_topic_arn=topic)
    result = run_program({"test:args": args, "aws:region": "us-east-1"}, secret_keys=(), main=PROGRAM)
    assert expected in str(result.error)
    assert result.aws_resources == []


def test_no_key_in_any_new_input():
    result = run(bearer_rotation_days=30, alarm_topic_arn=TOPIC, readers=[READER])
    text = json.dumps([r.inputs for r in result.aws_resources if "secretVersion" not in r.type], default=str)
    for value in CREDS.values():
        for piece in fragments(value.split("-", 1)[-1]):
            assert piece not in text
