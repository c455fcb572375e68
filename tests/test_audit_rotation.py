"""audit --live reports bearer-token rotations that failed, are stuck or are late (issue 22, item 2).

Against moto's server where moto can produce the state: ``rotate_secret`` without a Lambda
records a rotation (LastRotatedDate, NextRotationDate, AWSCURRENT on a new version), and
``put_secret_value`` with ``VersionStages=["AWSPENDING"]`` leaves a pending version. ``--as-of``
moves the audit's clock, so "later" needs no waiting. moto always sets LastRotatedDate when
rotation is turned on, so "enabled but never rotated" and "LastRotatedDate past its rule while
NextRotationDate says nothing" are DescribeSecret answers given through botocore's Stubber.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.aws_server import aws_env
from tests.canaries import canary_credentials, found_fragments
from twitter_runtime import canonical_payload, fingerprint

ROOT = Path(__file__).resolve().parents[1]
CREDS = canary_credentials("rotation/app", user_id="7070")
BEARER = "CnryBT" + "b7Q" * 30
TODAY = datetime.now(UTC).date()


@pytest.fixture
def deployed(aws) -> dict[str, Any]:
    """An app's secret and its bearer secret, rotated every 30 days, as the stack outputs name them."""
    sm = aws("secretsmanager")
    value = canonical_payload(CREDS)
    created = sm.create_secret(
        Name="twitter/dev/rotation/app",
        SecretString=value,
        Tags=[{"Key": "credentials:fingerprint", "Value": fingerprint(value)}],
    )
    bearer = sm.create_secret(
        Name="twitter/dev/rotation/app/bearer", SecretString=json.dumps({"bearer_token": BEARER})
    )["ARN"]
    entry = {
        "arn": created["ARN"],
        "versionId": created["VersionId"],
        "fingerprint": fingerprint(value),
        "owner": "team",
        "environment": "dev",
        "issuedAt": TODAY.isoformat(),
        "rotationDueAt": (TODAY + timedelta(days=1000)).isoformat(),
        "bearerSecretArn": bearer,
    }
    return {"sm": sm, "entry": entry, "bearer": bearer}


def rotate_every_30_days(sm: Any, arn: str) -> None:
    sm.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30})


def audit(moto_url: str, entry: dict[str, Any], days_later: int) -> tuple[int, list[str], str]:
    """Exit status, the app's drift lines, and all the output, as of ``days_later`` days from today."""
    as_of = (TODAY + timedelta(days=days_later)).isoformat()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twitter_secrets_cli",
            "audit",
            "-",
            "--live",
            "--format",
            "json",
            "--as-of",
            as_of,
        ],
        input=json.dumps({"twitterApps": {"rotation/app": entry}}),
        capture_output=True,
        text=True,
        env={**os.environ, **aws_env(moto_url)},
        cwd=ROOT,
        timeout=120,
    )
    assert done.stderr == "" and "Traceback" not in done.stdout
    output = done.stdout + done.stderr
    assert found_fragments(output, [*CREDS.values(), BEARER]) == []
    (row,) = json.loads(done.stdout)
    assert row["status"] == ("drift" if row["drift"] else "ok")
    return done.returncode, row["drift"], output


