"""The X API client against the local fake X server (real OAuth 1.0a verification)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from requests_oauthlib import OAuth1

from tests.canaries import canary_credentials, fragments
from tests.fake_x import CODE_32, CODE_89, SERVER_ERROR
from twitter_runtime import TwitterCredentials
from twitter_runtime.xapi import (
    BEARER,
    USER_CONTEXT,
    VerifiedUser,
    XAccessTierError,
    XApiClient,
    XAuthenticationError,
    XConsumerRejectedError,
    XRateLimitedError,
    XServerError,
    XTokenRevokedError,
    XUserMismatchError,
)

CREDS = canary_credentials("brand-monitoring/listener", user_id="4455667788")


@pytest.fixture
def creds(fake_x) -> TwitterCredentials:
    fake_x.add_credentials(CREDS, username="brandbot")
    return TwitterCredentials(**CREDS)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake_x, sleeps) -> XApiClient:
    return XApiClient(fake_x.url, timeout=(2, 2), sleep=sleeps.append)


def assert_no_key_material(error: BaseException) -> None:
    text = str(error) + repr(error)
    for value in CREDS.values():
        for piece in fragments(value.split("-", 1)[-1]):
            assert piece not in text


def test_user_context_check(client, creds, fake_x):
    assert client.verify_user_context(creds) == VerifiedUser(
        id="4455667788", username="brandbot", name="Brandbot", access_level="read-write"
    )
    assert [s.authorized for s in fake_x.calls("GET", "/2/users/me")] == [True]


def test_signature_over_another_host_is_rejected(creds, fake_x):
    """The host is part of the signature: a request signed for api.x.com fails on any other host."""
    auth = OAuth1(
        CREDS["consumer_key"], CREDS["consumer_secret"], CREDS["access_token"], CREDS["access_token_secret"]
    )
    prepared = requests.Request("GET", "https://api.x.com/2/users/me", auth=auth).prepare()
    prepared.url = f"{fake_x.url}/2/users/me"
    with requests.Session() as session:
        assert session.send(prepared, timeout=5).status_code == 401
    assert requests.get(f"{fake_x.url}/2/users/me", auth=auth, timeout=5).status_code == 200


def test_tampered_form_body_is_rejected(client, creds, fake_x):
    """Form parameters are signed too: changing one after signing breaks the signature."""
    bearer = client.issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    auth = OAuth1(
        CREDS["consumer_key"], CREDS["consumer_secret"], CREDS["access_token"], CREDS["access_token_secret"]
    )
    url = f"{fake_x.url}/oauth2/invalidate_token"
    prepared = requests.Request("POST", url, auth=auth, data={"access_token": "something-else"}).prepare()
    prepared.body = f"access_token={requests.utils.quote(bearer, safe='')}"
    prepared.headers["Content-Length"] = str(len(prepared.body))
    with requests.Session() as session:
        assert session.send(prepared, timeout=5).status_code == 401
    assert fake_x.current_bearer(CREDS["consumer_key"]) == bearer


def test_replayed_request_is_rejected(creds, fake_x):
    auth = OAuth1(
        CREDS["consumer_key"], CREDS["consumer_secret"], CREDS["access_token"], CREDS["access_token_secret"]
    )
    prepared = requests.Request("GET", f"{fake_x.url}/2/users/me", auth=auth).prepare()
    with requests.Session() as session:
        assert session.send(prepared, timeout=5).status_code == 200
        assert session.send(prepared, timeout=5).status_code == 401


@pytest.mark.parametrize("field", ["consumer_secret", "access_token_secret"])
def test_wrong_secret_fails_the_signature(client, fake_x, field):
    fake_x.add_credentials(CREDS)
    wrong = TwitterCredentials(**{**CREDS, field: CREDS[field][::-1]})
    with pytest.raises(XAuthenticationError) as caught:
        client.verify_user_context(wrong)
    error = caught.value
    assert error.status == 401 and error.pair == USER_CONTEXT
    assert "X did not accept the user-context keys" in str(error)
    assert "the API Key pair was regenerated (then set the new pair" in str(error)
    assert_no_key_material(error)


def test_code_32_body_is_named(client, creds, fake_x):
    fake_x.fail("GET", "/2/users/me", 401, CODE_32)
    with pytest.raises(XAuthenticationError, match=r"\(code 32\)"):
        client.verify_user_context(creds)


def test_code_89_is_a_revoked_token(client, creds, fake_x):
    # v1.1's answer for a revoked token (v2 answers with its generic 401: see test_x_answers.py).
    fake_x.fail("GET", "/2/users/me", 401, CODE_89)
    with pytest.raises(XTokenRevokedError) as caught:
        client.verify_user_context(creds)
    assert caught.value.code == 89
    assert "Create a new Access Token pair" in str(caught.value)


def test_token_of_another_user_is_refused(client, creds, fake_x):
    fake_x.fail("GET", "/2/users/me", 200, {"data": {"id": "1", "username": "other", "name": "Other"}})
    with pytest.raises(XUserMismatchError, match=r"user id \(4455667788\) is not the user X says .* \(1\)"):
        client.verify_user_context(creds)


def test_access_tier_without_the_endpoint(client, creds, fake_x):
    fake_x.apps[CREDS["consumer_key"]].denied.add("/2/users/me")
    with pytest.raises(
        XAccessTierError,
        match=r"access tier does not include this endpoint \(code 453\); move the Project to a plan",
    ):
        client.verify_user_context(creds)


def test_rate_limit_reports_reset_time_and_does_not_retry(client, creds, fake_x, sleeps):
    fake_x.users_me_limit = 1
    client.verify_user_context(creds)
    with pytest.raises(XRateLimitedError) as caught:
        client.verify_user_context(creds)
    reset = caught.value.reset_at
    assert reset is not None and reset > datetime.now(UTC)
    assert reset.isoformat() in str(caught.value)
    assert len(fake_x.calls("GET", "/2/users/me")) == 2 and sleeps == []


def test_server_errors_are_retried_with_backoff(client, creds, fake_x, sleeps):
    fake_x.fail("GET", "/2/users/me", 503, SERVER_ERROR, times=2)
    assert client.verify_user_context(creds).id == "4455667788"
    assert sleeps == [0.5, 1.0]
    assert [s.status for s in fake_x.calls("GET", "/2/users/me")] == [503, 503, 200]


def test_server_errors_give_up_after_three_attempts(client, creds, fake_x, sleeps):
    fake_x.fail("GET", "/2/users/me", 503, SERVER_ERROR, times=5)
    with pytest.raises(XServerError, match="answered 503 after 3 attempts"):
        client.verify_user_context(creds)
    assert len(fake_x.calls("GET", "/2/users/me")) == 3


def test_client_errors_are_not_retried(client, creds, fake_x, sleeps):
    fake_x.fail("GET", "/2/users/me", 401, CODE_32, times=5)
    with pytest.raises(XAuthenticationError):
        client.verify_user_context(creds)
    assert len(fake_x.calls("GET", "/2/users/me")) == 1 and sleeps == []


def test_every_request_has_a_timeout(creds, fake_x, sleeps):
    fake_x.fail("GET", "/2/users/me", 200, {}, times=3, delay=1.0)
    slow = XApiClient(fake_x.url, timeout=(2, 0.2), sleep=sleeps.append)
    with pytest.raises(XServerError, match=r"no answer .* after 3 attempts \(ReadTimeout\)"):
        slow.verify_user_context(creds)


def test_unreachable_host(creds, sleeps):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    client = XApiClient(f"http://127.0.0.1:{port}", timeout=(1, 1), sleep=sleeps.append)
    with pytest.raises(XServerError, match="ConnectionError"):
        client.verify_user_context(creds)
    assert sleeps == [0.5, 1.0]


def test_one_bearer_per_app_until_invalidated(client, creds, fake_x):
    first = client.issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    assert first.startswith("AAAAAAAAAAAAAAAAAAAA") and "%2F" in first
    assert client.issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"]) == first
    client.check_bearer(first)
    client.invalidate_bearer(creds, first)
    with pytest.raises(XAuthenticationError) as caught:
        client.check_bearer(first)
    assert caught.value.pair == BEARER
    second = client.issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    assert second != first
    client.check_bearer(second)


def test_invalidating_an_unknown_token_is_code_99(client, creds, fake_x):
    client.issue_bearer(CREDS["consumer_key"], CREDS["consumer_secret"])
    with pytest.raises(XConsumerRejectedError) as caught:
        client.invalidate_bearer(creds, "AAAAAAAAAAAAAAAAAAAAAnotthetoken")
    assert caught.value.code == 99
    assert "notthetoken" not in str(caught.value)


def test_bad_consumer_pair_on_token_endpoint(client, creds):
    with pytest.raises(XConsumerRejectedError) as caught:
        client.verify_app(CREDS["consumer_key"], CREDS["consumer_secret"][::-1])
    assert "could not verify the API Key pair (consumer key and secret) (code 99)" in str(caught.value)
    assert_no_key_material(caught.value)


def test_app_check_passes_with_the_right_pair(client, creds, fake_x):
    client.verify_app(CREDS["consumer_key"], CREDS["consumer_secret"])
    assert [s.authorized for s in fake_x.calls("POST", "/oauth2/token")] == [True]


def test_x_messages_are_scrubbed_of_keys(client, creds, fake_x):
    echo = {"errors": [{"code": 32, "message": f"bad key {CREDS['consumer_key']} here"}]}
    fake_x.fail("GET", "/2/users/me", 401, echo)
    with pytest.raises(XAuthenticationError) as caught:
        client.verify_user_context(creds)
    assert "bad key [redacted] here" in str(caught.value)
    assert_no_key_material(caught.value)


def test_pin_flow_gives_a_working_access_token(client, creds, fake_x):
    request_token = client.request_token(CREDS["consumer_key"], CREDS["consumer_secret"])
    assert repr(request_token) == "RequestToken(<hidden>)"
    url = client.authorize_url(request_token)
    assert url == f"{fake_x.url}/oauth/authorize?oauth_token={request_token.token}"
    pin = fake_x.approve(request_token.token, "brandbot")
    grant = client.access_token(CREDS["consumer_key"], CREDS["consumer_secret"], request_token, f" {pin}\n")
    assert (grant.user_id, grant.screen_name) == ("4455667788", "brandbot")
    assert repr(grant) == "AccessGrant(user_id='4455667788', screen_name='brandbot')"
    fresh = TwitterCredentials(
        CREDS["consumer_key"], CREDS["consumer_secret"], grant.access_token, grant.access_token_secret
    )
    assert client.verify_user_context(fresh).username == "brandbot"


def test_pin_flow_with_a_wrong_pin(client, creds, fake_x):
    request_token = client.request_token(CREDS["consumer_key"], CREDS["consumer_secret"])
    fake_x.approve(request_token.token, "brandbot")
    with pytest.raises(XAuthenticationError):
        client.access_token(CREDS["consumer_key"], CREDS["consumer_secret"], request_token, "0000000")
