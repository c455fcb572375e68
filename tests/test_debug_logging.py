"""With every logger at DEBUG, as AWS_LAMBDA_LOG_LEVEL=DEBUG makes it, no record carries a key.

oauthlib, requests_oauthlib, urllib3 and botocore log keys, tokens and whole secret values at
DEBUG; the rotation handler, the verification provider, the CLI and the loader keep them at
WARNING. This runs a full rotation, a verify and a load with the root logger at DEBUG and reads
every record, formatted, for any 10-character fragment of any key or token.
"""

from __future__ import annotations

import logging
import uuid

import pytest

from rotation import handler
from tests.aws_server import aws_env
from tests.canaries import canary_credentials, fragments
from twitter_runtime import canonical_payload, load_credentials
from twitter_runtime.logs import NOISY
from twitter_runtime.xapi import XApiClient

CREDS = canary_credentials("brand-monitoring/debuglog", user_id="5566778899")


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_root():
    root = logging.getLogger()
    saved = root.level
    capture = Everything()
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    root.setLevel(saved)


def test_the_noisy_libraries_stay_at_warning():
    for name in NOISY:
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name


def test_a_full_rotation_a_verify_and_a_load_at_debug_log_no_key(
    debug_root, aws, moto_url, fake_x, monkeypatch
):
    for key, value in {**aws_env(moto_url), "X_API_BASE_URL": fake_x.url}.items():
        monkeypatch.setenv(key, value)
    sm = aws("secretsmanager")
    fake_x.add_credentials(CREDS)
    main_arn = sm.create_secret(Name="twitter/dev/b/debuglog", SecretString=canonical_payload(CREDS))["ARN"]
    first = XApiClient(fake_x.url).issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    bearer_arn = sm.create_secret(
        Name="twitter/dev/b/debuglog/bearer", SecretString=f'{{"bearer_token": "{first}"}}'
    )["ARN"]
    monkeypatch.setenv("CREDENTIALS_SECRET_ARN", main_arn)
    token = str(uuid.uuid4())
    try:
        sm.rotate_secret(
            SecretId=bearer_arn,
            ClientRequestToken=token,
            RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:none",
            RotationRules={"AutomaticallyAfterDays": 30},
        )
    except Exception:
        pass
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        handler.lambda_handler({"SecretId": bearer_arn, "ClientRequestToken": token, "Step": step}, None)
    second = fake_x.current_bearer(CREDS["consumer_key"])
    assert second != first  # the rotation ran

    from components.verification import CredentialsVerifier

    CredentialsVerifier().create({**CREDS, "fingerprint": "0" * 16, "api_base_url": fake_x.url})
    assert load_credentials(main_arn).consumer_key == CREDS["consumer_key"]

    assert len(debug_root.records) >= 10  # DEBUG was on: the handler's own lines were all recorded
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in debug_root.records)
    secrets = [*CREDS.values(), first, second]
    assert [f for value in secrets for f in fragments(value.split("-", 1)[-1]) if f in text] == []
    assert not [
        r
        for r in debug_root.records
        if r.name.split(".")[0] in {n.split(".")[0] for n in NOISY} and r.levelno < logging.WARNING
    ]


def test_control_without_the_guard_the_libraries_do_log_keys(debug_root, fake_x):
    """Proves the scan above can fail: let oauthlib log at DEBUG and the signature base string shows up."""
    from components.verification import CredentialsVerifier

    fake_x.add_credentials(CREDS)
    oauth = logging.getLogger("oauthlib")
    oauth.setLevel(logging.DEBUG)
    try:
        CredentialsVerifier().create({**CREDS, "fingerprint": "0" * 16, "api_base_url": fake_x.url})
    finally:
        oauth.setLevel(logging.WARNING)
    text = "\n".join(r.getMessage() for r in debug_root.records)
    assert [f for f in fragments(CREDS["consumer_key"]) if f in text]
