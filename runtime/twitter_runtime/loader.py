"""Load an app's credentials from Secrets Manager at run time, with caching.

Caching is AWS's own ``aws-secretsmanager-caching``: it resolves AWSCURRENT
with DescribeSecret and caches each version by id, so a rotation is picked up
at the next refresh without re-reading unchanged values. This module adds the
per-call maximum age, the forced re-read after an HTTP 401 and errors that
name the ARN and the field but never a value.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from aws_secretsmanager_caching import SecretCache, SecretCacheConfig
from botocore.exceptions import BotoCoreError, ClientError

from .credentials import TwitterCredentials
from .errors import CredentialsUnavailableError, is_secret_id
from .keys import (
    ACCESS_LEVEL_FIELD,
    CREDENTIAL_FIELDS,
    access_level_problem,
    credential_problems,
    given_fields,
)
from .logs import keep_quiet

keep_quiet()  # their DEBUG records carry keys: see twitter_runtime.logs

DEFAULT_MAX_AGE_SECONDS = 300
CURRENT = "AWSCURRENT"

#: A cache lives at most this long (AWS's own SDK caches refresh within an hour by default).
MAX_AGE_LIMIT_SECONDS = 24 * 3600
#: Caches kept at once, least recently used dropped first: a service that makes a new client per call
#: must not grow without bound.
MAX_CACHES = 16

_lock = threading.Lock()
_default_client: Any = None
# (id(client), max age) -> (client, cache), most recently used last. The client is kept so its id stays unique.
_caches: OrderedDict[tuple[int, int], tuple[Any, SecretCache]] = OrderedDict()

_ERROR_HINTS = {
    "ResourceNotFoundException": "no such secret (or no AWSCURRENT version); check the ARN and the region",
    "InvalidRequestException": (
        "the secret cannot be read, most likely because it is scheduled for deletion; "
        "restore it with 'aws secretsmanager restore-secret'"
    ),
    "AccessDeniedException": (
        "access denied; attach the app's read policy (readPolicyArns) to this service's role"
    ),
    "DecryptionFailure": "Secrets Manager could not decrypt the value; grant kms:Decrypt on the secret's KMS key",
}


def _client_or_default(client: Any) -> Any:
    global _default_client
    if client is not None:
        return client
    with _lock:
        if _default_client is None:
            _default_client = boto3.client("secretsmanager")
        return _default_client


def _cache(client: Any, max_age_seconds: int) -> SecretCache:
    if (
        isinstance(max_age_seconds, bool)
        or not isinstance(max_age_seconds, int)
        or not 0 <= max_age_seconds <= MAX_AGE_LIMIT_SECONDS
    ):
        raise ValueError(
            f"max_age_seconds must be a whole number of seconds from 0 to {MAX_AGE_LIMIT_SECONDS} (a day): "
            "keys that change must be seen within a day"
        )
    client = _client_or_default(client)
    key = (id(client), max_age_seconds)
    with _lock:
        if key in _caches:
            _caches.move_to_end(key)
        else:
            config = SecretCacheConfig(secret_refresh_interval=max_age_seconds, default_version_stage=CURRENT)
            _caches[key] = (client, SecretCache(config=config, client=client))
            while len(_caches) > MAX_CACHES:
                _caches.popitem(last=False)
        return _caches[key][1]


def _check_id(secret_arn: str) -> None:
    """Before anything is sent: an id that could be a key is never passed to AWS (CloudTrail logs it)."""
    if not is_secret_id(secret_arn):
        raise CredentialsUnavailableError(
            secret_arn,
            "is not a secret ARN or name: is the variable holding the secret's value instead of its ARN?",
        )


def _refreshed(client: Any, max_age_seconds: int, secret_arn: str) -> SecretCache:
    """The cache, after forcing a re-read of one secret (the library sleeps a little jitter first)."""
    _check_id(secret_arn)
    cache = _cache(client, max_age_seconds)
    try:
        cache.refresh_secret_now(secret_arn)
    except ClientError:
        pass  # the read that follows reports the error with the ARN and a hint
    return cache


def parse_credentials(secret_arn: str, value: str | None) -> TwitterCredentials:
    """Check a secret's value and turn it into credentials; errors name fields only."""
    if value is None:
        raise CredentialsUnavailableError(
            secret_arn, "holds no string value (binary, or no AWSCURRENT version)"
        )
    try:
        data = json.loads(value)
    except ValueError:
        raise CredentialsUnavailableError(secret_arn, "does not hold JSON") from None
    if not isinstance(data, dict):
        raise CredentialsUnavailableError(secret_arn, "holds JSON that is not an object of the four keys")
    missing = [f for f in CREDENTIAL_FIELDS if f not in data]
    if missing:
        raise CredentialsUnavailableError(secret_arn, f"has no {', '.join(missing)} field", field=missing[0])
    # Unknown fields are ignored so that later versions of the writer can add some.
    keys = {f: data[f] for f in given_fields(data)}
    problems = credential_problems(keys)
    level = data.get(ACCESS_LEVEL_FIELD)
    level_problem = access_level_problem(level)
    if level_problem:
        problems.append(level_problem)
    if problems:
        raise CredentialsUnavailableError(secret_arn, "; ".join(problems), field=problems[0].split(" ")[0])
    return TwitterCredentials(**keys, access_level=level, source=secret_arn)


