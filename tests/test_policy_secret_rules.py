"""Issue 24 (part): the rules about X secrets (rotation tags, rotation due, customer-managed key,
recovery window, public policies) as plain functions, each with cases that pass and that fail."""

from __future__ import annotations

import json
from datetime import date

from policy.rules.secrets import (
    SECRET,
    SECRET_POLICY,
    cmk_problems,
    public_policy_problems,
    recovery_window_problems,
    rotation_due,
    rotation_overdue,
    rotation_tag_problems,
)
from policy.rules.walk import UNKNOWN

GOOD_TAGS = {
    "twitter:project": "social",
    "twitter:app": "bot",
    "owner": "team-social",
    "rotation:issued-at": "2026-09-01",
    "rotation:interval-days": "90",
    "rotation:due-at": "2026-11-30",
    "rotation:strategy": "manual",
}


def test_rotation_tags_pass_when_complete_and_consistent():
    assert rotation_tag_problems({"tags": GOOD_TAGS}) == []
    assert rotation_tag_problems({"tags": {"team": "x"}}) == []  # not an X secret: not this rule's


def test_rotation_tags_name_each_missing_or_wrong_tag():
    assert rotation_tag_problems({"tags": {"twitter:app": "bot"}}) == [
        "tags owner, rotation:issued-at, rotation:interval-days, rotation:due-at, rotation:strategy are missing"
    ]
    assert rotation_tag_problems({"tags": {k: v for k, v in GOOD_TAGS.items() if k != "owner"}}) == [
        "tags owner is missing"
    ]
    wrong = {**GOOD_TAGS, "rotation:due-at": "2026-12-01"}
    assert rotation_tag_problems({"tags": wrong}) == [
        "tags.rotation:due-at is not rotation:issued-at plus rotation:interval-days; set them together "
        "(twitter-secrets' components do)"
    ]
    bad = {**GOOD_TAGS, "rotation:issued-at": "1 Sept", "rotation:interval-days": "0"}
    assert rotation_tag_problems({"tags": bad}) == [
        "tags.rotation:issued-at is not a date in the form YYYY-MM-DD",
        "tags.rotation:interval-days is not a whole number of days from 1 to 1000",
    ]


def test_an_automatically_rotated_secret_needs_its_schedule_not_issue_dates():
    bearer = {
        "twitter:project": "social",
        "twitter:app": "bot",
        "owner": "team-social",
        "rotation:strategy": "automatic",
        "rotation:schedule": "rate(30 days)",
    }
    assert rotation_tag_problems({"tags": bearer}) == []
    assert rotation_tag_problems({"tags": {k: v for k, v in bearer.items() if k != "rotation:schedule"}}) == [
        "tags rotation:schedule is missing"
    ]
    assert rotation_due({"tags": bearer}, date(2030, 1, 1)) is None


def test_rotation_due_counts_grace_days():
    props = {"tags": GOOD_TAGS}
    assert rotation_due(props, date(2026, 11, 30)) is None
    message = rotation_due(props, date(2026, 12, 4)) or ""
    assert message.startswith("rotation was due on 2026-11-30, 4 days ago")
    assert rotation_due(props, date(2026, 12, 4), grace_days=4) is None
    assert rotation_due(props, date(2026, 12, 4), grace_days=3) == message
    assert (
        rotation_due({"tags": {"team": "x", "rotation:due-at": "2020-01-01"}}, date(2026, 12, 4)) is not None
    )
    assert rotation_due({"tags": {"team": "x"}}, date(2026, 12, 4)) is None


def test_rotation_overdue_blocks_only_past_its_own_number_of_days():
    props = {"tags": GOOD_TAGS}
    assert rotation_overdue(props, date(2026, 12, 30), after_days=30) is None  # 30 days late: not more
    message = rotation_overdue(props, date(2026, 12, 31), after_days=30) or ""
    assert "31 days ago, more than the 30 days" in message and "mandatoryAfterDays" in message
    assert rotation_overdue(props, date(2026, 12, 4), after_days=0) is not None


