"""call_with_refresh with tweepy itself and with raise_for_status, against the fake X and moto's server.

tweepy raises ``Unauthorized`` instead of returning the 401, and ``raise_for_status`` raises
``HTTPError``: both must lead to the one re-read a returned 401 leads to. tweepy.Client always
calls https://api.twitter.com; a transport adapter on its session sends the request to the fake X
and says, in ``Host`` and ``X-Forwarded-Proto``, which URL tweepy signed, so the fake verifies
the OAuth 1.0a signature tweepy really computed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback

import pytest
import requests
import tweepy
from aws_secretsmanager_caching.cache.items import SecretCacheObject
from requests.adapters import HTTPAdapter

from tests.canaries import canary_credentials, found_fragments
from tests.fake_x import SERVER_ERROR, V2_FORBIDDEN, V2_TOO_MANY
from twitter_runtime import call_with_refresh, load_bearer_token, load_credentials
from twitter_runtime.keys import canonical_payload

USER_ID = "4455667788"
CREDS = canary_credentials("svc/tweepy", user_id=USER_ID)
NEW = canary_credentials("svc/tweepy-rotated", user_id=USER_ID)
#: The same App with a new Access Token pair, as after regenerating the token in the portal.
ROTATED = {**CREDS, "access_token": NEW["access_token"], "access_token_secret": NEW["access_token_secret"]}
TWEEPY_HOST = "https://api.twitter.com"
FOREVER = 3600  # a cache age no test outlives: every read after the first is a forced re-read


def _bearer(label: str) -> str:
    return "AAAAAAAAAAAAAAAAAAAAA" + "CnryBT" + hashlib.sha256(label.encode()).hexdigest()[:40]


OLD_BEARER, NEW_BEARER = _bearer("old"), _bearer("new")
KEYS = (*CREDS.values(), *ROTATED.values(), OLD_BEARER, NEW_BEARER)


class ToFakeX(HTTPAdapter):
    """Sends what tweepy addresses to https://api.twitter.com to the fake X, naming the signed URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request, *args, **kwargs):
        assert request.url.startswith(TWEEPY_HOST + "/")
        request.url = self.base_url + request.url[len(TWEEPY_HOST) :]
        request.headers["Host"] = "api.twitter.com"
        request.headers["X-Forwarded-Proto"] = "https"
        return super().send(request, *args, **kwargs)


def tweepy_client(fake_x, **keys) -> tweepy.Client:
    client = tweepy.Client(**keys)
    client.session.mount(TWEEPY_HOST + "/", ToFakeX(fake_x.url))
    return client


@pytest.fixture(autouse=True)
def no_jitter(monkeypatch):
    """The cache library sleeps 2.5-5 s before a forced re-read (a fleet must not re-read at once)."""
    monkeypatch.setattr(SecretCacheObject, "FORCE_REFRESH_JITTER_SLEEP", 0)


@pytest.fixture
def sm(aws):
    return aws("secretsmanager")


def aws_calls(sm) -> list[str]:
    """The Secrets Manager operations ``sm`` sends from now on, by name."""
    seen: list[str] = []
    sm.meta.events.register("before-call", lambda model, **_: seen.append(model.name))
    return seen


#: What one forced re-read sends: AWSCURRENT's version id, then the new version's value (if new).
REREAD_NEW_VERSION = ["DescribeSecret", "GetSecretValue"]
REREAD_SAME_VERSION = ["DescribeSecret"]


@pytest.fixture
def keys_arn(sm, fake_x) -> str:
    """The app's secret, already read (and cached) by the service; X knows the keys."""
    fake_x.add_credentials(CREDS, username="brandbot")
    arn = sm.create_secret(Name="twitter/dev/svc/tweepy", SecretString=canonical_payload(CREDS))["ARN"]
    assert load_credentials(arn, client=sm, max_age_seconds=FOREVER).as_dict() == CREDS
    return arn