def day(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def test_a_rotation_on_schedule_has_no_findings_and_a_late_one_is_overdue(deployed, moto_url):
    sm, bearer = deployed["sm"], deployed["bearer"]
    rotate_every_30_days(sm, bearer)
    described = sm.describe_secret(SecretId=bearer)
    last, due = day(described["LastRotatedDate"]), day(described["NextRotationDate"])
    assert (TODAY.isoformat(), (TODAY + timedelta(days=30)).isoformat()) == (last, due)

    assert audit(moto_url, deployed["entry"], 0)[:2] == (0, [])
    assert audit(moto_url, deployed["entry"], 29)[:2] == (0, [])
    assert audit(moto_url, deployed["entry"], 32)[:2] == (
        1,
        [f"bearer secret: the scheduled rotation is overdue (last rotated {last}, due {due})"],
    )


def test_a_pending_version_older_than_a_day_is_a_stuck_rotation_named_by_its_version(deployed, moto_url):
    sm, bearer = deployed["sm"], deployed["bearer"]
    rotate_every_30_days(sm, bearer)
    pending = str(uuid.uuid4())
    sm.put_secret_value(
        SecretId=bearer,
        SecretString=json.dumps({"bearer_token": BEARER + "2"}),
        ClientRequestToken=pending,
        VersionStages=["AWSPENDING"],
    )
    # A rotation in progress (its pending version is minutes old) is no finding.
    assert audit(moto_url, deployed["entry"], 0)[:2] == (0, [])
    assert audit(moto_url, deployed["entry"], 2)[:2] == (
        1,
        [
            f"bearer secret: a rotation failed or is stuck: version {pending}, created "
            f"{TODAY.isoformat()}, still holds AWSPENDING and not AWSCURRENT"
        ],
    )


def test_a_bearer_secret_that_does_not_rotate_is_drift(deployed, moto_url):
    """Pre-existing rule, checked against moto here: rotation off on a secret that should rotate."""
    assert audit(moto_url, deployed["entry"], 0)[:2] == (1, ["bearer secret: rotation is disabled"])


# --- states moto cannot produce: DescribeSecret answers through botocore's Stubber ------------

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/rotation/app/bearer-AbCdEf"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def stubbed_findings(described: dict[str, Any], versions: dict[str, datetime]) -> list[str]:
    """What the audit finds for this DescribeSecret and ListSecretVersionIds answer."""
    from twitter_secrets_cli.audit import bearer_drift, describe

    client = boto3.client(
        "secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "describe_secret",
            {"ARN": ARN, "Name": "twitter/dev/rotation/app/bearer", **described},
            {"SecretId": ARN},
        )
        stub.add_response(
            "list_secret_version_ids",
            {"Versions": [{"VersionId": v, "CreatedDate": at} for v, at in versions.items()]},
            {"SecretId": ARN},
        )
        answer = describe(client, ARN)
        stub.assert_no_pending_responses()
    return bearer_drift(*answer, NOW)


V1 = "0b1e6f5a-8c1d-4a39-9e53-8f1f2b6d7c01"


def test_rotation_enabled_but_never_completed_is_overdue():
    enabled = NOW - timedelta(days=3)
    described = {
        "RotationEnabled": True,
        "RotationRules": {"AutomaticallyAfterDays": 30},
        "CreatedDate": enabled,
        "LastChangedDate": enabled,
        "VersionIdsToStages": {V1: ["AWSCURRENT"]},
    }
    assert stubbed_findings(described, {V1: enabled}) == [
        "bearer secret: rotation is enabled but has never completed (enabled on or before 2026-11-25)"
    ]
    # Enabled within the last day: the first rotation may still be under way.
    recent = {
        **described,
        "CreatedDate": NOW - timedelta(hours=5),
        "LastChangedDate": NOW - timedelta(hours=5),
    }
    assert stubbed_findings(recent, {V1: enabled}) == []


@pytest.mark.parametrize(
    "rules", [{"AutomaticallyAfterDays": 30}, {"ScheduleExpression": "rate(30 days)"}], ids=["days", "rate"]
)
def test_no_rotation_since_the_rule_said_plus_a_day_is_overdue(rules):
    """NextRotationDate can be absent (or moved on after a failure): LastRotatedDate and the rule decide."""
    last = NOW - timedelta(days=31, hours=1)
    described = {
        "RotationEnabled": True,
        "RotationRules": rules,
        "LastRotatedDate": last,
        "CreatedDate": NOW - timedelta(days=400),
        "VersionIdsToStages": {V1: ["AWSCURRENT"]},
    }
    assert stubbed_findings(described, {V1: last}) == [
        "bearer secret: the scheduled rotation is overdue (last rotated 2026-10-28, every 30 days)"
    ]
    # Within the day of grace after the rule's 30 days: no finding yet.
    on_time = {**described, "LastRotatedDate": NOW - timedelta(days=30, hours=23)}
    assert stubbed_findings(on_time, {V1: last}) == []
