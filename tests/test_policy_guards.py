"""Issue 22 item 5 and the policy documents of items 2, 4, 6 and 9, checked with parliament.

parliament reads every document as an identity policy. For a secret's own resource policy,
``"Resource": "*"`` means the secret itself (AWS's examples write it so), so RESOURCE_STAR is the
one finding expected there; anything else (an unknown action, a malformed condition) fails.
"""

from __future__ import annotations

import json

import parliament
import pytest

from components.policies import (
    POLICY_GUARD_ACTIONS,
    alert_topic_policy_document,
    log_policy_document,
    read_policy_document,
    reminder_policy_document,
    resource_policy_document,
    rotation_policy_document,
)

MAIN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/p/a-AbCdEf"
BEARER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/p/a/bearer-AbCdEf"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall"
READER = "arn:aws:iam::123456789012:role/reader"
ADMIN = "arn:aws:iam::123456789012:role/admin"
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/twitter-dev-p-a-rotation:*"


def findings(document: dict) -> list[tuple[str, object]]:
    return sorted(
        (f.issue, str(f.detail)) for f in parliament.analyze_policy_string(json.dumps(document)).findings
    )


DOCUMENTS = {
    "read (keys, bearer, replicas, key)": read_policy_document(
        MAIN, kms_key_arn=KEY, replica_regions=["eu-west-1"], bearer_secret_arn=BEARER
    ),
    "rotation": rotation_policy_document(BEARER, MAIN, kms_key_arn=KEY),
    "log group only": log_policy_document(GROUP),
    "reminders with an encrypted topic": reminder_policy_document(
        TOPIC, "TwitterSecrets", topic_kms_key_arn=KEY
    ),
    "alert topic": alert_topic_policy_document(TOPIC, "123456789012"),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_identity_and_topic_documents_have_no_findings(name):
    assert findings(DOCUMENTS[name]) == []


def test_the_resource_policy_has_only_the_expected_finding():
    document = resource_policy_document([READER], deny_other_readers=True, admin_principals=[ADMIN])
    assert {issue for issue, _ in findings(document)} == {"RESOURCE_STAR"}


def test_parliament_would_catch_a_misspelt_action():
    """The check can fail: a typo in an action is a finding."""
    document = resource_policy_document([READER], deny_other_readers=True, admin_principals=[ADMIN])
    document["Statement"][2]["Action"] = ["secretsmanager:PutResourcePolicies"]
    assert "UNKNOWN_ACTION" in {issue for issue, _ in findings(document)}


def test_only_admins_may_remove_or_rewrite_the_policy():
    """A secretsmanager:* holder who is a reader can no longer delete the policy and then read."""
    statements = resource_policy_document([READER], deny_other_readers=True, admin_principals=[ADMIN])[
        "Statement"
    ]
    guard = next(s for s in statements if s["Sid"] == "OnlyAdminsChangeThisPolicy")
    assert guard == {
        "Sid": "OnlyAdminsChangeThisPolicy",
        "Effect": "Deny",
        "Principal": "*",
        "Action": [
            "secretsmanager:DeleteResourcePolicy",
            "secretsmanager:PutResourcePolicy",
            "secretsmanager:UpdateSecret",
        ],
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [ADMIN]}},  # readers are not exempt here
    }
    assert guard["Action"] == POLICY_GUARD_ACTIONS


def test_without_deny_other_readers_nothing_is_denied():
    statements = resource_policy_document([READER])["Statement"]
    assert [s["Effect"] for s in statements] == ["Allow"]


def test_the_log_policy_names_one_group_and_no_create():
    (statement,) = log_policy_document(GROUP)["Statement"]
    assert statement["Resource"] == GROUP
    assert "logs:CreateLogGroup" not in statement["Action"]
