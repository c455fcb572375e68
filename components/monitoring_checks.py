"""Checks for the settings that decide who hears of a failure and how long logs are kept.

Apart from ``value_checks`` because they concern the rotation's operations (alarm topic,
log retention, replica keys), not the secret's identity; same signature as those checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi import Output

from .policies import is_key_arn, value_kind
from .value_checks import CheckContext, sns_topic_name_problems

SNS_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:([a-z0-9-]+):[0-9]{12}:(.+)")
#: Why a topic (or its key) must be in the stack's region.
SAME_REGION_WHY = (
    "CloudWatch alarm actions and EventBridge rule targets must be in the stack's region (aws:region)"
)
#: The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def topic_arn_problems(name: str, topic: object, region: str | None) -> list[str]:
    """An SNS topic ARN, with a name SNS accepts, in the stack's region: for the alarm topic and
    the reminders topic alike."""
    match = SNS_TOPIC_ARN.fullmatch(topic) if isinstance(topic, str) else None
    if match is None:
        kind = "" if isinstance(topic, str) else f", not {value_kind(topic)}"
        return [f"{name} must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>){kind}"]
    problems = sns_topic_name_problems(match.group(2), name)
    if region is not None and match.group(1) != region:
        problems.append(
            f"{name} is a topic in another region than the stack's ({region}); {SAME_REGION_WHY}: "
            "give a topic in the stack's region"
        )
    return problems


def alarm_topic_arn(problems: list[str], name: str, value: object, ctx: CheckContext) -> Any:
    """Text is checked now; an Output (the program's own topic) is trusted."""
    if isinstance(value, Output):
        return value
    found = topic_arn_problems(name, value, ctx.primary_region)
    problems += found
    return None if found else value


def log_retention_days(problems: list[str], name: str, value: object, _ctx: CheckContext) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in LOG_RETENTION_DAYS:
        problems.append(
            f"{name} must be one of the retentions CloudWatch Logs accepts: "
            f"{', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
        return None
    return value


def replica_kms_keys(problems: list[str], name: str, value: object, _ctx: CheckContext) -> dict[str, str]:
    """Region → the KMS key ARN that encrypts the replica there (a key belongs to one region)."""
    if not isinstance(value, Mapping):
        problems.append(f"{name} must be a map of replica region to KMS key ARN")
        return {}
    checked: dict[str, str] = {}
    for region, key in sorted(value.items(), key=lambda kv: str(kv[0])):
        if not isinstance(key, str) or not is_key_arn(key):
            problems.append(
                f"{name}.{region} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"
            )
        elif key.split(":")[3] != region:
            problems.append(
                f"{name}.{region} names a key in {key.split(':')[3]}; a replica needs a key in its own region"
            )
        else:
            checked[str(region)] = key
    return checked


def replica_key_problems(
    kms_key_id: Any, replica_regions: tuple[str, ...], replica_kms_key_ids: Mapping[str, str]
) -> list[str]:
    """A customer-managed key on the primary and AWS's default key on a replica would quietly weaken
    the replica; and a key for a region that is not replicated to is a typo."""
    problems = [
        f"replica_kms_key_ids.{region}: {region} is not in replica_regions"
        for region in sorted(set(replica_kms_key_ids) - set(replica_regions))
    ]
    if kms_key_id is not None:
        problems += [
            f"replica_regions: {region} has no key in replica_kms_key_ids, so its replica would use AWS's default "
            f"key while the primary uses kms_key_id; give a key in {region} (a multi-Region replica key suits)"
            for region in replica_regions
            if region not in replica_kms_key_ids
        ]
    return problems
