"""IAM and resource policy documents, as plain data.

Built as dicts and serialized with sorted keys so that the same inputs give
byte-identical JSON (no spurious diffs) and tests can assert every statement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pulumi import Output

READ_ACTIONS: list[str] = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
POLICY_PATH = "/twitter-secrets/"

_SECRET_ARN = re.compile(r"arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):([0-9]{12}):secret:(.+)")
_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+")
# Principals a resource policy may name: an account root, a user or a role.
_PRINCIPAL_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)", re.ASCII
)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def is_key_arn(value: str) -> bool:
    """kms:Decrypt must name the key's own ARN; aliases and ids need resolving."""
    return bool(_KEY_ARN.fullmatch(value))


def _secret_arn_parts(secret_arn: str) -> tuple[str, str, str, str]:
    match = _SECRET_ARN.fullmatch(secret_arn)
    if not match:
        raise ValueError(f"not a Secrets Manager secret ARN: {secret_arn}")
    partition, region, account, rest = match.groups()
    return partition, region, account, rest


def secretsmanager_endpoint(secret_arn: str) -> str:
    """The value kms:ViaService takes for Secrets Manager in the secret's region."""
    partition, region, _, _ = _secret_arn_parts(secret_arn)
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"secretsmanager.{region}.{suffix}"


def replica_arns(secret_arn: str, regions: Sequence[str]) -> list[str]:
    """A replica keeps the primary's name and suffix; only the region differs."""
    partition, _, account, rest = _secret_arn_parts(secret_arn)
    return [f"arn:{partition}:secretsmanager:{r}:{account}:secret:{rest}" for r in regions]


def read_policy_document(
    secret_arn: str,
    *,
    kms_key_arn: str | None = None,
    replica_regions: Sequence[str] = (),
    bearer_secret_arn: str | None = None,
) -> dict[str, Any]:
    """Read exactly this app's secret, its bearer secret (and their replicas), nothing else.

    The bearer is in the same policy because whoever reads the API Key pair can already get
    the app's bearer from X (oauth2/token): one policy per app grants nothing more, and keeps
    the number of IAM policies (an account quota) at one per app.
    """
    resources = [secret_arn, *replica_arns(secret_arn, replica_regions)]
    if bearer_secret_arn:
        resources += [bearer_secret_arn, *replica_arns(bearer_secret_arn, replica_regions)]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadThisAppsCredentials",
            "Effect": "Allow",
            "Action": READ_ACTIONS,
            "Resource": resources[0] if len(resources) == 1 else resources,
        }
    ]
    if kms_key_arn:
        statements.append(
            {
                "Sid": "DecryptOnlyThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": secretsmanager_endpoint(secret_arn)}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def resource_policy_document(
    readers: Sequence[str], *, deny_other_readers: bool = False, admin_principals: Sequence[str] = ()
) -> dict[str, Any]:
    """The secret's own policy: named readers may read; optionally nobody else may.

    The first Deny covers GetSecretValue and exempts readers and admins. The second keeps
    everyone but the admins from removing or rewriting this policy (or re-pointing the
    secret's key with UpdateSecret): otherwise a ``secretsmanager:*`` holder could delete the
    policy and then read the value. The admins (the deploying role among them) can always
    change or delete it to recover.
    """
    readers = sorted(set(readers))
    statements: list[dict[str, Any]] = [
        {
            "Sid": "NamedReaders",
            "Effect": "Allow",
            "Principal": {"AWS": readers},
            "Action": READ_ACTIONS,
            "Resource": "*",
        }
    ]
    if deny_other_readers:
        statements.append(
            {
                "Sid": "DenyEveryoneElse",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {
                    "ArnNotEquals": {"aws:PrincipalArn": sorted(set(readers) | set(admin_principals))}
                },
            }
        )
        statements.append(
            {
                "Sid": "OnlyAdminsChangeThisPolicy",
                "Effect": "Deny",
                "Principal": "*",
                "Action": POLICY_GUARD_ACTIONS,
                "Resource": "*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": sorted(set(admin_principals))}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


#: What deny_other_readers keeps from everyone but the admins, besides reading the value.
POLICY_GUARD_ACTIONS: list[str] = [
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:UpdateSecret",
]


_KINDS = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    dict: "a mapping",
    list: "a list",
    tuple: "a list",
}


def value_kind(value: Any) -> str:
    """What a value is, for an error that must not repeat the value itself."""
    return "nothing (null)" if value is None else _KINDS.get(type(value), f"a {type(value).__name__}")


def principal_problems(name: str, principals: Any, *, allow_root: bool = True) -> list[str]:
    """Check principal ARNs named in a resource policy."""
    if principals is None:
        return []
    if not isinstance(principals, (list, tuple)):
        return [f"{name} must be a list of IAM principal ARNs"]
    problems = []
    for index, principal in enumerate(principals):
        where = f"{name}[{index}]"
        if isinstance(principal, Output):
            continue  # checked once it resolves
        if not isinstance(principal, str):
            problems.append(
                f"{where} must be an IAM principal ARN (text, such as arn:aws:iam::123456789012:role/my-service), "
                f"not {value_kind(principal)}"
            )
            continue
        if "*" in principal or "?" in principal:
            problems.append(
                f"{where} has a wildcard; name each role or user ARN (a wildcard could make the secret public)"
            )
        elif not _PRINCIPAL_ARN.fullmatch(principal):
            problems.append(
                f"{where} is not an IAM principal ARN such as arn:aws:iam::123456789012:role/my-service"
            )
        elif not allow_root and principal.endswith(":root"):
            problems.append(
                f"{where} names a whole account (:root); with deny_other_readers that would block the "
                "account's own roles, so name the role ARNs instead"
            )
    return problems


ROTATION_ACTIONS: list[str] = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
]


