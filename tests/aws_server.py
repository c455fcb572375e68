"""moto's standalone server on 127.0.0.1, so boto3 speaks real HTTP in tests."""

from __future__ import annotations

import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from twitter_secrets_cli.local_aws import moto_server  # noqa: F401 - the tests start it from here

REGION = "us-east-1"
# Fail fast: a retry would hide a server error the test should see.
CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def reset(url: str) -> None:
    """Forget every resource, so tests do not see each other's."""
    request = urllib.request.Request(url + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def client(url: str, service: str, region: str = REGION) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=region, config=CLIENT_CONFIG, **CREDENTIALS)


def aws_env(url: str) -> dict[str, str]:
    """Environment that points boto3's default session (as a service or Lambda uses it) at moto."""
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "1",
    }
