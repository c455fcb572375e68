"""Secrets in two regions, read from a shell whose default region is the other one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.aws_server import CLIENT_CONFIG, CREDENTIALS, aws_env, reset
from tests.canaries import canary_credentials, fragments
from twitter_runtime import canonical_payload, fingerprint
from twitter_secrets_cli.regions import region_of

ROOT = Path(__file__).resolve().parents[1]
APPS = {"east/app": "us-east-1", "west/app": "us-west-2"}
CREDS = {label: canary_credentials(label, user_id=str(3100 + i)) for i, label in enumerate(APPS)}


@pytest.fixture
def two_regions(moto_url):
    reset(moto_url)
    arns = {}
    for label, region in APPS.items():
        sm = boto3.client(
            "secretsmanager", endpoint_url=moto_url, region_name=region, config=CLIENT_CONFIG, **CREDENTIALS
        )
        value = canonical_payload(CREDS[label])
        arns[label] = sm.create_secret(
            Name=f"twitter/dev/{label}",
            SecretString=value,
            Tags=[{"Key": "credentials:fingerprint", "Value": fingerprint(value)}],
        )["ARN"]
    return arns


def cli(*argv, moto_url, stdin=None, **extra):
    # The shell's default region is us-east-1: the us-west-2 secret must still be found.
    env = {**os.environ, **aws_env(moto_url), "AWS_DEFAULT_REGION": "us-east-1", **extra}
    return subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", *argv],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_region_of_an_arn():
    assert region_of("arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-xyz") == "eu-west-1"
    assert region_of("not-an-arn") is None


def test_audit_live_reads_each_secret_in_its_own_region(two_regions, moto_url):
    apps = {
        label: {
            "arn": arn,
            "fingerprint": fingerprint(canonical_payload(CREDS[label])),
            "owner": "team",
            "environment": "dev",
            "issuedAt": "2026-09-01",
            "rotationIntervalDays": 90,
            "rotationDueAt": "2026-11-30",
        }
        for label, arn in two_regions.items()
    }
    outputs = json.dumps({"twitterApps": apps, "secretArns": two_regions})
    done = cli(
        "audit", "-", "--live", "--as-of", "2026-10-01", "--format", "json", moto_url=moto_url, stdin=outputs
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["app"]: r for r in json.loads(done.stdout)}
    assert {label: (r["status"], r["drift"]) for label, r in rows.items()} == {
        "east/app": ("ok", []),
        "west/app": ("ok", []),
    }


def test_audit_live_still_finds_a_missing_secret(two_regions, moto_url):
    boto3.client(
        "secretsmanager", endpoint_url=moto_url, region_name="us-west-2", config=CLIENT_CONFIG, **CREDENTIALS
    ).delete_secret(SecretId=two_regions["west/app"], ForceDeleteWithoutRecovery=True)
    apps = {
        label: {
            "arn": arn,
            "fingerprint": "x",
            "owner": "t",
            "environment": "dev",
            "issuedAt": "2026-09-01",
            "rotationIntervalDays": 90,
            "rotationDueAt": "2026-11-30",
        }
        for label, arn in two_regions.items()
    }
    done = cli(
        "audit",
        "-",
        "--live",
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
        moto_url=moto_url,
        stdin=json.dumps({"twitterApps": apps}),
    )
    rows = {r["app"]: r["drift"] for r in json.loads(done.stdout)}
    assert rows["west/app"] == ["secret is missing"]
    assert "secret is missing" not in rows["east/app"]


def test_verify_reads_each_secret_in_its_own_region(two_regions, moto_url, fake_x):
    for label, creds in CREDS.items():
        fake_x.add_credentials(creds, username=label.replace("/", ""))
    done = cli(
        "verify", *two_regions.values(), "--format", "json", moto_url=moto_url, X_API_BASE_URL=fake_x.url
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert {r["app"]: r["result"] for r in json.loads(done.stdout)} == {"east/app": "ok", "west/app": "ok"}
    assert not [
        f
        for c in CREDS.values()
        for v in c.values()
        for f in fragments(v.split("-", 1)[-1])
        if f in done.stdout
    ]


@pytest.mark.parametrize(
    ("argument", "shown"),
    [
        ("twitter/dev/east/app", "'twitter/dev/east/app' is not a Secrets Manager ARN"),
        ("AbCdEf0123456789xyz", "argument #1 is not a Secrets Manager ARN"),
        ('{"consumer_key": "AbCdEf0123456789xyzQRS", "consumer_secret": "x"}', "argument #1 is not"),
        ("AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2FuSeid%2BULvsea0123456789", "argument #1 is not"),
        ("AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0/uSeid+ULvsea0123456789", "argument #1 is not"),
    ],
)
def test_verify_names_a_non_arn_argument(moto_url, argument, shown):
    done = cli("verify", argument, moto_url=moto_url)
    assert done.returncode == 2
    assert shown in done.stderr
    if "#" in shown:
        # It could be a key, a token or the secret's value pasted by mistake: never echoed, nor a part of it.
        assert not [
            argument[i : i + 10] for i in range(len(argument) - 9) if argument[i : i + 10] in done.stderr
        ]