def rotation_policy_document(
    bearer_secret_arn: str, credentials_secret_arn: str, *, kms_key_arn: str | None = None
) -> dict[str, Any]:
    """Exactly what the four-step protocol needs: rotate the bearer secret, read the main one."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "RotateTheBearerToken",
            "Effect": "Allow",
            "Action": ROTATION_ACTIONS,
            "Resource": bearer_secret_arn,
        },
        {
            "Sid": "ReadTheAppCredentials",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": credentials_secret_arn,
        },
    ]
    if kms_key_arn:
        statements.append(
            {
                "Sid": "UseTheKeyOnlyThroughSecretsManager",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": secretsmanager_endpoint(bearer_secret_arn)}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def assume_role_document(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def log_policy_document(log_group_arn: str) -> dict[str, Any]:
    """A function writes its own log group and nothing else (AWSLambdaBasicExecutionRole allows
    every log group in the account). The group exists before the function (the program creates
    it, with a retention), so the function needs no logs:CreateLogGroup."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn.removesuffix(':*')}:*",
            }
        ],
    }


def alert_topic_policy_document(topic_arn: str, account_id: str) -> dict[str, Any]:
    """The reminders topic: its own account may use it (SNS's default), and EventBridge rules and
    CloudWatch alarms of that account may publish failures to it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnerAccount",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{topic_arn.split(':')[1]}:iam::{account_id}:root"},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:Publish",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "AlarmsAndRulesOfThisAccountPublish",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ],
    }


def reminder_policy_document(
    topic_arn: str, namespace: str, *, topic_kms_key_arn: str | None = None
) -> dict[str, Any]:
    """The reminder function may find secrets by their tags, publish to one topic and write its
    own metrics; it cannot read a secret's value. Publishing to a KMS-encrypted topic needs the
    key's GenerateDataKey and Decrypt, through SNS only."""
    statements: list[dict[str, Any]] = []
    if topic_kms_key_arn:
        region = topic_arn.split(":")[3]
        statements.append(
            {
                "Sid": "EncryptForTheTopic",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": topic_kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
            }
        )
    return {
        "Version": "2012-10-17",
        "Statement": [
            *statements,
            {
                # ListSecrets has no resource-level permissions: "*" is the only form AWS takes.
                "Sid": "FindSecretsByTheirTags",
                "Effect": "Allow",
                "Action": "secretsmanager:ListSecrets",
                "Resource": "*",
            },
            {"Sid": "PublishReminders", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
            {
                "Sid": "PutRotationMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
            },
        ],
    }
