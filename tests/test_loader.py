"""The runtime loader against moto's Secrets Manager over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.canaries import canary_credentials, fragments
from twitter_runtime import (
    CredentialsUnavailableError,
    TwitterCredentials,
    call_with_refresh,
    load_credentials,
    refresh_credentials,
)
from twitter_runtime.keys import canonical_payload
from twitter_runtime.loader import parse_credentials

CREDS = canary_credentials("svc/app")


def put_secret(aws, name: str, value) -> str:
    sm = aws("secretsmanager")
    text = value if isinstance(value, str) else json.dumps(value)
    return sm.create_secret(Name=name, SecretString=text)["ARN"]


def test_loads_the_four_values(aws):
    arn = put_secret(aws, "twitter/dev/svc/app", {**CREDS, "later_field": "ignored"})
    creds = load_credentials(arn, client=aws("secretsmanager"))
    assert creds.as_dict() == CREDS
    assert creds.source == arn
    assert creds.user_id == "9988776655"


def test_repr_and_str_show_fingerprint_never_values(aws):
    creds = TwitterCredentials(**CREDS, source="arn:x")
    text = repr(creds) + str(creds) + f"{creds}" + repr([creds])
    assert creds.fingerprint in text
    for value in CREDS.values():
        for piece in fragments(value):
            assert piece not in text


def test_frozen(aws):
    creds = TwitterCredentials(**CREDS)
    with pytest.raises(AttributeError):
        creds.consumer_key = "x"  # type: ignore[misc]


def test_oauth1_and_session_sign_with_these_keys():
    creds = TwitterCredentials(**CREDS)
    auth = creds.oauth1()
    assert auth.client.client_key == CREDS["consumer_key"]
    assert auth.client.resource_owner_key == CREDS["access_token"]
    assert auth.client.signature_method == "HMAC-SHA1"
    session = creds.session()
    assert session.auth.client.client_secret == CREDS["consumer_secret"]
    assert session.auth.client.resource_owner_secret == CREDS["access_token_secret"]


def test_cached_within_max_age_and_current_after_rotation(aws):
    sm = aws("secretsmanager")
    arn = put_secret(aws, "twitter/dev/svc/cache", CREDS)
    first = load_credentials(arn, client=sm, max_age_seconds=600)
    rotated = {**CREDS, "access_token_secret": CREDS["access_token_secret"][::-1]}
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(rotated))
    # Within max age the cached value is served (no new read).
    assert load_credentials(arn, client=sm, max_age_seconds=600) == first
    # With max age 0 every call reads AWSCURRENT.
    assert load_credentials(arn, client=sm, max_age_seconds=0).as_dict() == rotated


def test_refresh_rereads_after_rotation(aws):
    sm = aws("secretsmanager")
    arn = put_secret(aws, "twitter/dev/svc/refresh", CREDS)
    assert load_credentials(arn, client=sm, max_age_seconds=3600).as_dict() == CREDS
    rotated = {**CREDS, "consumer_secret": CREDS["consumer_secret"][::-1]}
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(rotated))
    assert refresh_credentials(arn, client=sm, max_age_seconds=3600).as_dict() == rotated
    assert load_credentials(arn, client=sm, max_age_seconds=3600).as_dict() == rotated


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def test_call_with_refresh_retries_once_on_401_with_new_keys(aws):
    sm = aws("secretsmanager")
    arn = put_secret(aws, "twitter/dev/svc/retry", CREDS)
    rotated = {**CREDS, "access_token_secret": CREDS["access_token_secret"][::-1]}
    load_credentials(arn, client=sm, max_age_seconds=3600)  # warm the cache with the old keys
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(rotated))
    seen: list[str] = []

    def request(creds: TwitterCredentials) -> _Response:
        seen.append(creds.access_token_secret)
        return _Response(200 if creds.access_token_secret == rotated["access_token_secret"] else 401)

    assert call_with_refresh(arn, request, client=sm, max_age_seconds=3600).status_code == 200
    assert seen == [CREDS["access_token_secret"], rotated["access_token_secret"]]


def test_call_with_refresh_gives_up_after_one_retry(aws):
    sm = aws("secretsmanager")
    arn = put_secret(aws, "twitter/dev/svc/wrong", CREDS)
    calls = []
    result = call_with_refresh(arn, lambda c: calls.append(c) or _Response(401), client=sm, max_age_seconds=0)
    assert result.status_code == 401 and len(calls) == 2


def test_missing_secret(aws):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/none-AbCdEf"
    with pytest.raises(CredentialsUnavailableError) as caught:
        load_credentials(arn, client=aws("secretsmanager"), max_age_seconds=0)
    assert (
        str(caught.value)
        == f"{arn}: no such secret (or no AWSCURRENT version); check the ARN and the region (ResourceNotFoundException)"
    )


def test_deleted_secret(aws):
    sm = aws("secretsmanager")
    arn = put_secret(aws, "twitter/dev/svc/deleted", CREDS)
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    with pytest.raises(CredentialsUnavailableError, match="scheduled for deletion; restore it"):
        load_credentials(arn, client=sm, max_age_seconds=0)


@pytest.mark.parametrize(
    ("value", "reason", "field"),
    [
        ("not json at all " + CREDS["consumer_secret"], "does not hold JSON", None),
        (json.dumps([CREDS["consumer_key"]]), "holds JSON that is not an object", None),
        (
            json.dumps({k: v for k, v in CREDS.items() if k != "access_token"}),
            "has no access_token field",
            "access_token",
        ),
        (
            json.dumps({**CREDS, "consumer_key": CREDS["consumer_key"] + "\n"}),
            "consumer_key has leading or trailing",
            "consumer_key",
        ),
    ],
)
def test_bad_values_name_arn_and_field_never_the_value(aws, value, reason, field):
    arn = put_secret(aws, "twitter/dev/svc/bad", value)
    with pytest.raises(CredentialsUnavailableError) as caught:
        load_credentials(arn, client=aws("secretsmanager"), max_age_seconds=0)
    error = caught.value
    assert str(error).startswith(f"{arn}: ") and reason in str(error)
    assert error.field == field and error.secret_arn == arn
    import traceback

    shown = "".join(traceback.format_exception(error)) + repr(error)
    for secret in CREDS.values():
        for piece in fragments(secret):
            assert piece not in shown


def test_binary_secret_is_refused():
    with pytest.raises(CredentialsUnavailableError, match="holds no string value"):
        parse_credentials("arn:x", None)


def test_runtime_package_does_not_import_pulumi():
    code = "import sys, twitter_runtime; assert not [m for m in sys.modules if m.split('.')[0] == 'pulumi'], 'pulumi'"
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1])
    )


def test_a_variable_holding_the_value_instead_of_the_arn_is_not_printed():
    value = canonical_payload(CREDS)  # what an ECS `secrets` entry without :field:: injects
    with pytest.raises(CredentialsUnavailableError) as caught:
        load_credentials(value, client=object())
    message = str(caught.value)
    assert (
        "is not a secret ARN or name: is the variable holding the secret's value instead of its ARN?"
        in message
    )
    assert "not shown" in message
    assert not [
        f for v in CREDS.values() for f in fragments(v.split("-", 1)[-1]) if f in message + repr(caught.value)
    ]


def test_one_cache_per_client_is_bounded(aws, moto_url):
    import boto3

    from twitter_runtime import loader

    arn = put_secret(aws, "twitter/dev/svc/bounded", CREDS)
    for _ in range(60):  # a service that makes a new client per request
        fresh = boto3.client(
            "secretsmanager",
            endpoint_url=moto_url,
            region_name="us-east-1",
            aws_access_key_id="t",
            aws_secret_access_key="t",
        )
        assert load_credentials(arn, client=fresh).consumer_key == CREDS["consumer_key"]
    assert len(loader._caches) <= loader.MAX_CACHES


def test_an_unreachable_secrets_manager_names_the_arn():
    import boto3
    from botocore.config import Config

    dead = boto3.client(
        "secretsmanager",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/svc/gone-AbCdEf"
    with pytest.raises(
        CredentialsUnavailableError,
        match=r"twitter/dev/svc/gone-AbCdEf: Secrets Manager could not be reached \(EndpointConnectionError\)",
    ):
        load_credentials(arn, client=dead)


@pytest.mark.parametrize("age", [10**12, -1, 1.5, True])
def test_an_absurd_cache_age_is_refused_clearly(age):
    with pytest.raises(
        ValueError, match=r"max_age_seconds must be a whole number of seconds from 0 to 86400"
    ):
        load_credentials(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:a/b-AbCdEf",
            client=object(),
            max_age_seconds=age,
        )


def test_a_consumer_in_a_replica_region_reads_the_bearer_there(moto_url, monkeypatch):
    import boto3

    from tests.aws_server import aws_env
    from twitter_runtime import load_bearer_token
    from twitter_runtime.loader import in_region

    for key, value in aws_env(moto_url).items():
        monkeypatch.setenv(key, value)
    east = boto3.client("secretsmanager", region_name="us-east-1")
    arn = east.create_secret(
        Name="twitter/dev/svc/app/bearer",
        SecretString=json.dumps({"bearer_token": "AAAA" + "r" * 40}),
        AddReplicaRegions=[{"Region": "eu-west-1"}],
    )["ARN"]
    replica = in_region(arn, "eu-west-1")
    assert replica == arn.replace(":us-east-1:", ":eu-west-1:")
    assert load_bearer_token(arn, region="eu-west-1", max_age_seconds=0) == "AAAA" + "r" * 40


@pytest.mark.parametrize(
    "given",
    ["AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0/uSeid+ULvsea0123456789", "CnryCKabcdefghij0123456789", '{"a": "b"}'],
)
def test_an_id_that_could_be_a_key_is_never_sent_to_aws_nor_printed(given):
    from twitter_runtime import load_bearer_token

    # client=object(): any call to AWS would fail with AttributeError, not this error.
    for load in (
        lambda: load_credentials(given, client=object()),
        lambda: refresh_credentials(given, client=object()),
        lambda: load_bearer_token(given, client=object(), refresh=True),
    ):
        with pytest.raises(CredentialsUnavailableError) as caught:
            load()
        text = str(caught.value) + repr(caught.value)
        assert "not shown" in text
        assert not [given[i : i + 10] for i in range(len(given) - 9) if given[i : i + 10] in text]