def test_unknown_tag_values_during_preview_are_not_reported_as_wrong():
    unknown = {
        **GOOD_TAGS,
        "rotation:issued-at": UNKNOWN,
        "rotation:interval-days": UNKNOWN,
        "rotation:due-at": UNKNOWN,
    }
    assert rotation_tag_problems({"tags": unknown}) == []
    assert rotation_due({"tags": unknown}, date(2030, 1, 1)) is None
    assert cmk_problems({"tags": GOOD_TAGS, "kmsKeyId": UNKNOWN}) == []


def test_cmk_is_required_and_may_be_limited_to_an_allow_list():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert cmk_problems({"tags": GOOD_TAGS, "kmsKeyId": key}) == []
    assert cmk_problems({"tags": GOOD_TAGS}) and cmk_problems(
        {"tags": GOOD_TAGS, "kmsKeyId": "alias/aws/secretsmanager"}
    )
    assert cmk_problems({"tags": GOOD_TAGS, "kmsKeyId": key}, allowed=["alias/other"]) == [
        "kmsKeyId is not one of the keys this policy allows (allowedKeys in the policy's config)"
    ]
    assert cmk_problems({"tags": GOOD_TAGS, "kmsKeyId": object()}) == []  # unknown during preview
    assert cmk_problems({"tags": {"team": "x"}}) == []


def test_each_replica_needs_a_customer_managed_key_too():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    west = "arn:aws:kms:us-west-2:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab"
    props = {"tags": GOOD_TAGS, "kmsKeyId": key, "replicas": [{"region": "us-west-2", "kmsKeyId": west}]}
    assert cmk_problems(props) == []
    assert cmk_problems(
        {**props, "replicas": [{"region": "us-west-2"}, {"region": "eu-west-1", "kmsKeyId": west}]}
    ) == [
        "replicas[0].kmsKeyId is not set, so the replica in that region is encrypted with AWS's own key; name a "
        "customer-managed KMS key for each replica"
    ]
    assert cmk_problems(props, allowed=[key]) == [
        "replicas[0].kmsKeyId is not one of the keys this policy allows (allowedKeys)"
    ]
    assert cmk_problems({**props, "replicas": [{"region": "us-west-2", "kmsKeyId": UNKNOWN}]}) == []


def test_a_recovery_window_of_zero_is_refused():
    assert recovery_window_problems({"tags": GOOD_TAGS, "recoveryWindowInDays": 0}) != []
    assert recovery_window_problems({"tags": GOOD_TAGS, "recoveryWindowInDays": 7}) == []
    assert recovery_window_problems({"tags": GOOD_TAGS}) == []


def policy(statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_public_policies_are_refused_unless_limited_to_an_org_or_account():
    public = {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    assert public_policy_problems(SECRET_POLICY, {"policy": policy(public), "blockPublicPolicy": True}) == [
        'policy.Statement[0] allows Principal "*" with no condition on aws:PrincipalOrgID or '
        "aws:PrincipalAccount: anyone with AWS credentials could read the keys"
    ]
    also_aws = {**public, "Principal": {"AWS": ["arn:aws:iam::123456789012:role/a", "*"]}}
    assert (
        len(public_policy_problems(SECRET_POLICY, {"policy": policy(also_aws), "blockPublicPolicy": True}))
        == 1
    )
    limited = {**public, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    assert public_policy_problems(SECRET_POLICY, {"policy": policy(limited), "blockPublicPolicy": True}) == []
    deny = {**public, "Effect": "Deny"}
    assert public_policy_problems(SECRET_POLICY, {"policy": policy(deny)}) == [
        "blockPublicPolicy is not true: Secrets Manager would accept a policy that opens the secret"
    ]
    assert public_policy_problems(SECRET, {"tags": GOOD_TAGS, "policy": policy(public)}) != []