def _read_string(cache: SecretCache, secret_arn: str) -> str | None:
    _check_id(secret_arn)
    try:
        return cache.get_secret_string(secret_arn, version_stage=CURRENT)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        hint = _ERROR_HINTS.get(code, "Secrets Manager refused the request")
        raise CredentialsUnavailableError(secret_arn, f"{hint} ({code})") from None
    except BotoCoreError as error:
        raise CredentialsUnavailableError(secret_arn, aws_unreachable_reason(error)) from None


#: What to do when boto3 finds no credentials: every place it looks, in the order it looks.
NO_AWS_CREDENTIALS = (
    "no AWS credentials were found: set AWS_PROFILE (after aws configure or aws sso login), or "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them (CI OIDC, an instance "
    "or task role)"
)


def aws_unreachable_reason(error: BaseException) -> str:
    """Why boto3 could not ask AWS, in words that say what to do; never the network for missing credentials."""
    from botocore.exceptions import NoCredentialsError, NoRegionError, PartialCredentialsError

    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return NO_AWS_CREDENTIALS
    if isinstance(error, NoRegionError):
        return "no AWS region is set: set AWS_REGION (or a region in your AWS profile)"
    return f"Secrets Manager could not be reached ({type(error).__name__}); check the network"


def _read(cache: SecretCache, secret_arn: str) -> TwitterCredentials:
    return parse_credentials(secret_arn, _read_string(cache, secret_arn))


def in_region(secret_arn: str, region: str) -> str:
    """The ARN of the secret's replica in ``region``: a replica keeps the name and suffix."""
    parts = secret_arn.split(":")
    if len(parts) < 7 or parts[2] != "secretsmanager":
        raise CredentialsUnavailableError(
            secret_arn, "is not a Secrets Manager ARN, so it has no replica ARN"
        )
    parts[3] = region
    return ":".join(parts)


_regional: dict[str, Any] = {}


def _regional_client(region: str) -> Any:
    with _lock:
        if region not in _regional:
            _regional[region] = boto3.client("secretsmanager", region_name=region)
        return _regional[region]


def load_bearer_token(
    secret_arn: str,
    *,
    client: Any = None,
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
    refresh: bool = False,
    region: str | None = None,
) -> str:
    """The app-only bearer token from a ``{name}/bearer`` secret that rotation keeps current.

    Pass ``refresh=True`` after X answered 401: the token was probably just rotated. With
    ``region`` (a replica region of the secret) it is read from the replica there, with a
    client in that region unless one is given.
    """
    if region is not None:
        secret_arn = in_region(secret_arn, region)
        if client is None:
            client = _regional_client(region)
    cache = _refreshed(client, max_age_seconds, secret_arn) if refresh else _cache(client, max_age_seconds)
    value = _read_string(cache, secret_arn)
    try:
        token = json.loads(value or "").get("bearer_token")
    except (ValueError, AttributeError):
        raise CredentialsUnavailableError(
            secret_arn, "does not hold a JSON object with bearer_token"
        ) from None
    if not isinstance(token, str) or not token:
        raise CredentialsUnavailableError(
            secret_arn, "holds no bearer_token yet (the first rotation fills it)", field="bearer_token"
        )
    return token


def load_credentials(
    secret_arn: str, *, client: Any = None, max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS
) -> TwitterCredentials:
    """The app's current keys, read at most once per ``max_age_seconds`` per ARN."""
    return _read(_cache(client, max_age_seconds), secret_arn)


def refresh_credentials(
    secret_arn: str, *, client: Any = None, max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS
) -> TwitterCredentials:
    """Re-read now, e.g. after X answered 401: the keys may have just been rotated.

    The cache library waits a few seconds of jitter first, so a fleet that all
    saw the same 401 does not hit Secrets Manager at once.
    """
    return _read(_refreshed(client, max_age_seconds, secret_arn), secret_arn)


Response = TypeVar("Response")


def call_with_refresh(
    secret_arn: str,
    request: Callable[[TwitterCredentials], Response],
    *,
    client: Any = None,
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
) -> Response:
    """Call ``request(creds)``; on HTTP 401, re-read the secret once and call again.

    A 401 most likely means the keys were rotated since they were cached. It
    counts whether ``request`` returns it or raises it: tweepy raises
    ``Unauthorized`` and ``raise_for_status`` raises ``HTTPError``, so a
    service using either must get the same re-read. Any other error is not a
    sign of new keys and propagates untouched, with no read.

    Only once: a second 401 means the stored keys are wrong, which retrying
    cannot fix; it propagates as it came (returned or raised, not chained to
    the first).
    """
    try:
        response = request(load_credentials(secret_arn, client=client, max_age_seconds=max_age_seconds))
    except Exception as error:
        if not _is_401(error):
            raise
    else:
        if not _is_401(response):
            return response
    # Outside the except block, so a second error is not chained to the first.
    return request(refresh_credentials(secret_arn, client=client, max_age_seconds=max_age_seconds))


def _is_401(answer: object) -> bool:
    """A response with status 401, or an error that carries one (duck typed, so neither tweepy nor
    requests is imported: both ``tweepy.errors.HTTPException`` and ``requests.HTTPError`` keep
    the response in ``.response``)."""
    if isinstance(answer, BaseException):
        answer = getattr(answer, "response", None)
    return getattr(answer, "status_code", None) == 401