def rotate_access_token(sm, fake_x, arn: str) -> None:
    """A new Access Token pair in the secret; X has revoked the old one."""
    fake_x.add_credentials(ROTATED, username="brandbot")
    fake_x.tokens[CREDS["access_token"]].revoked = True
    sm.put_secret_value(SecretId=arn, SecretString=canonical_payload(ROTATED))


def get_me_with_tweepy(fake_x):
    return lambda creds: tweepy_client(fake_x, **creds.as_dict()).get_me(user_auth=True)


def get_me_raising(fake_x):
    def request(creds):
        response = requests.get(fake_x.url + "/2/users/me", auth=creds.oauth1(), timeout=10)
        response.raise_for_status()
        return response

    return request


def statuses(fake_x, path: str = "/2/users/me") -> list[int]:
    return [s.status for s in fake_x.calls("GET", path)]


# --- (b) user context with tweepy ------------------------------------------------------------------


def test_tweepy_unauthorized_after_a_rotation_rereads_once_and_retries(sm, fake_x, keys_arn):
    rotate_access_token(sm, fake_x, keys_arn)
    sent = aws_calls(sm)
    me = call_with_refresh(keys_arn, get_me_with_tweepy(fake_x), client=sm, max_age_seconds=FOREVER)
    assert (me.data.id, me.data.username) == (int(USER_ID), "brandbot")
    assert statuses(fake_x) == [401, 200]
    assert sent == REREAD_NEW_VERSION
    # The re-read keys stay cached: the next call needs no read and no retry.
    call_with_refresh(keys_arn, get_me_with_tweepy(fake_x), client=sm, max_age_seconds=FOREVER)
    assert statuses(fake_x) == [401, 200, 200] and sent == REREAD_NEW_VERSION


# --- (c) requests' raise_for_status ----------------------------------------------------------------


def test_raise_for_status_401_after_a_rotation_rereads_once_and_retries(sm, fake_x, keys_arn):
    rotate_access_token(sm, fake_x, keys_arn)
    sent = aws_calls(sm)
    response = call_with_refresh(keys_arn, get_me_raising(fake_x), client=sm, max_age_seconds=FOREVER)
    assert response.status_code == 200 and response.json()["data"]["username"] == "brandbot"
    assert statuses(fake_x) == [401, 200]
    assert sent == REREAD_NEW_VERSION


# --- (d) only once, and only for 401 -----------------------------------------------------------------


def test_a_second_tweepy_unauthorized_propagates_after_one_reread(sm, fake_x, keys_arn):
    fake_x.tokens[CREDS["access_token"]].revoked = True  # and the secret still holds it: wrong keys
    sent = aws_calls(sm)
    with pytest.raises(tweepy.errors.Unauthorized) as caught:
        call_with_refresh(keys_arn, get_me_with_tweepy(fake_x), client=sm, max_age_seconds=FOREVER)
    assert caught.value.response.status_code == 401
    assert caught.value.__context__ is None  # the second 401 as it came, not wrapped in the first
    assert statuses(fake_x) == [401, 401]
    assert sent == REREAD_SAME_VERSION


def test_a_raised_401_then_a_returned_401_returns_the_second_answer(sm, fake_x, keys_arn):
    fake_x.tokens[CREDS["access_token"]].revoked = True
    answers = []

    def request(creds):
        response = requests.get(fake_x.url + "/2/users/me", auth=creds.oauth1(), timeout=10)
        answers.append(response)
        if len(answers) == 1:
            response.raise_for_status()
        return response

    sent = aws_calls(sm)
    assert call_with_refresh(keys_arn, request, client=sm, max_age_seconds=FOREVER) is answers[1]
    assert [r.status_code for r in answers] == [401, 401] and sent == REREAD_SAME_VERSION


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, V2_TOO_MANY, tweepy.errors.TooManyRequests),
        (403, V2_FORBIDDEN, tweepy.errors.Forbidden),
        (503, SERVER_ERROR, tweepy.errors.TwitterServerError),
    ],
)
def test_other_tweepy_errors_propagate_without_a_reread(sm, fake_x, keys_arn, status, body, error):
    fake_x.fail("GET", "/2/users/me", status, body, headers={"x-rate-limit-reset": "1"})
    sent = aws_calls(sm)
    with pytest.raises(error):
        call_with_refresh(keys_arn, get_me_with_tweepy(fake_x), client=sm, max_age_seconds=FOREVER)
    assert statuses(fake_x) == [status] and sent == []


