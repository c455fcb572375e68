"""The rotation reminder Lambda: tells the owner before an app's X keys are due.

X keys cannot be rotated by a machine (only the bearer can), so a person must
act, in time. Run daily by EventBridge, it finds its stack's secrets by the
tags the component writes (``managed-by``, ``twitter:stack``, ``rotation:due-at``;
each app keeps its own ``twitter:environment``), publishes one SNS message per app that is overdue or due
within ``WARN_DAYS``, and puts a CloudWatch datapoint per app (days until due)
for charts and alarms. It lists secrets and reads their tags; it never reads a
secret's value (its role cannot). Pulumi-free and stateless: a second run on the
same day sends the same reminders and datapoints again, and changes nothing else.

Environment: ``TOPIC_ARN``, ``STACK`` (organization/project/stack), ``WARN_DAYS`` (default 14),
``METRIC_NAMESPACE`` (default ``TwitterSecrets``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import boto3

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)
for noisy in ("botocore", "boto3", "urllib3"):  # their DEBUG lines carry request bodies
    logging.getLogger(noisy).setLevel(logging.WARNING)

METRIC_NAME = "DaysUntilRotationDue"
DEFAULT_NAMESPACE = "TwitterSecrets"
DEFAULT_WARN_DAYS = 14
#: PutMetricData takes at most this many datapoints per call (AWS's older, safe limit).
METRIC_BATCH = 20
SUBJECT_MAX = 100


@dataclass(frozen=True)
class DueApp:
    label: str
    owner: str
    due_at: date
    days_left: int
    arn: str
    environment: str


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    today = date.fromisoformat(event["asOf"]) if isinstance(event, dict) and event.get("asOf") else None
    return run(
        boto3.client("secretsmanager"),
        boto3.client("sns"),
        boto3.client("cloudwatch"),
        topic_arn=os.environ["TOPIC_ARN"],
        stack=os.environ["STACK"],
        warn_days=int(os.environ.get("WARN_DAYS", DEFAULT_WARN_DAYS)),
        namespace=os.environ.get("METRIC_NAMESPACE", DEFAULT_NAMESPACE),
        today=today or datetime.now(UTC).date(),
    )


def apps(secrets: Any, stack: str, today: date) -> list[DueApp]:
    """This stack's apps, whatever their environment, from ListSecrets pages (tags only; no value
    is read). Filtering by the stack, not the environment, keeps two stacks that share an
    environment from reminding about each other's apps."""
    found = []
    pages = secrets.get_paginator("list_secrets").paginate(
        Filters=[{"Key": "tag-key", "Values": ["rotation:due-at"]}], PaginationConfig={"PageSize": 100}
    )
    for page in pages:
        for secret in page.get("SecretList", []):
            tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
            if tags.get("managed-by") != "pulumi" or tags.get("twitter:stack") != stack:
                continue
            try:
                due = date.fromisoformat(tags["rotation:due-at"])
            except (KeyError, ValueError):
                logger.warning("%s: no readable rotation:due-at tag; skipped", secret.get("Name"))
                continue
            label = f"{tags.get('twitter:project', '?')}/{tags.get('twitter:app', '?')}"
            if tags.get("twitter:account"):
                # One of an App's several accounts: its own secret, metric and alarm.
                label += f"/{tags['twitter:account']}"
            environment = tags.get("twitter:environment", "?")
            found.append(
                DueApp(
                    label, tags.get("owner", "unknown"), due, (due - today).days, secret["ARN"], environment
                )
            )
    return sorted(found, key=lambda a: (a.days_left, a.label))


def message(app: DueApp) -> tuple[str, str]:
    """Subject and body: who, what, when, and the steps to rotate."""
    environment = app.environment
    when = (
        f"overdue by {-app.days_left} day{'s' if app.days_left != -1 else ''}"
        if app.days_left < 0
        else "due today"
        if app.days_left == 0
        else f"due in {app.days_left} day{'s' if app.days_left != 1 else ''}"
    )
    subject = f"X keys of {app.label} ({environment}) {when}"[:SUBJECT_MAX]
    project, name, *account = app.label.split("/", 2)
    app_label = f"{project}/{name}"
    path = 'twitter-secrets:credentials["{label}"].<field>'
    if account:
        # An account of an App with several: its token pair is its own, the API Key pair the App's.
        steps = [
            f"1. Get a new Access Token pair for the account {account[0]}: twitter-secrets authorize --app "
            f"{app.label} --stack <stack> (the account holder approves it), or regenerate it in the developer portal "
            f"if {account[0]} is the App owner's account.",
            "2. If you also regenerated the App's API Key and Secret, store them once for every account:",
            "   pulumi config set --secret --path '" + path.format(label=app_label) + "'",
            f"3. Set issued_at of the account (accounts.{account[0]}.issued_at under {app_label}) in the stack file "
            "to today's date, then run: pulumi up",
        ]
    else:
        steps = [
            f"1. Developer portal > Projects & Apps > {project} > {name} > Keys and tokens: regenerate the "
            "API Key and Secret and/or the Access Token and Secret.",
            "2. Store each new value as a secret (paste it at the prompt):",
            "   pulumi config set --secret --path '" + path.format(label=app.label) + "'",
            f"3. Set issued_at of {app.label} in the stack file to today's date, then run: pulumi up",
        ]
    body = "\n".join(
        [
            f"The X (Twitter) keys of {app.label} in {environment} are {when} for rotation.",
            "",
            f"App:         {app.label}",
            f"Owner:       {app.owner}",
            f"Due:         {app.due_at.isoformat()}",
            f"Secret:      {app.arn}",
            "",
            "To rotate:",
            *steps,
        ]
    )
    return subject, body


def run(
    secrets: Any,
    sns: Any,
    cloudwatch: Any,
    *,
    topic_arn: str,
    stack: str,
    warn_days: int,
    namespace: str,
    today: date,
) -> dict[str, Any]:
    found = apps(secrets, stack, today)
    reminded = []
    for app in found:
        if app.days_left <= warn_days:
            subject, body = message(app)
            sns.publish(TopicArn=topic_arn, Subject=subject, Message=body)
            reminded.append(app.label)
    data = [
        {
            "MetricName": METRIC_NAME,
            "Dimensions": [
                {"Name": "Environment", "Value": a.environment},
                {"Name": "App", "Value": a.label},
            ],
            "Value": float(a.days_left),
            "Unit": "Count",
        }
        for a in found
    ]
    for start in range(0, len(data), METRIC_BATCH):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + METRIC_BATCH])
    logger.info("checked %d apps of %s; reminded %d", len(found), stack, len(reminded))
    return {"stack": stack, "checked": len(found), "reminded": reminded, "datapoints": len(data)}
