"""audit --live says who still reads a key: last read, unused, the value's age, and values changed outside Pulumi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.aws_server import aws_env
from tests.canaries import canary_credentials
from twitter_runtime import canonical_payload, fingerprint, load_credentials

ROOT = Path(__file__).resolve().parents[1]
CREDS = canary_credentials("usage/app", user_id="8080")
TODAY = datetime.now(UTC).date()


@pytest.fixture
def stored(aws):
    sm = aws("secretsmanager")
    value = canonical_payload(CREDS)
    created = sm.create_secret(
        Name="twitter/dev/usage/app",
        SecretString=value,
        Tags=[{"Key": "credentials:fingerprint", "Value": fingerprint(value)}],
    )
    entry = {
        "arn": created["ARN"],
        "versionId": created["VersionId"],
        "fingerprint": fingerprint(value),
        "owner": "team",
        "environment": "dev",
        "issuedAt": "2026-09-01",
        "rotationIntervalDays": 1000,
        "rotationDueAt": "2029-05-28",
    }
    return sm, entry


def audit(moto_url, entry, *extra):
    env = {**os.environ, **aws_env(moto_url)}
    return subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", "audit", "-", "--live", *extra],
        input=json.dumps({"twitterApps": {"usage/app": entry}}),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_a_fresh_value_is_ok_with_its_age(stored, moto_url, aws):
    sm, entry = stored
    assert load_credentials(entry["arn"], client=sm, max_age_seconds=0).consumer_key == CREDS["consumer_key"]
    done = audit(moto_url, entry, "--format", "json", "--as-of", TODAY.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = json.loads(done.stdout)
    # moto never records reads (its LastAccessedDate is always empty): last_read is unknown here.
    assert (row["status"], row["last_read"], row["value_age_days"], row["drift"]) == ("ok", None, 0, [])


def test_a_secret_nobody_read_for_the_unused_days_is_unused(stored, moto_url):
    _, entry = stored
    later = TODAY.replace(year=TODAY.year + 1)
    done = audit(moto_url, entry, "--format", "json", "--as-of", later.isoformat(), "--unused-days", "90")
    assert done.returncode == 0  # informational: exit codes as before
    (row,) = json.loads(done.stdout)
    assert row["status"] == "unused" and row["value_age_days"] == (later - TODAY).days
    kept = audit(moto_url, entry, "--format", "json", "--as-of", later.isoformat(), "--unused-days", "400")
    assert json.loads(kept.stdout)[0]["status"] == "ok"


@pytest.mark.parametrize(
    ("last_read", "expected_status"),
    [
        (datetime(2026, 11, 20, tzinfo=UTC), "ok"),
        (datetime(2026, 7, 1, tzinfo=UTC), "unused"),
        (None, "unused"),
    ],
)
def test_last_read_from_secrets_managers_last_accessed_date(last_read, expected_status):
    from twitter_secrets_cli.audit import AppStatus, usage

    status = AppStatus(
        "p/a",
        "",
        "dev",
        "t",
        "basic",
        "2026-09-01",
        "2029-01-01",
        900,
        "ok",
        "f",
        "arn",
        entry={"versionId": "v1"},
    )
    described = {  # DescribeSecret's shape, as AWS documents it
        "CreatedDate": datetime(2026, 1, 5, tzinfo=UTC),
        "LastAccessedDate": last_read,
        "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
        "_created": {"v1": datetime(2026, 9, 1, 10, tzinfo=UTC)},
    }
    assert usage(status, described, datetime(2026, 11, 29).date(), 90) == []
    assert status.status == expected_status
    assert status.last_read == (last_read.date().isoformat() if last_read else None)
    assert status.value_age_days == 89


def test_a_value_changed_outside_pulumi_is_flagged(stored, moto_url):
    sm, entry = stored
    sm.put_secret_value(
        SecretId=entry["arn"], SecretString=canonical_payload(canary_credentials("other/app"))
    )
    done = audit(moto_url, entry, "--format", "markdown", "--as-of", TODAY.isoformat())
    assert done.returncode == 1
    assert "| status |" not in done.stdout or "drift" in done.stdout
    assert (
        "drift: the value was changed outside Pulumi: AWSCURRENT is not the version the stack wrote"
        in done.stdout
    )
    assert "| last_read | value_age_days |" in done.stdout


def test_the_table_has_the_usage_columns(stored, moto_url):
    _, entry = stored
    done = audit(moto_url, entry, "--as-of", TODAY.isoformat())
    header = done.stdout.splitlines()[0].split()
    assert header[-3:] == ["last_read", "value_age_days", "arn"]


def _versions(previous_day, current_day):
    return {
        "VersionIdsToStages": {"v1": ["AWSPREVIOUS"], "v2": ["AWSCURRENT"]},
        "_created": {
            "v1": datetime(2026, *previous_day, 10, tzinfo=UTC),
            "v2": datetime(2026, *current_day, 10, tzinfo=UTC),
        },
    }


def test_new_keys_deployed_without_a_new_issued_at_are_flagged():
    from twitter_secrets_cli.audit import stale_issued_at

    # Keys of 2026-09-01, first written 09-03, replaced 11-20 with issued_at left as it was.
    (problem,) = stale_issued_at("2026-09-01", _versions((9, 3), (11, 20)))
    assert problem.startswith("the value was replaced on 2026-11-20, after issued_at 2026-09-01")
    assert "set issued_at to the day they were" in problem
    # The README's steps: issued_at set to the new keys' day, so the replacement is not after it.
    assert stale_issued_at("2026-11-20", _versions((9, 3), (11, 20))) == []
    # A first value written days after the keys were made is normal: nothing replaced after issued_at.
    assert (
        stale_issued_at(
            "2026-09-01",
            {
                "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
                "_created": {"v1": datetime(2026, 9, 5, tzinfo=UTC)},
            },
        )
        == []
    )
    # An older value replaced by the first deploy after issued_at: the old one predates the new keys.
    assert stale_issued_at("2026-09-01", _versions((8, 1), (9, 3))) == []


def test_a_replaced_value_is_a_note_not_drift():
    """The audit reads no value: a replacement may be only another access_level or a client id."""
    from twitter_secrets_cli.audit import AppStatus, usage

    status = AppStatus("p/a", "dev", "dev", "o", "basic", "2026-09-01", "2026-11-30", 5, "ok", "f", "arn")
    described = {"CreatedDate": datetime(2026, 9, 3, tzinfo=UTC), **_versions((9, 3), (11, 20))}
    assert usage(status, described, datetime(2026, 11, 25).date(), 90) == []  # no drift
    (note,) = status.notes
    assert note.startswith(
        "the value was replaced on 2026-11-20, after issued_at 2026-09-01: if that was new keys"
    )