@pytest.mark.parametrize(
    "raised",
    [
        ValueError("not X's fault"),
        requests.HTTPError("no response at all"),  # .response is None
        requests.ConnectionError("X unreachable"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_other_exceptions_propagate_untouched_without_a_reread(sm, keys_arn, raised):
    calls = []

    def request(creds):
        calls.append(creds)
        raise raised

    sent = aws_calls(sm)
    with pytest.raises(type(raised)) as caught:
        call_with_refresh(keys_arn, request, client=sm, max_age_seconds=FOREVER)
    assert caught.value is raised and len(calls) == 1 and sent == []


# --- (a) the app-only bearer with tweepy ------------------------------------------------------------


def test_tweepy_bearer_rotated_under_the_service_is_reread_once(sm, fake_x):
    """call_with_refresh reads the four keys only; the bearer secret is re-read with
    load_bearer_token(refresh=True), as docs/rotation.md shows, after tweepy's Unauthorized."""
    app = fake_x.add_credentials(CREDS)
    app.bearer = OLD_BEARER
    arn = sm.create_secret(
        Name="twitter/dev/svc/tweepy/bearer", SecretString=json.dumps({"bearer_token": OLD_BEARER})
    )["ARN"]
    assert load_bearer_token(arn, client=sm, max_age_seconds=FOREVER) == OLD_BEARER  # the service's cache
    app.bearer = NEW_BEARER  # rotated: X knows only the new token
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"bearer_token": NEW_BEARER}))
    sent = aws_calls(sm)

    def get_post(refresh: bool):
        token = load_bearer_token(arn, client=sm, max_age_seconds=FOREVER, refresh=refresh)
        return tweepy_client(fake_x, bearer_token=token).get_tweet(20)

    try:
        post = get_post(refresh=False)
    except tweepy.errors.Unauthorized:
        post = get_post(refresh=True)
    assert post.data.id == 20
    assert statuses(fake_x, "/2/tweets/20") == [401, 200]
    assert sent == REREAD_NEW_VERSION


# --- (e) no key in an exception or a log ------------------------------------------------------------


def test_no_key_in_the_exception_or_the_logs_at_debug(sm, fake_x, keys_arn, caplog):
    caplog.set_level(logging.DEBUG)
    rotate_access_token(sm, fake_x, keys_arn)
    call_with_refresh(keys_arn, get_me_with_tweepy(fake_x), client=sm, max_age_seconds=FOREVER)
    fake_x.tokens[ROTATED["access_token"]].revoked = True
    texts = []
    for request in (get_me_with_tweepy(fake_x), get_me_raising(fake_x)):
        with pytest.raises((tweepy.errors.Unauthorized, requests.HTTPError)) as caught:
            call_with_refresh(keys_arn, request, client=sm, max_age_seconds=FOREVER)
        texts += [str(caught.value), repr(caught.value), *traceback.format_exception(caught.value)]
    assert statuses(fake_x) == [401, 200, 401, 401, 401, 401]
    logged = [r.getMessage() for r in caplog.records]
    assert logging.getLogger("tweepy").getEffectiveLevel() >= logging.WARNING  # quieted by twitter_runtime
    assert found_fragments("\n".join(texts + logged), KEYS) == []


def test_no_bearer_in_the_logs_at_debug(sm, fake_x, caplog):
    caplog.set_level(logging.DEBUG)
    app = fake_x.add_credentials(CREDS)
    app.bearer = NEW_BEARER
    import twitter_runtime  # noqa: F401 - importing it quiets the noisy loggers

    tweepy_client(fake_x, bearer_token=NEW_BEARER).get_tweet(20)
    assert found_fragments("\n".join(r.getMessage() for r in caplog.records), KEYS) == []
